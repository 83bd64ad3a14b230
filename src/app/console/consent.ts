// A patient's consent from the console: privacy officers and workspace
// admins (console action record_consent, on the patient's workspace) find
// the patient by identifier and issuer, read every version, and record,
// change or withdraw a decision, each through the consent use cases with the
// sign-in subject as the recorder. A change names a version of the patient
// typed: a version of anyone else is not found.
import type { ConsentChangeReason } from '../../core/consent/terms.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { isLoupeId } from '../../core/ids.js';
import type { ConsentDeps, ConsentVersion } from '../consent/consent-deps.js';
import { formTerms, type ConsentFormFields } from '../consent/consent-form.js';
import { listConsents, type PatientConsents } from '../consent/list-consents.js';
import { recordConsent } from '../consent/record-consent.js';
import { reviseConsent } from '../consent/revise-consent.js';
import { withdrawConsent } from '../consent/withdraw-consent.js';
import { patientKey } from '../link-patient.js';
import { requireConsoleAction, requireConsoleActionAnywhere, type ConsoleCaller } from './console-caller.js';

export interface ConsoleConsentPatient {
  workspaceId: string;
  /** As typed; never logged, stored in clear or put in a URL. */
  identifier: string;
  issuer: string;
}

/** The console's terms: the chat form's fields without the evidence box (the console names the evidence photo by its asset id). */
export type ConsoleConsentTerms = Omit<ConsentFormFields, 'evidence'>;

const deps = (c: ConsoleCaller): ConsentDeps => ({ db: c.storage.db, audit: c.storage.audit, clock: c.clock, patients: c.storage.patients, consents: c.storage.consents, queue: c.queue, consentChanges: c.storage.consentChanges });
const recorder = (c: ConsoleCaller) => ({ kind: 'console_subject' as const, id: c.actor.id ?? '' });

/** May this person open the page at all (a refusal is audited). */
export function requireConsentAccess(c: ConsoleCaller): Promise<void> {
  return requireConsoleActionAnywhere(c, 'record_consent');
}

/** The workspaces this person may record consent in. */
export async function consentWorkspaces(c: ConsoleCaller): Promise<string[]> {
  return c.access.workspacesFor('record_consent', (await c.storage.workspaces.list()).map((w) => w.id));
}

async function allowed(c: ConsoleCaller, p: ConsoleConsentPatient): Promise<{ identifier: string; issuer: string }> {
  if (!isLoupeId(p.workspaceId)) throw new LoupeError(ErrorCode.NotFound, 'no such workspace');
  await requireConsoleAction(c, 'record_consent', { workspaceId: p.workspaceId });
  return patientKey(p);
}

export interface ConsoleConsents extends PatientConsents {
  /** The patient's stored photos, any of which can be the signed form's evidence (ids, senders and times only). */
  evidencePhotos: { id: string; uploaderId: string; createdAt: Date }[];
}

export async function consoleConsents(c: ConsoleCaller, p: ConsoleConsentPatient): Promise<ConsoleConsents> {
  const patient = await allowed(c, p);
  const found = await listConsents(deps(c), { workspaceId: p.workspaceId, patient, reader: recorder(c) });
  const evidencePhotos = found.patientId ? await c.storage.consents.evidencePhotos(found.patientId, p.workspaceId) : [];
  return { ...found, evidencePhotos };
}

/** `evidence`: the id of a stored photo of the signed form in the workspace (the page offers the patient's), or empty. */
export async function consoleRecordConsent(c: ConsoleCaller, p: ConsoleConsentPatient, terms: ConsoleConsentTerms, evidence = ''): Promise<ConsentVersion> {
  const patient = await allowed(c, p);
  const evidenceAssetId = evidence.trim() || null;
  return recordConsent(deps(c), { workspaceId: p.workspaceId, patient, terms: formTerms({ ...terms, evidence: false }, c.clock.now()), recorder: recorder(c), via: 'console', evidenceAssetId });
}

/** The version, if it is one of the typed patient's; else not found. */
async function versionOfPatient(c: ConsoleCaller, p: ConsoleConsentPatient, consentId: string): Promise<void> {
  const patient = await allowed(c, p);
  const patientId = await c.storage.patients.find(p.workspaceId, patient.issuer, patient.identifier);
  const ours = patientId !== undefined && isLoupeId(consentId) && (await c.storage.db.prisma.consent.count({ where: { id: consentId, patientId } })) === 1;
  if (!ours) throw new LoupeError(ErrorCode.NotFound, 'no such consent for this patient');
}

export async function consoleReviseConsent(c: ConsoleCaller, p: ConsoleConsentPatient, o: { consentId: string; terms: ConsoleConsentTerms; reason: ConsentChangeReason | string }): Promise<ConsentVersion> {
  await versionOfPatient(c, p, o.consentId);
  return reviseConsent(deps(c), { workspaceId: p.workspaceId, consentId: o.consentId, terms: formTerms({ ...o.terms, evidence: false }, c.clock.now()), recorder: recorder(c), via: 'console', reason: o.reason });
}

export async function consoleWithdrawConsent(c: ConsoleCaller, p: ConsoleConsentPatient, o: { consentId: string; reason: string }): Promise<ConsentVersion> {
  await versionOfPatient(c, p, o.consentId);
  return withdrawConsent(deps(c), { workspaceId: p.workspaceId, consentId: o.consentId, recorder: recorder(c), via: 'console', reason: o.reason });
}
