// The viewer page's window/level against the server's rendering: for the same
// frame, window and VOI function, the grey the page draws from the samples the
// server sends it (src/web/viewer/client/window-level.ts) is the grey of the
// server's preview (src/imaging/dicom/render.ts), within one level.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/imaging/dicom/extract.js';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { readInstance, type DicomInstance } from '../../src/imaging/dicom/parse.js';
import { renderPreview } from '../../src/imaging/dicom/render.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { dragWindow, frameSamples, fullRange, greyLevels, presetWindow, type VoiWindow } from '../../src/web/viewer/client/window-level.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

interface Header {
  window?: VoiWindow;
  voiFunction?: string;
  photometric?: string;
  rescale?: { slope: number; intercept: number };
}

async function instanceOf(name: string, h: Header = {}): Promise<DicomInstance> {
  const instance = readInstance(await readFile(join(PYDICOM, name)), DEFAULT_LIMITS);
  const dict = instance.dicom.dict;
  if (h.window) {
    dict['00281050'] = { vr: 'DS', Value: [h.window.center] };
    dict['00281051'] = { vr: 'DS', Value: [h.window.width] };
  }
  if (h.voiFunction) dict['00281056'] = { vr: 'CS', Value: [h.voiFunction] };
  if (h.photometric) dict['00280004'] = { vr: 'CS', Value: [h.photometric] };
  if (h.rescale) {
    dict['00281053'] = { vr: 'DS', Value: [h.rescale.slope] };
    dict['00281052'] = { vr: 'DS', Value: [h.rescale.intercept] };
  }
  return instance;
}

/** The server's preview of a frame, one grey level a pixel, at full size. */
async function serverGrey(instance: DicomInstance, frame = 0): Promise<Uint8Array> {
  const preview = await renderPreview(instance, extractFacts(instance.dicom).transferSyntax!, 4096, frame);
  if (!preview.available) throw new Error(preview.reason);
  const { data, info } = await sharp(preview.data).raw().toBuffer({ resolveWithObject: true });
  return Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]!);
}

/** What the page draws: the frame as the server sends it to the browser, through the page's arithmetic. */
async function pageGrey(instance: DicomInstance, window: VoiWindow | 'full range', frame = 0): Promise<Uint8Array> {
  const f = await framePixels(instance, extractFacts(instance.dicom).transferSyntax!, frame);
  if (f.kind !== 'grey') throw new Error(`expected greyscale, got ${f.kind}`);
  // The response body as the browser's fetch hands it over: an ArrayBuffer of its own.
  const body = f.data.buffer.slice(f.data.byteOffset, f.data.byteOffset + f.data.byteLength) as ArrayBuffer;
  const samples = frameSamples(body, f.encoding);
  expect(samples.length).toBe(f.rows * f.columns);
  return greyLevels(samples, f, presetWindow(window === 'full range' ? fullRange(samples, f) : window));
}

/**
 * The page's rendering equals the server's, or within `tolerance` levels; and
 * the image uses more than `minLevels` grey levels (a blank one proves nothing).
 */
async function expectAsServer(instance: DicomInstance, window: VoiWindow | 'full range', o: { frame?: number; tolerance?: number; minLevels?: number } = {}): Promise<void> {
  const page = await pageGrey(instance, window, o.frame);
  const server = await serverGrey(instance, o.frame);
  expect(page.length).toBe(server.length);
  let maxDiff = 0;
  for (let i = 0; i < page.length; i++) maxDiff = Math.max(maxDiff, Math.abs(page[i]! - server[i]!));
  expect(maxDiff).toBeLessThanOrEqual(o.tolerance ?? 0);
  expect(new Set(server).size).toBeGreaterThan(o.minLevels ?? 20);
}

const CT_WINDOWS: [string, VoiWindow][] = [
  ['soft tissue', { center: 40, width: 400 }],
  ['lung', { center: -600, width: 1500 }],
  ['brain', { center: 40, width: 80 }],
];

