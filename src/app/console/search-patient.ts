// A privacy officer finds a patient's images by identifier: in each workspace
// they may search, the patient is found by the keyed hash of issuer and
// identifier (nothing is decrypted; with no issuer typed, under each issuer
// the workspace's policies use), then their assets as the list shows them.
// Every search is audited, never with the identifier itself: one event per
// patient found (with their id, so each patient's trail shows the search),
// or one saying nothing was found; each with the counts.
import { AuditAction, type AuditActor } from '../../core/audit/event.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { Patients } from '../../storage/patients.js';
import { transaction } from '../../storage/transaction.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import { patientKey } from '../link-patient.js';
import type { ConsoleAccess } from './console-access.js';
import { refused } from './console-caller.js';
import { assetRows, type AssetRow, type ListAssetsDeps } from './list-assets.js';

export interface SearchPatientDeps extends ListAssetsDeps {
  audit: Pick<AuditLog, 'record' | 'append'>;
  patients: Pick<Patients, 'find'>;
}

export interface PatientMatch {
  workspaceId: string;
  patientId: string;
  /** The issuer the identifier was found under (the one typed, else one the workspace's policies use). */
  issuer: string;
  assets: AssetRow[];
}

export interface PatientSearchResult {
  /** How many workspaces were searched. */
  searched: number;
  matches: PatientMatch[];
}

/** More images than this for one patient are cut short (the page says so); the audit trail has them all. */
export const MAX_ASSETS_PER_PATIENT = 200;

export async function searchPatient(
  deps: SearchPatientDeps,
  o: { access: Pick<ConsoleAccess, 'workspacesFor'>; allWorkspaceIds: readonly string[]; identifier: string; issuer?: string | undefined; actor: AuditActor; requestId?: string },
): Promise<PatientSearchResult> {
  const workspaceIds = o.access.workspacesFor('search_by_patient', o.allWorkspaceIds);
  if (workspaceIds.length === 0) {
    await refused(deps.audit, o, { action: 'search_by_patient' });
    throw new LoupeError(ErrorCode.Forbidden, 'only a privacy officer may search by patient identifier');
  }
  const typedIssuer = o.issuer?.trim() ? o.issuer : undefined;
  // Checked before any lookup: a bad identifier or issuer searches nowhere.
  const { identifier } = patientKey({ identifier: o.identifier, issuer: typedIssuer ?? 'default' });
  const matches: PatientMatch[] = [];
  for (const workspaceId of workspaceIds) {
    for (const issuer of typedIssuer ? [typedIssuer] : await policyIssuers(deps, workspaceId)) {
      const key = patientKey({ identifier, issuer });
      const patientId = await deps.patients.find(workspaceId, key.issuer, key.identifier);
      if (!patientId) continue;
      const assets = await assetRows(deps, { workspaceId, patientId }, MAX_ASSETS_PER_PATIENT);
      matches.push({ workspaceId, patientId, issuer: key.issuer, assets });
    }
  }
  // Recorded before anything is shown: a search that cannot be audited shows nothing.
  // One event per patient found (each patient's own trail shows the search), or one saying nothing was found.
  const found = matches.length ? matches.map((m) => ({ patientId: m.patientId, workspaceId: m.workspaceId })) : [{ patientId: null, workspaceId: workspaceIds.length === 1 ? workspaceIds[0]! : null }];
  await transaction(deps.db, async (tx) => {
    for (const f of found) {
      await deps.audit.append(tx, {
        actor: o.actor,
        action: AuditAction.PatientSearched,
        outcome: 'success',
        ...f,
        requestId: o.requestId ?? null,
        details: { workspaces: workspaceIds.length, found: matches.length },
      });
    }
  });
  return { searched: workspaceIds.length, matches };
}

/** The issuers a workspace's policies record identifiers under: its default's, then any a channel sets for itself. */
async function policyIssuers(deps: SearchPatientDeps, workspaceId: string): Promise<string[]> {
  const byDefault = (await deps.policies.resolved(workspaceId, WORKSPACE_DEFAULT_CHANNEL)).policy.identifierIssuer;
  const channels = await deps.db.prisma.channelPolicy.findMany({ where: { workspaceId, setFields: { has: 'identifierIssuer' } }, select: { identifierIssuer: true } });
  return [...new Set([byDefault, ...channels.flatMap((c) => (c.identifierIssuer ? [c.identifierIssuer] : []))])];
}
