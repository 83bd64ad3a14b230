// Whether a zip upload is a study archive Loupe takes out of the chat, judged
// at intake from a glance: a DICOMDIR among its entries' names, or DICOM in
// the first bytes of one of its first files. Bounded work on the server's own
// event loop (at most 4 KiB of compressed bytes inflated from each of a few
// dozen entries, read straight from the upload; the names of at most the
// archive limit's entries, which inflate nothing); the archive's
// limits and names are judged later, in the imaging sandbox, so an archive of
// DICOM with a hostile entry is still taken out of the chat and refused
// there with its reason. Anything unreadable here is not a study archive.
import { constants, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { SNIFF_BYTES, sniff } from '../sniff.js';
import { DEFAULT_ARCHIVE_LIMITS, entriesOf, isZip } from './archive.js';

const FILES_READ = 32;
/** Compressed bytes inflated for a file's first bytes: deflate's 1:1032 at most makes this at most 4 MiB. */
const HEAD_COMPRESSED = 4096;

export async function archiveHoldsDicom(bytes: Buffer): Promise<boolean> {
  if (!isZip(bytes)) return false;
  let zip: yauzl.ZipFile;
  try {
    // Names undecoded: their checks are the sandbox's, and a bad one must not hide the DICOM beside it.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  } catch {
    return false;
  }
  try {
    let looked = 0;
    let read = 0;
    for await (const entry of entriesOf(zip)) {
      if (++looked > DEFAULT_ARCHIVE_LIMITS.maxEntries) return false;
      const name = (entry.fileName as unknown as Buffer).toString('latin1');
      if (/(^|[/\\])DICOMDIR$/i.test(name)) return true;
      if (name.endsWith('/') || entry.uncompressedSize === 0 || entry.isEncrypted() || read >= FILES_READ) continue;
      read++;
      const head = headOf(bytes, entry);
      if (head && sniff(head).family === 'dicom') return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    zip.close();
  }
}

/** A file's first bytes, from its local header and at most HEAD_COMPRESSED of its data (yauzl's stream would copy its whole compressed range at once). */
function headOf(bytes: Buffer, entry: yauzl.Entry): Buffer | undefined {
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== 0x04034b50) return undefined;
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const data = bytes.subarray(start, Math.min(bytes.length, start + Math.min(entry.compressedSize, HEAD_COMPRESSED)));
  if (entry.compressionMethod === 0) return data.subarray(0, SNIFF_BYTES);
  if (entry.compressionMethod !== 8) return undefined;
  try {
    // A part of a stream: flushed as far as it goes rather than refused for ending early.
    return inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, SNIFF_BYTES);
  } catch {
    return undefined;
  }
}
