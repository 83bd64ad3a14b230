// The poison files of issue 9: a few-KB deflated DICOM whose misread length
// sent the writer into unbounded growth. They now fail fast with a typed
// error, and whatever still runs long or large is stopped by the sandbox.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { readInstance, writeInstance } from '../../src/imaging/dicom/parse.js';
import { metaElements } from '../../src/imaging/dicom/layout.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox, VIEWER_SANDBOX } from '../../src/imaging/sandbox/sandbox.js';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { InstanceViews } from '../../src/web/viewer/instance-views.js';
import { prepareAsset } from '../../src/intake/prepare-asset.js';
import { j2kDicom } from '../support/j2k-frames.js';
import { deflatedWith, poisonDicom } from '../support/poison.js';
import { until } from '../support/until.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const secret = Buffer.alloc(32, 1);

describe('poison DICOM files', () => {
  const sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
  afterAll(() => sandbox.close());

  it('refuses a deflated file whose element length is larger than what remains, quickly and with a typed error', async () => {
    const poison = await poisonDicom();
    expect(poison.length).toBeLessThan(8000);
    const started = Date.now();
    await expect(prepareAsset(poison, { limits: DEFAULT_LIMITS, secret, sandbox })).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt });
    await expect(async () => readInstance(poison, DEFAULT_LIMITS)).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt });
    // Seconds, not the minutes and gigabytes it took before.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('caps what a deflate stream may inflate to, by the configured limit', async () => {
    // 40 MB of zeros deflate to about 40 KB: a small upload claiming a large dataset.
    const bomb = await deflatedWith((dataset) => Buffer.concat([dataset, Buffer.alloc(40_000_000)]));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(prepareAsset(bomb, { limits: { ...DEFAULT_LIMITS, maxBytes: 10_000_000 }, secret, sandbox })).rejects.toMatchObject({ code: ErrorCode.ImageTooLarge });
  });

  it('still reads and de-identifies the genuine deflated file, written back as explicit VR little endian', async () => {
    const prepared = await prepareAsset(await readFile(join(PYDICOM, 'image_dfl.dcm')), { limits: DEFAULT_LIMITS, secret, sandbox });
    expect(prepared.outcome).toBe('prepared');
    if (prepared.outcome !== 'prepared') return;
    const derivative = prepared.blobs.find((b) => b.kind === 'derivative')!.data;
    const syntax = metaElements(derivative).find((e) => e.tag === 0x00020010)!;
    expect(derivative.subarray(syntax.valueStart, syntax.end).toString('latin1').replace(/\0$/, '')).toBe('1.2.840.10008.1.2.1');
    expect(prepared.patient).toBeUndefined();
  });

  it('refuses to write a header that has grown past what was read', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'CT_small.dcm')), DEFAULT_LIMITS);
    instance.dicom.dict['00091001'] = { vr: 'UN', Value: [new ArrayBuffer(2 * instance.headerBytes + 100_000)] };
    expect(() => writeInstance(instance)).toThrow(expect.objectContaining({ code: ErrorCode.ImageCorrupt }));
  });
});

describe('the imaging sandbox', () => {
  it('stops a task past its memory budget with a typed error, and the next task runs in a fresh child', async () => {
    // 48 MiB is less than a child needs to start decoding: the first poll past it kills the child.
    let budget = { timeMs: 60_000, memoryBytes: 48 * 1024 * 1024 };
    const sandbox = new ImagingSandbox({ processes: 1, pollMs: 10, budget: () => budget });
    try {
      const bytes = await readFile(join(PYDICOM, 'CT_small.dcm'));
      await expect(prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox })).rejects.toMatchObject({
        code: ErrorCode.ImageBudgetExceeded,
        message: expect.stringContaining('memory budget'),
      });
      budget = { timeMs: 60_000, memoryBytes: 1024 * 1024 * 1024 };
      expect((await prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox })).outcome).toBe('prepared');
    } finally {
      await sandbox.close();
    }
  });

  it('stops a task past its time budget with a typed error', async () => {
    const sandbox = new ImagingSandbox({ processes: 1, pollMs: 10, budget: () => ({ timeMs: 5, memoryBytes: 1024 * 1024 * 1024 }) });
    try {
      // Reading, de-identifying and rendering a CT slice takes the child far more than 5 ms to read, de-identify and render.
      const bytes = await readFile(join(PYDICOM, 'CT_small.dcm'));
      await expect(prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox })).rejects.toMatchObject({
        code: ErrorCode.ImageBudgetExceeded,
        message: expect.stringContaining('time budget'),
      });
    } finally {
      await sandbox.close();
    }
  });

  it('stops a child that has been idle for its idle time, and starts another for the next task', async () => {
    const sandbox = new ImagingSandbox({ ...DEFAULT_SANDBOX, idleMs: 300 });
    try {
      const bytes = await readFile(join(PYDICOM, 'CT_small.dcm'));
      expect((await prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox })).outcome).toBe('prepared');
      expect(sandbox.processes).toBe(1);
      await until('the idle child stopped', () => sandbox.processes === 0, 10_000);
      expect((await prepareAsset(bytes, { limits: DEFAULT_LIMITS, secret, sandbox })).outcome).toBe('prepared');
    } finally {
      await sandbox.close();
    }
  });

  it('fails what is still waiting when it is closed, and refuses new work', async () => {
    const sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
    await sandbox.close();
    await expect(prepareAsset(Buffer.from('x'), { limits: DEFAULT_LIMITS, secret, sandbox })).rejects.toMatchObject({ code: ErrorCode.ImageBudgetExceeded });
  });
});

