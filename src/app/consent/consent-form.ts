// The consent form of chat (Slack's modal, Teams' card): opened from a card
// (its linked patient) or by the consent command (a patient typed by
// identifier, sealed with the form). Every step (opening, recording,
// withdrawing) decides again who may act and whether the card is still live,
// then calls the consent use cases. The form shows terms only: no identifier
// and nothing else about the patient.
import { AuditAction } from '../../core/audit/event.js';
import { mayRecordConsentForPatient, mayRecordConsentFromCard, mayUseConsentCommand, type ConsentFormRefusal } from '../../core/consent/recording.js';
import type { ConsentRecorder } from '../../core/consent/terms.js';
import type { WorkspaceRequester } from '../../core/consult/rules.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { isLoupeId } from '../../core/ids.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import { transaction } from '../../storage/transaction.js';
import { WORKSPACE_DEFAULT_CHANNEL, type Workspaces } from '../../storage/workspaces.js';
import { patientKey } from '../link-patient.js';
import { consentActor, type ConsentDeps, type ConsentVersion } from './consent-deps.js';
import { recordConsent } from './record-consent.js';
import { sealTypedPatient, unsealTypedPatient, type TypedPatient } from './typed-patient.js';
import { withdrawConsent } from './withdraw-consent.js';

export interface ConsentFormDeps extends ConsentDeps {
  workspaces: Workspaces;
  policies: ChannelPolicies;
}

/** Whose consent the form records: a card's linked patient, or one typed in the command (sealed). */
export type ConsentFormSubject = { kind: 'card'; cardId: string } | { kind: 'typed'; sealed: string };

export type ConsentFormResult =
  | { outcome: 'refused'; reason: ConsentFormRefusal }
  | {
      outcome: 'form';
      subject: ConsentFormSubject;
      /** The patient's current decisions (not superseded, not withdrawals): terms only. */
      current: ConsentVersion[];
      /** The card's own image (a stored photo) may be ticked as the signed consent form. */
      evidenceOffered: boolean;
    };

/** What the form's fields said, as the adapters read them. Dates are YYYY-MM-DD; `until` is the last day. */
export interface ConsentFormFields {
  decision: string;
  purposes: string[];
  parties: string[];
  dataKinds: string[];
  from: string;
  until: string;
  evidence: boolean;
}

interface Resolved {
  workspaceId: string;
  patientId: string | null;
  typed?: TypedPatient;
  evidenceAssetId: string | null;
}

type Resolution = { refused: ConsentFormRefusal } | Resolved;

const DAY_MS = 86_400_000;
const recorderOf = (who: WorkspaceRequester): ConsentRecorder => ({ kind: 'chat_user', id: who.userId });

async function resolve(deps: ConsentFormDeps, subject: ConsentFormSubject, who: WorkspaceRequester): Promise<Resolution> {
  const prisma = deps.db.prisma;
  const now = deps.clock.now();
  if (subject.kind === 'typed') {
    const typed = await unsealTypedPatient(deps.workspaces, { workspaceId: who.workspaceId, userId: who.userId, sealed: subject.sealed, now });
    if (!typed) return { refused: 'form_expired' };
    const participations = await prisma.consultParticipant.count({ where: { userId: who.userId, removedAt: null, consult: { workspaceId: who.workspaceId } } });
    const decision = mayUseConsentCommand(who, participations);
    if (!decision.allow) return { refused: decision.reason };
    const patientId = (await deps.patients.find(who.workspaceId, typed.issuer, typed.identifier)) ?? null;
    if (patientId) {
      const consults = await prisma.consult.findMany({
        where: { workspaceId: who.workspaceId, assets: { some: { patientId } } },
        select: { participants: { where: { userId: who.userId } }, grants: { where: { userId: who.userId } } },
      });
      const standing = mayRecordConsentForPatient(who, consults.map((c) => ({ participant: c.participants[0] ?? null, grants: c.grants })), now);
      if (!standing.allow) {
        await deps.audit.record({ actor: consentActor(recorderOf(who)), action: AuditAction.ConsentListed, outcome: 'denied', reason: standing.reason, workspaceId: who.workspaceId, patientId });
        return { refused: standing.reason };
      }
    }
    return { workspaceId: who.workspaceId, patientId, typed, evidenceAssetId: null };
  }
  const card = isLoupeId(subject.cardId) ? await prisma.card.findFirst({ where: { id: subject.cardId, workspaceId: who.workspaceId }, include: { asset: true } }) : null;
  // A card that is not there is refused as anyone else's would be.
  if (!card) return { refused: 'no_standing' };
  const participant = await prisma.consultParticipant.findUnique({ where: { consultId_userId: { consultId: card.consultId, userId: who.userId } } });
  const grants = await prisma.grant.findMany({ where: { consultId: card.consultId, userId: who.userId } });
  const decision = mayRecordConsentFromCard(
    who,
    { cardState: card.state, cardExpiresAt: card.expiresAt, assetStatus: card.asset.status, assetPatientId: card.asset.patientId, participant, grants },
    now,
  );
  if (!decision.allow) {
    if (decision.reason === 'no_standing') {
      await deps.audit.record({ actor: consentActor(recorderOf(who)), action: AuditAction.ConsentRecorded, outcome: 'denied', reason: 'no_standing', workspaceId: card.workspaceId, consultId: card.consultId, assetId: card.assetId });
    }
    return { refused: decision.reason };
  }
  const evidenceAssetId = card.asset.kind === 'photo' && card.asset.status === 'stored' ? card.asset.id : null;
  return { workspaceId: card.workspaceId, patientId: card.asset.patientId, evidenceAssetId };
}

