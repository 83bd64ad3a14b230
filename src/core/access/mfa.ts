// Whether a sign-in used multiple factors, from the OpenID Connect `amr`
// values (RFC 8176) and `acr`. Deny by default: values this code does not
// know count as no factor.

const KNOWLEDGE = new Set(['pwd', 'pin', 'kba']);
const POSSESSION = new Set(['hwk', 'swk', 'otp', 'sms', 'tel', 'sc', 'pop']);
const INHERENCE = new Set(['fpt', 'face', 'iris', 'retina', 'vbm']);

export interface SignInStrength {
  amr: readonly string[];
  acr?: string | null | undefined;
}

/**
 * True when the provider said "mfa", when factors of two different kinds
 * (knowledge, possession, inherence) were used, or when `acr` is one of the
 * values the deployment trusts as multi-factor.
 */
export function sessionUsedMfa(signIn: SignInStrength, mfaAcrValues: readonly string[] = []): boolean {
  if (signIn.acr && mfaAcrValues.includes(signIn.acr)) return true;
  const amr = new Set(signIn.amr);
  if (amr.has('mfa')) return true;
  const kinds = [KNOWLEDGE, POSSESSION, INHERENCE].filter((kind) => [...amr].some((v) => kind.has(v)));
  return kinds.length >= 2;
}
