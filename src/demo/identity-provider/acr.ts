// Authentication context classes the provider can vouch for, and the methods
// behind them (RFC 8176 names), so acr and amr in an ID token say only what
// the person actually proved.

export const ACR_PASSWORD = 'urn:loupe:acr:password';
export const ACR_MFA = 'urn:loupe:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

export interface Authentication {
  acr: string;
  amr: string[];
}

export function authenticationOf(secondFactorVerified: boolean): Authentication {
  return secondFactorVerified ? { acr: ACR_MFA, amr: ['pwd', 'otp', 'mfa'] } : { acr: ACR_PASSWORD, amr: ['pwd'] };
}

/** Whether an authorization request's acr_values ask for the second factor. */
export function requestsMfa(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes(ACR_MFA);
}
