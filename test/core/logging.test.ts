import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('log redaction', () => {
  it('keeps patient fields, tokens and keys out of the log', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        patientName: 'Quintus-Marlowe^Zebedee',
        patient: { name: 'Quintus-Marlowe^Zebedee', mrn: 'MRN-99817263', birthDate: '1941-11-07' },
        upload: { meta: { identifier: 'MRN-99817263', text: 'pt MRN-99817263 wound' } },
        botToken: 'xoxb-1111-2222-secret',
        slack: { accessToken: 'xoxp-3333-secret', signingSecret: 'sig-secret-44' },
        keys: { dataKey: 'AAAAkeymaterialBBBB', kek: 'kekmaterial' },
        req: { headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'loupe_session=abc123secret' } },
        assetId: 'a-1',
      },
      'upload handled',
    );
    const out = lines.join('');
    for (const secret of ['Zebedee', 'MRN-99817263', '1941-11-07', 'xoxb', 'xoxp', 'sig-secret', 'keymaterial', 'eyJhbGciOi', 'abc123secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(JSON.parse(out)).toMatchObject({ assetId: 'a-1', msg: 'upload handled', level: 'info', service: 'loupe' });
  });
});
