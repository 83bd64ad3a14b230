// De-identifies a DICOM file on disk with memory bounded by its header: the
// header is read and rewritten, the Pixel Data element is streamed from the
// input to the output untouched. The output appears atomically or not at all.
import { createReadStream, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import { checkBytes, type ImagingLimits } from '../limits.js';
import type { DeidentifyOptions, DeidentifyReport, Deidentifier } from './deidentify.js';
import { extractFacts, type DicomFacts } from './extract.js';
import type { DicomDict } from './dcmjs.js';
import { layoutOf, type ByteSource } from './layout.js';
import { explicitPixelHeader, parsePart10, part10Prefix, readInstance, writeDicom, writeInstance } from './parse.js';

export interface DicomFileResult {
  report: DeidentifyReport;
  facts: DicomFacts;
  droppedTrailing: number;
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
    // The file as if it were Part 10: the prefix, then the file's own bytes.
    const fd = handle.fd;
    const source: ByteSource = {
      length: prefix.length + size,
      read(at, n) {
        const out = Buffer.alloc(n);
        let filled = 0;
        if (at < prefix.length) filled = prefix.copy(out, 0, at, Math.min(prefix.length, at + n));
        if (filled < n) readSync(fd, out, filled, n - filled, at + filled - prefix.length);
        return out;
      },
    };
    const layout = layoutOf(source);
    const run = (dicom: DicomDict) => ({ facts: extractFacts(dicom), report: deidentifier.deidentify(dicom, o) });
    if (!layout.pixelData) {
      // No pixel data to stream (or a deflated file dcmjs must inflate): the in-memory path.
      const instance = readInstance(await handle.readFile(), o.limits);
      const result = run(instance.dicom);
      await writeFileAtomic(output, writeInstance(instance));
      return { ...result, droppedTrailing: instance.droppedTrailing };
    }
    const dicom = parsePart10(source.read(0, layout.pixelData.start));
    const { facts, report } = run(dicom);
    let header = writeDicom(dicom, layout.pixelData.start);
    // An implicit VR dataset under an explicit VR syntax is written explicit: its Pixel Data element gets the explicit header.
    const skip = layout.implicitDataset ? 8 : 0;
    if (skip) header = Buffer.concat([header, explicitPixelHeader(source.read(layout.pixelData.start, 8))]);
    const pixels = createReadStream('', {
      fd: handle,
      autoClose: false,
      start: layout.pixelData.start + skip - prefix.length,
      end: layout.pixelData.end - prefix.length - 1,
      highWaterMark: 1024 * 1024,
    });
    await writeFileAtomic(output, Readable.from(concat(header, pixels)));
    return { report, facts, droppedTrailing: layout.trailing };
  } finally {
    await handle.close();
  }
}

async function* concat(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}
