// Reads a STOW-RS answer (PS3.18 10.5.3, the Store Instances Response Module
// of PS3.3 C.6.1.1.4 as DICOM JSON): which instances the PACS stored, with a
// warning or not, and which it failed with what reason. Values are read as
// codes and UIDs only; nothing else of the answer is kept.

export type InstanceOutcome =
  | { sopInstanceUid: string | undefined; status: 'stored'; /** Warning Reason (0008,1196), e.g. 0xB000 coercion of data elements. */ warningReason?: number }
  | { sopInstanceUid: string | undefined; status: 'failed'; /** Failure Reason (0008,1197), e.g. 0xA900 or 0xC000; absent when the PACS gave none. */ failureReason?: number };

export interface StowAnswer {
  stored: Map<string, number | undefined>;
  failed: Map<string, number | undefined>;
}

const REFERENCED_SOP_SEQUENCE = '00081199';
const FAILED_SOP_SEQUENCE = '00081198';
const REFERENCED_SOP_INSTANCE_UID = '00081155';
const WARNING_REASON = '00081196';
const FAILURE_REASON = '00081197';

type JsonDataset = Record<string, { Value?: unknown[] } | undefined>;

function itemsOf(ds: JsonDataset, tag: string): JsonDataset[] {
  const values = ds[tag]?.Value;
  return Array.isArray(values) ? values.filter((v): v is JsonDataset => typeof v === 'object' && v !== null) : [];
}

function first(ds: JsonDataset, tag: string): unknown {
  const values = ds[tag]?.Value;
  return Array.isArray(values) ? values[0] : undefined;
}

const codeOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The answer's body as DICOM JSON (one dataset, or an array of one, as some servers send); empty when it is not that. */
export function parseStowAnswer(body: string): StowAnswer {
  const answer: StowAnswer = { stored: new Map(), failed: new Map() };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return answer;
  }
  const ds = (Array.isArray(json) ? json[0] : json) as JsonDataset | undefined;
  if (typeof ds !== 'object' || ds === null) return answer;
  for (const item of itemsOf(ds, REFERENCED_SOP_SEQUENCE)) {
    const uid = first(item, REFERENCED_SOP_INSTANCE_UID);
    if (typeof uid === 'string') answer.stored.set(uid, codeOf(first(item, WARNING_REASON)));
  }
  for (const item of itemsOf(ds, FAILED_SOP_SEQUENCE)) {
    const uid = first(item, REFERENCED_SOP_INSTANCE_UID);
    if (typeof uid === 'string') answer.failed.set(uid, codeOf(first(item, FAILURE_REASON)));
  }
  return answer;
}

/**
 * One outcome per instance sent, in the order sent. An instance the answer
 * does not name was stored when the PACS said 200 (all stored), and failed
 * otherwise.
 */
export function outcomesOf(sent: (string | undefined)[], answer: StowAnswer, allStored: boolean): InstanceOutcome[] {
  return sent.map((uid): InstanceOutcome => {
    if (uid !== undefined && answer.failed.has(uid)) {
      const failureReason = answer.failed.get(uid);
      return failureReason === undefined ? { sopInstanceUid: uid, status: 'failed' } : { sopInstanceUid: uid, status: 'failed', failureReason };
    }
    if (uid !== undefined && answer.stored.has(uid)) {
      const warningReason = answer.stored.get(uid);
      return warningReason === undefined ? { sopInstanceUid: uid, status: 'stored' } : { sopInstanceUid: uid, status: 'stored', warningReason };
    }
    return allStored ? { sopInstanceUid: uid, status: 'stored' } : { sopInstanceUid: uid, status: 'failed' };
  });
}
