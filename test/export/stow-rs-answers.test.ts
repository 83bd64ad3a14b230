// STOW-RS answers Orthanc does not give (202 with failures, 409, 503, no
// answer at all), from a loopback stand-in that answers as PS3.18 10.5.3 says
// a PACS may; also what Loupe's request looks like on the wire.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { storeInstances } from '../../src/export/stow-rs.js';
import { CT_SMALL, CT_SMALL_SOP_INSTANCE_UID, stowRefusal } from '../support/stow.js';

/** What a PACS may put in an error answer: it must never reach an error message. */
const PHI = 'Doe^Jane MRN-4471';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback server answering every request with `status` and `body` (or never, when `silent`). */
async function standIn(status: number, body: unknown, silent = false): Promise<{ server: Server; root: URL; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (silent) return;
      res.writeHead(status, { 'content-type': 'application/dicom+json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, root: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/pacs/dicom-web/`), seen };
}

const item = (uid: string, extra: Record<string, unknown> = {}) => ({ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: [uid] }, ...extra });


describe('STOW-RS answers', () => {
  let ct: Buffer;
  let other: Buffer;
  const servers: Server[] = [];
  beforeAll(async () => {
    ct = await readFile(CT_SMALL);
    // The same CT under another SOP Instance UID (same length, so the meta group's lengths hold).
    other = Buffer.from(ct.toString('latin1').replaceAll(CT_SMALL_SOP_INSTANCE_UID, CT_SMALL_SOP_INSTANCE_UID.replace('12322', '99999')), 'latin1');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });
  const serve = async (status: number, body: unknown, silent = false) => {
    const s = await standIn(status, body, silent);
    servers.push(s.server);
    return s;
  };

  it('posts one multipart/related body of application/dicom parts to {root}/studies, with the bearer token', async () => {
    const otherUid = CT_SMALL_SOP_INSTANCE_UID.replace('12322', '99999');
    const { root, seen } = await serve(200, { '00081199': { vr: 'SQ', Value: [item(CT_SMALL_SOP_INSTANCE_UID), item(otherUid)] } });
    const result = await storeInstances({ url: root, auth: { kind: 'bearer', token: 'tok-123' }, instances: [ct, other], timeoutMs: 5000 });
    expect(result.instances.map((i) => i.status)).toEqual(['stored', 'stored']);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/pacs/dicom-web/studies');
    expect(request.headers.authorization).toBe('Bearer tok-123');
    expect(request.headers.accept).toBe('application/dicom+json');
    const type = /^multipart\/related; type="application\/dicom"; boundary=(\S+)$/.exec(request.headers['content-type'] ?? '');
    expect(type).not.toBeNull();
    const parts = request.body.toString('latin1').split(`--${type![1]}`);
    // Preamble (empty), two parts, closing "--".
    expect(parts).toHaveLength(4);
    expect(parts[1]!.startsWith('\r\nContent-Type: application/dicom\r\n\r\n')).toBe(true);
    expect(parts[3]).toBe('--\r\n');
    expect(Buffer.from(parts[1]!.slice('\r\nContent-Type: application/dicom\r\n\r\n'.length, -2), 'latin1').equals(ct)).toBe(true);
  });

  it('returns per-instance outcomes for 202: one stored with a warning, one failed with its reason', async () => {
    const otherUid = CT_SMALL_SOP_INSTANCE_UID.replace('12322', '99999');
    const { root } = await serve(202, {
      '00081199': { vr: 'SQ', Value: [item(CT_SMALL_SOP_INSTANCE_UID, { '00081196': { vr: 'US', Value: [0xb000] } })] },
      '00081198': { vr: 'SQ', Value: [item(otherUid, { '00081197': { vr: 'US', Value: [0xa900] } })] },
    });
    const result = await storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct, other], timeoutMs: 5000 });
    expect(result).toEqual({
      httpStatus: 202,
      instances: [
        { sopInstanceUid: CT_SMALL_SOP_INSTANCE_UID, status: 'stored', warningReason: 0xb000 },
        { sopInstanceUid: otherUid, status: 'failed', failureReason: 0xa900 },
      ],
    });
  });

  it('is refused, not retryable, when every instance failed (202) or on 409, with the reasons and without the answer in the message', async () => {
    const failed = { '00081198': { vr: 'SQ', Value: [item(CT_SMALL_SOP_INSTANCE_UID, { '00081197': { vr: 'US', Value: [0x0122] } })] }, '00081196': { vr: 'US', Value: [1] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: PHI }] } };
    for (const status of [202, 409]) {
      const { root } = await serve(status, failed);
      const error = await stowRefusal(storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 5000 }));
      expect(error.code).toBe(ErrorCode.PacsRefused);
      expect(error.retryable).toBe(false);
      expect(error.httpStatus).toBe(status);
      expect(error.instances).toEqual([{ sopInstanceUid: CT_SMALL_SOP_INSTANCE_UID, status: 'failed', failureReason: 0x0122 }]);
      expect(error.message).not.toContain('Doe');
    }
  });

  it('is unavailable, retryable, on 503 and 500, and when every failure is "out of resources"', async () => {
    for (const status of [503, 500]) {
      const { root } = await serve(status, PHI);
      const error = await stowRefusal(storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 5000 }));
      expect([error.code, error.retryable, error.httpStatus]).toEqual([ErrorCode.PacsUnavailable, true, status]);
      expect(error.message).not.toContain('Doe');
    }
    const { root } = await serve(202, { '00081198': { vr: 'SQ', Value: [item(CT_SMALL_SOP_INSTANCE_UID, { '00081197': { vr: 'US', Value: [0xa700] } })] } });
    const error = await stowRefusal(storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 5000 }));
    expect([error.code, error.retryable]).toEqual([ErrorCode.PacsUnavailable, true]);
  });

  it('is auth-refused on 403 and unavailable when the PACS never answers within the time given', async () => {
    const forbidden = await serve(403, PHI);
    const refused = await stowRefusal(storeInstances({ url: forbidden.root, auth: { kind: 'basic', user: 'loupe', password: 'pw' }, instances: [ct], timeoutMs: 5000 }));
    expect([refused.code, refused.retryable, refused.httpStatus]).toEqual([ErrorCode.PacsAuthRefused, false, 403]);
    expect(forbidden.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('loupe:pw').toString('base64')}`);

    const silent = await serve(200, {}, true);
    const started = Date.now();
    const timedOut = await stowRefusal(storeInstances({ url: silent.root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 500 }));
    expect([timedOut.code, timedOut.retryable]).toEqual([ErrorCode.PacsUnavailable, true]);
    expect(timedOut.message).toContain('500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a service root with credentials in it or not over HTTP, before sending anything', async () => {
    await expect(storeInstances({ url: new URL('http://u:p@127.0.0.1:1/dicom-web'), auth: { kind: 'none' }, instances: [ct], timeoutMs: 500 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(storeInstances({ url: new URL('file:///dicom-web'), auth: { kind: 'none' }, instances: [ct], timeoutMs: 500 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('counts as stored only what the answer names: a 200 that names nothing (a proxy’s sign-in page) stored nothing', async () => {
    const { root } = await serve(200, '<html><body>Please sign in to the hospital proxy</body></html>');
    const refused = await stowRefusal(storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 5000 }));
    expect(refused).toMatchObject({ code: ErrorCode.PacsRefused, retryable: false, httpStatus: 200 });
    // A 200 naming one of two: the other is not taken for stored.
    const { root: half } = await serve(200, { '00081199': { vr: 'SQ', Value: [item(CT_SMALL_SOP_INSTANCE_UID)] } });
    const result = await storeInstances({ url: half, auth: { kind: 'none' }, instances: [ct, other], timeoutMs: 5000 });
    expect(result.instances.map((i) => i.status)).toEqual(['stored', 'failed']);
  });

  it('stops reading an answer too large to be a Store Instances Response, and does not try again', async () => {
    const { root } = await serve(200, 'x'.repeat(3 * 1024 * 1024));
    const refused = await stowRefusal(storeInstances({ url: root, auth: { kind: 'none' }, instances: [ct], timeoutMs: 5000 }));
    expect(refused).toMatchObject({ code: ErrorCode.PacsRefused, retryable: false });
  });
});
