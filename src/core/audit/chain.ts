// The hash chain: each event's hash covers its own content (canonical JSON,
// RFC 8785) and its predecessor's hash, so altering, deleting, inserting or
// reordering any event breaks every hash after it.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { SealedAuditRecord } from './event.js';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * `seq` in the canonical body is the chain position; the insertion seq is
 * covered too, as `entrySeq`, whenever it differs (events chained before
 * sealing existed have equal ones, so their hashes are unchanged).
 */
export function canonicalEvent(event: Omit<SealedAuditRecord, 'hash'>): string {
  const body: Record<string, unknown> = {
    seq: event.chainSeq.toString(),
    id: event.id,
    at: event.at.toISOString(),
    workspaceId: event.workspaceId,
    actorType: event.actorType,
    actorId: event.actorId,
    action: event.action,
    outcome: event.outcome,
    reason: event.reason,
    patientId: event.patientId,
    assetId: event.assetId,
    consultId: event.consultId,
    sourceIp: event.sourceIp,
    requestId: event.requestId,
    details: event.details ?? {},
    prevHash: event.prevHash,
  };
  if (event.seq !== event.chainSeq) body['entrySeq'] = event.seq.toString();
  const text = canonicalize(body);
  if (text === undefined) throw new TypeError('audit event cannot be serialised');
  return text;
}

export function hashEvent(event: Omit<SealedAuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalEvent(event)).digest('hex');
}

/** The text a checkpoint signs: the chain head at position `seq` (a chainSeq). */
export function checkpointMessage(seq: bigint, hash: string): string {
  return `loupe-audit-checkpoint/1:${seq.toString()}:${hash}`;
}
