// A compressed frame must be the size its DICOM header gives: a few bytes of
// frame header claiming more pixels are refused before a decoder allocates
// them (10000 × 10000 took the JPEG 2000 decoder ten seconds and a gigabyte).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { j2kFrameSize, jpegFrameSize } from '../../src/imaging/dicom/frame-size.js';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { j2kDicom } from '../support/j2k-frames.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

describe('the size a compressed frame claims', () => {
  it('is read from a JPEG 2000 codestream and a JPEG-LS frame header as the decoders would', async () => {
    const j2k = readInstance(await readFile(join(PYDICOM, 'MR_small_jp2klossless.dcm')), DEFAULT_LIMITS);
    const jls = readInstance(await readFile(join(PYDICOM, 'MR_small_jpeg_ls_lossless.dcm')), DEFAULT_LIMITS);
    const frame = (px: Buffer, marker: string) => px.subarray(px.indexOf(Buffer.from(marker, 'hex')));
    expect(j2kFrameSize(frame(j2k.pixelData!, 'ff4fff51'))).toEqual({ rows: 64, columns: 64 });
    expect(jpegFrameSize(frame(jls.pixelData!, 'ffd8'))).toEqual({ rows: 64, columns: 64 });
    expect(jpegFrameSize(Buffer.from('not a jpeg'))).toBeUndefined();
    expect(j2kFrameSize(Buffer.from('ff4f', 'hex'))).toBeUndefined();
  });

  it('refuses, at once and with a typed error, a JPEG 2000 frame claiming more than the header', async () => {
    const instance = readInstance(await j2kDicom(64, [64, 10_000], 'MRN-SIZE-1'), DEFAULT_LIMITS);
    const syntax = '1.2.840.10008.1.2.4.90';
    expect(await framePixels(instance, syntax, 0)).toMatchObject({ kind: 'grey', rows: 64, columns: 64 });
    await expect(framePixels(instance, syntax, 1)).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt });
  });

  it('refuses a JPEG-LS frame that does not say its size before its scan', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'MR_small_jpeg_ls_lossless.dcm')), DEFAULT_LIMITS);
    const px = instance.pixelData!;
    // The frame header's marker overwritten with a comment marker (COM): the scan now comes first.
    px.writeUInt16BE(0xfffe, px.indexOf(Buffer.from('fff7', 'hex')));
    await expect(framePixels(instance, '1.2.840.10008.1.2.4.80', 0)).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt });
  });

  it('refuses a JPEG-LS frame whose header claims another width than the image', async () => {
    const instance = readInstance(await readFile(join(PYDICOM, 'MR_small_jpeg_ls_lossless.dcm')), DEFAULT_LIMITS);
    const px = instance.pixelData!;
    const sof = px.indexOf(Buffer.from('fff7', 'hex'));
    // SOF55: length (2), precision (1), height (2), width (2).
    px.writeUInt16BE(20_000, sof + 7);
    await expect(framePixels(instance, '1.2.840.10008.1.2.4.80', 0)).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt });
  });
});