describe('window/level in the page, against the server’s rendering', () => {
  describe.each(['LINEAR', 'LINEAR_EXACT', 'SIGMOID'])('%s', (voiFunction) => {
    it.each(CT_WINDOWS)('draws the signed, rescaled CT at the %s window as the server does', async (_name, window) => {
      await expectAsServer(await instanceOf('CT_small.dcm', { window, voiFunction }), window);
    });

    it('draws MONOCHROME1 inverted as the server does', async () => {
      const window = { center: 600, width: 1600 };
      const instance = await instanceOf('MR_small.dcm', { window, voiFunction, photometric: 'MONOCHROME1' });
      await expectAsServer(instance, window);
      const page = await pageGrey(instance, window);
      // Inverted: the same pixels as MONOCHROME2, light for dark.
      const normal = await pageGrey(await instanceOf('MR_small.dcm', { window, voiFunction }), window);
      expect(page.every((y, i) => y === 255 - normal[i]!)).toBe(true);
    });
  });

  it('applies a rescale slope and intercept to the stored values as the server does', async () => {
    const window = { center: 100, width: 900 };
    await expectAsServer(await instanceOf('CT_small.dcm', { window, rescale: { slope: 2.5, intercept: -2000 } }), window);
  });

  it('draws 12-bit unsigned data (bits stored below bits allocated) from a compressed file as the server does', async () => {
    const window = { center: 100, width: 200 };
    const instance = await instanceOf('JPGExtended.dcm', { window });
    const f = await framePixels(instance, extractFacts(instance.dicom).transferSyntax!, 0);
    expect(f.kind === 'grey' && [f.encoding, f.bitsStored]).toEqual(['uint16', 12]);
    await expectAsServer(instance, window);
  });

  it('draws 32-bit dose values, sent as floats, within one level of the server', async () => {
    const window = { center: 1_030_000, width: 400_000 };
    await expectAsServer(await instanceOf('rtdose.dcm', { window }), window, { frame: 5, tolerance: 1 });
  });

  it('offers the data’s full range, drawn within one level of the server’s preview of a file with no window', async () => {
    const instance = await instanceOf('CT_small.dcm');
    expect(instance.dicom.dict['00281050']).toBeUndefined();
    await expectAsServer(instance, 'full range', { tolerance: 1, minLevels: 100 });
  });
});

describe('window/level arithmetic in the page', () => {
  it('reads a frame body as the encoding the server names, little-endian', () => {
    const bytes = Buffer.alloc(12);
    bytes.writeInt16LE(-1024, 0);
    bytes.writeUInt16LE(4095, 2);
    bytes.writeFloatLE(1.5, 4);
    const body = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 12) as ArrayBuffer;
    expect(frameSamples(body, 'int16')[0]).toBe(-1024);
    expect(frameSamples(body, 'uint16')[1]).toBe(4095);
    expect(frameSamples(body.slice(4, 8), 'float32')[0]).toBe(1.5);
  });

  it('uses float samples as they are: rescale is only for stored values', () => {
    const format = { slope: 2, intercept: -100, invert: false, voiFunction: 'LINEAR' };
    const window = { center: 100, width: 201 };
    expect(Array.from(greyLevels([100], { ...format, encoding: 'uint16' }, window))).toEqual([128]);
    expect(Array.from(greyLevels([100], { ...format, encoding: 'float32' }, window))).toEqual([128]);
    expect(Array.from(greyLevels([50], { ...format, encoding: 'int16' }, window))).toEqual([1]);
    expect(Array.from(greyLevels([50], { ...format, encoding: 'float32' }, window))).toEqual([64]);
  });

  it('spans the full range of modality values, at least one unit wide', () => {
    const format = { encoding: 'int16' as const, slope: 1, intercept: -1024 };
    expect(fullRange(Int16Array.from([0, 2048, 1024]), format)).toEqual({ name: 'Full range', center: 0, width: 2048 });
    expect(fullRange(Int16Array.from([7, 7]), format).width).toBe(1);
    expect(presetWindow({ center: 3, width: 0 })).toEqual({ center: 3, width: 1 });
  });

  it('widens the window with a sideways drag and moves the level with a vertical one, faster for wide windows', () => {
    expect(dragWindow({ center: 40, width: 80 }, 10, 0)).toEqual({ center: 40, width: 90 });
    expect(dragWindow({ center: 40, width: 80 }, 0, 10)).toEqual({ center: 50, width: 80 });
    expect(dragWindow({ center: -600, width: 1500 }, 10, 0).width).toBe(1575);
    expect(dragWindow({ center: 0, width: 4000 }, 0, -10).center).toBe(-100);
    expect(dragWindow({ center: 0, width: 5 }, -50, 0).width).toBe(1);
  });
});
