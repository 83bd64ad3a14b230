// De-identifies a DICOM file on disk with memory bounded by its header: the
// header is read and rewritten, the Pixel Data element is copied from the
// input to the output untouched, through two reused buffers. The output
// appears atomically or not at all.
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { writeFileAtomicWith } from '../../storage/atomic-file.js';
import { checkBytes, type ImagingLimits } from '../limits.js';
import type { DeidentifyOptions, DeidentifyReport, Deidentifier } from './deidentify.js';
import { extractFacts, type DicomFacts } from './extract.js';
import type { DicomDict } from './dcmjs.js';
import { copyRange } from './copy-range.js';
import { layoutOf, type ByteSource } from './layout.js';
import { explicitPixelHeader, parsePart10, part10Prefix, readInstance, writeDicom, writeInstanceParts } from './parse.js';

export interface DicomFileResult {
  report: DeidentifyReport;
  facts: DicomFacts;
  droppedTrailing: number;
}

/** Header reads are many and small: served from one window of the file, read ahead. */
const WINDOW = 64 * 1024;

/** The file as if it were Part 10: the prefix, then the file's own bytes. */
function part10Source(fd: number, prefix: Buffer, size: number): ByteSource {
  const length = prefix.length + size;
  const direct = (at: number, n: number) => {
    const out = Buffer.alloc(n);
    let filled = 0;
    if (at < prefix.length) filled = prefix.copy(out, 0, at, Math.min(prefix.length, at + n));
    if (filled < n) readSync(fd, out, filled, n - filled, at + filled - prefix.length);
    return out;
  };
  let window = Buffer.alloc(0);
  let windowAt = 0;
  return {
    length,
    read(at, n) {
      if (at >= windowAt && at + n <= windowAt + window.length) return window.subarray(at - windowAt, at - windowAt + n);
      if (n > WINDOW) return direct(at, n);
      window = direct(at, Math.max(n, Math.min(WINDOW, length - at)));
      windowAt = at;
      return window.subarray(0, n);
    },
  };
}

async function writeParts(out: FileHandle, parts: Buffer[]): Promise<number> {
  let at = 0;
  for (const part of parts) {
    for (let done = 0; done < part.length; ) done += (await out.write(part, done, part.length - done, at + done)).bytesWritten;
    at += part.length;
  }
  return at;
}

export async function deidentifyDicomFile(
  input: string,
  output: string,
  deidentifier: Deidentifier,
  o: DeidentifyOptions & { limits: ImagingLimits },
): Promise<DicomFileResult> {
  const handle = await open(input, 'r');
  try {
    const size = (await handle.stat()).size;
    checkBytes(o.limits, size);
    const head = Buffer.alloc(Math.min(size, 4096));
    await handle.read(head, 0, head.length, 0);
    const prefix = part10Prefix(head);
    const source = part10Source(handle.fd, prefix, size);
    const layout = layoutOf(source);
    const run = (dicom: DicomDict) => ({ facts: extractFacts(dicom), report: deidentifier.deidentify(dicom, o) });
    if (!layout.pixelData) {
      // No pixel data to stream (or a deflated file dcmjs must inflate): the in-memory path.
      const instance = readInstance(await handle.readFile(), o.limits);
      const result = run(instance.dicom);
      await writeFileAtomicWith(output, (out) => writeParts(out, writeInstanceParts(instance)).then(() => undefined));
      return { ...result, droppedTrailing: instance.droppedTrailing };
    }
    const pixelData = layout.pixelData;
    const dicom = parsePart10(source.read(0, pixelData.start));
    const { facts, report } = run(dicom);
    const header = [writeDicom(dicom, pixelData.start)];
    // An implicit VR dataset under an explicit VR syntax is written explicit: its Pixel Data element gets the explicit header.
    const skip = layout.implicitDataset ? 8 : 0;
    if (skip) header.push(explicitPixelHeader(source.read(pixelData.start, 8)));
    // The header, then the Pixel Data element copied from the input file to the output file as it is.
    await writeFileAtomicWith(output, async (out) => {
      const at = await writeParts(out, header);
      await copyRange(handle, pixelData.start + skip - prefix.length, pixelData.end - prefix.length, out, at);
    });
    return { report, facts, droppedTrailing: layout.trailing };
  } finally {
    await handle.close();
  }
}