/** Opens the form: who may, and the patient's current decisions. The read is audited like any consent listing. */
export async function consentForm(deps: ConsentFormDeps, { subject, who }: { subject: ConsentFormSubject; who: WorkspaceRequester }): Promise<ConsentFormResult> {
  const r = await resolve(deps, subject, who);
  if ('refused' in r) return { outcome: 'refused', reason: r.refused };
  const patientId = r.patientId;
  const current = patientId
    ? await transaction(deps.db, async (tx) => {
        const versions = (await deps.consents.ofPatient(tx, patientId)).filter((v) => v.supersededAt === null && v.kind === 'decision');
        await deps.audit.append(tx, { actor: consentActor(recorderOf(who)), action: AuditAction.ConsentListed, outcome: 'success', workspaceId: r.workspaceId, patientId, details: { versions: versions.length } });
        return versions;
      })
    : [];
  return { outcome: 'form', subject, current, evidenceOffered: r.evidenceAssetId !== null };
}

export type ConsentCommandResult = ConsentFormResult | { outcome: 'usage' };

/**
 * `consent IDENTIFIER [ISSUER]`: the form for the patient typed. The issuer
 * defaults to the channel's (else the workspace's) default issuer. Standing
 * is asked before the identifier is even looked at.
 */
export async function consentCommand(deps: ConsentFormDeps, o: { who: WorkspaceRequester; channelId: string | undefined; args: string[] }): Promise<ConsentCommandResult> {
  const participations = await deps.db.prisma.consultParticipant.count({ where: { userId: o.who.userId, removedAt: null, consult: { workspaceId: o.who.workspaceId } } });
  const decision = mayUseConsentCommand(o.who, participations);
  if (!decision.allow) return { outcome: 'refused', reason: decision.reason };
  if (o.args.length < 1 || o.args.length > 2) return { outcome: 'usage' };
  const issuer = o.args[1] ?? (await deps.policies.effective(o.who.workspaceId, o.channelId ?? WORKSPACE_DEFAULT_CHANNEL)).identifierIssuer;
  let patient: TypedPatient;
  try {
    patient = patientKey({ identifier: o.args[0]!, issuer });
  } catch {
    return { outcome: 'usage' };
  }
  const sealed = await sealTypedPatient(deps.workspaces, { workspaceId: o.who.workspaceId, userId: o.who.userId, patient, now: deps.clock.now() });
  return consentForm(deps, { subject: { kind: 'typed', sealed }, who: o.who });
}

function day(field: string): Date | undefined {
  const s = field.trim();
  if (!s) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00Z`) : new Date(Number.NaN);
}

/** The form's terms as the consent use cases take them: from the start of `from` (today when blank) to the end of `until`. */
export function formTerms(f: ConsentFormFields, now: Date) {
  const until = day(f.until);
  return {
    decision: f.decision,
    purposes: f.purposes,
    parties: f.parties,
    dataKinds: f.dataKinds,
    validFrom: day(f.from) ?? now,
    validUntil: until ? new Date(until.getTime() + DAY_MS) : null,
  };
}

export type ConsentFormChange = { outcome: 'refused'; reason: ConsentFormRefusal } | { outcome: 'done'; version: ConsentVersion };

/** Records a new decision from the form; invalid terms throw LOUPE_CONSENT_INVALID naming the field. */
export async function recordFromForm(
  deps: ConsentFormDeps,
  o: { subject: ConsentFormSubject; who: WorkspaceRequester; fields: ConsentFormFields; via: 'chat_slack' | 'chat_teams' },
): Promise<ConsentFormChange> {
  const r = await resolve(deps, o.subject, o.who);
  if ('refused' in r) return { outcome: 'refused', reason: r.refused };
  if (o.fields.evidence && !r.evidenceAssetId) throw new LoupeError(ErrorCode.ConsentEvidenceInvalid, 'only a card’s stored photo can be the signed form');
  const recorder = recorderOf(o.who);
  // A card knows its patient by id only: the sealed identifier is read (and the read audited) to find the same record.
  const patient = r.typed ?? (await deps.patients.read(r.patientId!, consentActor(recorder), 'consent_record'));
  const version = await recordConsent(deps, {
    workspaceId: r.workspaceId,
    patient: { identifier: patient.identifier, issuer: patient.issuer },
    terms: formTerms(o.fields, deps.clock.now()),
    recorder,
    via: o.via,
    evidenceAssetId: o.fields.evidence ? r.evidenceAssetId : null,
  });
  return { outcome: 'done', version };
}

/** Withdraws one of the form's patient's current decisions, with a reason code. */
export async function withdrawFromForm(
  deps: ConsentFormDeps,
  o: { subject: ConsentFormSubject; who: WorkspaceRequester; consentId: string; reason: string; via: 'chat_slack' | 'chat_teams' },
): Promise<ConsentFormChange> {
  const r = await resolve(deps, o.subject, o.who);
  if ('refused' in r) return { outcome: 'refused', reason: r.refused };
  // Only a version of this form's patient: a crafted id of another patient is not found.
  const ours = r.patientId !== null && isLoupeId(o.consentId) && (await deps.db.prisma.consent.count({ where: { id: o.consentId, patientId: r.patientId } })) === 1;
  if (!ours) throw new LoupeError(ErrorCode.NotFound, 'no such consent for this patient');
  const version = await withdrawConsent(deps, { workspaceId: r.workspaceId, consentId: o.consentId, recorder: recorderOf(o.who), via: o.via, reason: o.reason });
  return { outcome: 'done', version };
}
