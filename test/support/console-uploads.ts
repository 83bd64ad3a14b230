// What the console's end-to-end tests seed and watch: a patient's CT posted
// by a clinician in Slack (its card's View link, its asset once stored and
// linked, and the bytes posted), and every URL a page asks for.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import type { ConsoleLoupe } from './console.js';
import { until } from './slack.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** pydicom's small CT, naming this patient and issuer in its header. */
export async function ctDicom(patientId: string, issuer: string): Promise<Buffer> {
  const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
  instance.dicom.dict['00100020'] = { vr: 'LO', Value: [patientId] };
  instance.dicom.dict['00100021'] = { vr: 'LO', Value: [issuer] };
  return writeInstance(instance);
}

/** A clinician's upload of a patient's CT: the card's View link, and its asset once stored and linked to the patient. */
export async function uploadCt(c: ConsoleLoupe, o: { user: string; channel: string; mrn: string; issuer: string }): Promise<{ url: string; assetId: string; bytes: Buffer }> {
  const { storage } = c.env.loupe.services;
  const bytes = await ctDicom(o.mrn, o.issuer);
  const up = await c.env.slack.uploadFile({ user: o.user, channel: o.channel, name: 'ct.dcm', bytes });
  const call = await until('the card', () => c.env.slack.calls.find((x) => x.method === 'chat.postMessage' && x.params.thread_ts === up.ts));
  const card = await until('the asset stored and linked to the patient', async () => {
    const found = await storage.db.prisma.card.findFirst({ where: { threadId: up.ts }, include: { asset: true } });
    return found?.asset.patientId && found.asset.status === 'stored' ? found : undefined;
  });
  return { url: /"url":"([^"]+\/view\/[^"]+)"/.exec(String(call.params.blocks))![1]!, assetId: card.assetId, bytes };
}