describe('the viewer’s frames in the imaging sandbox', () => {
  // Four 64 × 64 frames of 16-bit JPEG 2000 (pydicom's lossless MR slice, repeated).
  const multiframe = () => j2kDicom(64, [64, 64, 64, 64], 'MRN-VIEW-1');
  /** An original as the routes give it, counting how often it is read (decrypted). */
  const source = (key: string, bytes: Buffer) => {
    const o = { key, bytes: bytes.length, reads: 0, read: async () => (o.reads++, bytes) };
    return o;
  };

  it('answers the facts and every frame as decoding in-process would, reading the original and sending it to a child once', async () => {
    const sandbox = new ImagingSandbox({ ...VIEWER_SANDBOX, processes: 1 });
    try {
      const bytes = await multiframe();
      const one = source('asset-1', bytes);
      const views = new InstanceViews(sandbox, DEFAULT_LIMITS);
      const info = await views.info(one);
      const instance = readInstance(bytes, DEFAULT_LIMITS);
      expect(info.facts.frames).toBe(4);
      for (let index = 0; index < info.facts.frames; index++) {
        const local = await framePixels(instance, info.facts.transferSyntax ?? '', index);
        const remote = await views.frame(one, index);
        expect(remote.kind).toBe('grey');
        if (remote.kind !== 'grey' || local.kind !== 'grey') continue;
        expect(Buffer.compare(remote.data, local.data)).toBe(0);
      }
      // The child still holds it: the next question goes without the file, and is answered.
      let holds: boolean | undefined;
      const answer = await sandbox.runHeld('view', 'asset-1', bytes.length, (held) => {
        holds = held;
        return { key: 'asset-1', limits: DEFAULT_LIMITS, op: 'frame', index: 2 };
      });
      expect(holds).toBe(true);
      expect(answer.op).toBe('frame');
      expect(one.reads).toBe(1);
      // Another image replaces it in the one child: the first is read and sent again when asked about.
      await views.info(source('asset-2', await readFile(join(PYDICOM, 'CT_small.dcm'))));
      expect((await views.frame(one, 3)).kind).toBe('grey');
      expect(one.reads).toBe(2);
      await expect(views.frame(one, 4)).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    } finally {
      await sandbox.close();
    }
  });

  it('stops a frame past its time budget with a typed error, and answers the next', async () => {
    let budget = { timeMs: 5, memoryBytes: 1024 * 1024 * 1024 };
    const sandbox = new ImagingSandbox({ processes: 1, pollMs: 10, budget: () => budget });
    try {
      const bytes = await multiframe();
      const views = new InstanceViews(sandbox, DEFAULT_LIMITS);
      const one = source('asset-1', bytes);
      await expect(views.frame(one, 0)).rejects.toMatchObject({ code: ErrorCode.ImageBudgetExceeded, message: expect.stringContaining('time budget') });
      budget = { timeMs: 60_000, memoryBytes: 1024 * 1024 * 1024 };
      // The killed child held nothing: its successor is sent the file.
      expect((await views.frame(one, 0)).kind).toBe('grey');
    } finally {
      await sandbox.close();
    }
  });
});
