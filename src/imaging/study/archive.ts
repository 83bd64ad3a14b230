// A zip archive of DICOM files (a zipped series, a CD export with DICOMDIR)
// read entry by entry, in memory, never onto disk. Everything that could make
// unpacking dangerous is judged from the central directory before a byte is
// inflated: how many entries, what they unpack to, how far they claim to
// compress, entries that overlap (the zip bombs that reuse one compressed
// stream), encrypted entries and names that reach outside the archive. An
// entry's actual size is held to what it declared while it is inflated
// (yauzl's validateEntrySizes). Entry names are never kept or shown: a CD's
// folders are often named after the patient.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { ImagingLimits } from '../limits.js';

export interface ArchiveLimits {
  maxEntries: number;
  /** What every entry together may unpack to. */
  maxUnpackedBytes: number;
  /** Unpacked over packed, for an entry of more than a MiB and for the whole archive. */
  maxRatio: number;
}

/**
 * Ten thousand entries and 4 GiB unpacked hold the largest studies a consult
 * shares (a 2,000-slice CT angiogram is about 1 GiB); DICOM deflates to a
 * third or a tenth, while a zip bomb claims a thousandfold.
 */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 10_000, maxUnpackedBytes: 4 * 1024 ** 3, maxRatio: 100 };

const MiB = 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The four bytes every zip archive starts with (a local file header). */
export const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export interface OpenArchive {
  zip: yauzl.ZipFile;
  /** The file entries, in the archive's order (directories and links left out). */
  files: yauzl.Entry[];
}

const unsafe = (code: ErrorCode, message: string) => new LoupeError(code, message);

/** yauzl's refusals, by what they are about; its messages quote entry names, which are never passed on. */
function archiveError(error: unknown): LoupeError {
  if (error instanceof LoupeError) return error;
  const message = error instanceof Error ? error.message : '';
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(message)) {
    return unsafe(ErrorCode.ArchiveUnsafeName, 'an entry of the archive is named outside it');
  }
  if (/too many|exceeds|is greater than|overflow/i.test(message)) return unsafe(ErrorCode.ArchiveTooLarge, 'an entry unpacks to more than it declared');
  return unsafe(ErrorCode.ImageCorrupt, 'the archive is damaged or incomplete');
}

/** Reads the central directory, refusing an archive that breaks a limit or names an entry outside itself. */
export async function openArchive(bytes: Buffer, limits: ArchiveLimits, imaging: ImagingLimits): Promise<OpenArchive> {
  let zip: yauzl.ZipFile;
  try {
    // Not strict: a backslash (older Windows tools) is read as a slash, and the name then checked like any other.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false });
  } catch (error) {
    throw archiveError(error);
  }
  if (zip.entryCount > limits.maxEntries) throw unsafe(ErrorCode.ArchiveTooLarge, `the archive has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`);
  const files: yauzl.Entry[] = [];
  let unpacked = 0;
  let packed = 0;
  try {
    for await (const entry of entriesOf(zip)) {
      if (entry.fileName.endsWith('/') || ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) continue;
      checkEntry(entry, limits, imaging);
      unpacked += entry.uncompressedSize;
      packed += entry.compressedSize;
      if (unpacked > limits.maxUnpackedBytes) throw unsafe(ErrorCode.ArchiveTooLarge, `the archive unpacks to more than ${limits.maxUnpackedBytes} bytes`);
      if (packed > bytes.length) throw unsafe(ErrorCode.ArchiveTooLarge, 'the archive’s entries claim more than it holds');
      files.push(entry);
    }
  } catch (error) {
    zip.close();
    throw archiveError(error);
  }
  refuseOverlaps(files);
  if (unpacked > MiB && unpacked > limits.maxRatio * bytes.length) {
    throw unsafe(ErrorCode.ArchiveTooLarge, `the archive claims to unpack to more than ${limits.maxRatio} times its size`);
  }
  return { zip, files };
}

/** The local header before an entry's data: 30 bytes and its name, at the least. */
const LOCAL_HEADER = 30;

/**
 * Entries that share compressed bytes (the zip bombs that point many entries
 * at one stream, each inflating it again): in the order they lie in the
 * archive, each must end before the next begins.
 */
function refuseOverlaps(files: yauzl.Entry[]): void {
  const laid = [...files].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < laid.length; i++) {
    const before = laid[i - 1]!;
    if (laid[i]!.relativeOffsetOfLocalHeader < before.relativeOffsetOfLocalHeader + LOCAL_HEADER + before.fileNameLength + before.compressedSize) {
      throw unsafe(ErrorCode.ArchiveTooLarge, 'the archive’s entries overlap');
    }
  }
}

function checkEntry(entry: yauzl.Entry, limits: ArchiveLimits, imaging: ImagingLimits): void {
  if (entry.isEncrypted()) throw unsafe(ErrorCode.ArchiveEncrypted, 'an entry of the archive is encrypted');
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw unsafe(ErrorCode.ImageUnsupported, `an entry of the archive is compressed by method ${entry.compressionMethod}, which Loupe does not read`);
  }
  if (entry.uncompressedSize > imaging.maxBytes) throw unsafe(ErrorCode.ArchiveTooLarge, `an entry unpacks to ${entry.uncompressedSize} bytes; the limit is ${imaging.maxBytes}`);
  if (entry.uncompressedSize > MiB && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
    throw unsafe(ErrorCode.ArchiveTooLarge, `an entry claims to unpack to more than ${limits.maxRatio} times its size`);
  }
}

/** An entry's bytes, held to its declared size while it inflates. */
export async function readEntry(archive: OpenArchive, entry: yauzl.Entry): Promise<Buffer> {
  let stream: Readable;
  try {
    stream = await archive.zip.openReadStreamPromise(entry);
  } catch (error) {
    throw archiveError(error);
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (error) {
    throw archiveError(error);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

/** A zip's entries one at a time (lazyEntries), ending at its end or its first error. */
export async function* entriesOf(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  for (;;) {
    const next = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
      const onEnd = () => (cleanup(), resolve(undefined));
      const onError = (e: Error) => (cleanup(), reject(e));
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!next) return;
    yield next;
  }
}

// The formats an archive inside an archive comes in: refused, not unpacked in turn.
const NESTED: { at: number; magic: number[] }[] = [
  { at: 0, magic: [0x50, 0x4b, 0x03, 0x04] }, // zip
  { at: 0, magic: [0x50, 0x4b, 0x05, 0x06] }, // empty zip
  { at: 0, magic: [0x1f, 0x8b] }, // gzip
  { at: 0, magic: [0x42, 0x5a, 0x68] }, // bzip2
  { at: 0, magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] }, // xz
  { at: 0, magic: [0x28, 0xb5, 0x2f, 0xfd] }, // zstd
  { at: 0, magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] }, // 7z
  { at: 0, magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] }, // rar
  { at: 257, magic: [0x75, 0x73, 0x74, 0x61, 0x72] }, // tar ("ustar")
];

/** Whether an entry's first bytes are another archive's. */
export const isNestedArchive = (head: Uint8Array): boolean => NESTED.some(({ at, magic }) => magic.every((v, i) => head[at + i] === v));
