// A patient typed in the consent command travels with its form (a Slack
// modal's private_metadata, a Teams card's data) until the form is
// submitted. It goes sealed: AES-GCM under a key derived from the
// workspace's own secret, bound to the workspace and the user who typed it,
// and good for an hour. Nobody else can read it, reuse it, or submit it.
import { hkdfSync } from 'node:crypto';
import { seal, unseal } from '../../crypto/seal.js';
import type { Workspaces } from '../../storage/workspaces.js';

export const TYPED_PATIENT_LIFETIME_MS = 60 * 60_000;

export interface TypedPatient {
  identifier: string;
  issuer: string;
}

const aad = (workspaceId: string, userId: string) => `loupe-consent-form/1|${workspaceId}|${userId}`;

async function formKey(workspaces: Workspaces, workspaceId: string): Promise<Buffer> {
  const secret = await workspaces.secret(workspaceId);
  try {
    return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'loupe-consent-form-key/1', 32));
  } finally {
    secret.fill(0);
  }
}

export async function sealTypedPatient(workspaces: Workspaces, o: { workspaceId: string; userId: string; patient: TypedPatient; now: Date }): Promise<string> {
  const key = await formKey(workspaces, o.workspaceId);
  try {
    const body = JSON.stringify({ i: o.patient.identifier, s: o.patient.issuer, e: o.now.getTime() + TYPED_PATIENT_LIFETIME_MS });
    return Buffer.from(seal(key, Buffer.from(body, 'utf8'), aad(o.workspaceId, o.userId))).toString('base64url');
  } finally {
    key.fill(0);
  }
}

/** The patient, or undefined when the seal is not this user's, was tampered with, or has expired. */
export async function unsealTypedPatient(workspaces: Workspaces, o: { workspaceId: string; userId: string; sealed: string; now: Date }): Promise<TypedPatient | undefined> {
  if (!/^[A-Za-z0-9_-]{40,2000}$/.test(o.sealed)) return undefined;
  const key = await formKey(workspaces, o.workspaceId);
  try {
    const body = JSON.parse(unseal(key, Buffer.from(o.sealed, 'base64url'), aad(o.workspaceId, o.userId)).toString('utf8')) as { i?: unknown; s?: unknown; e?: unknown };
    if (typeof body.i !== 'string' || typeof body.s !== 'string' || typeof body.e !== 'number' || body.e <= o.now.getTime()) return undefined;
    return { identifier: body.i, issuer: body.s };
  } catch {
    // Not sealed by Loupe for this user and workspace.
    return undefined;
  } finally {
    key.fill(0);
  }
}
