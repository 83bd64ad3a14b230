// Whether a zip upload is a study archive Loupe takes out of the chat, judged
// at intake from a glance: a DICOMDIR among its first entries, or DICOM in the
// first bytes of one of its first files. Bounded work on the server's own
// event loop (a few KiB inflated from a few dozen entries); the archive's
// limits and names are judged later, in the imaging sandbox, so an archive of
// DICOM with a hostile entry is still taken out of the chat and refused
// there with its reason. Anything unreadable here is not a study archive.
import yauzl from 'yauzl';
import { SNIFF_BYTES, sniff } from '../sniff.js';
import { isZip, readEntry } from './archive.js';

const ENTRIES_LOOKED_AT = 64;
const FILES_READ = 32;

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
    for await (const entry of entries(zip)) {
      if (++looked > ENTRIES_LOOKED_AT) return false;
      const name = (entry.fileName as unknown as Buffer).toString('latin1');
      if (/(^|\/)DICOMDIR$/i.test(name)) return true;
      if (name.endsWith('/') || entry.uncompressedSize === 0 || entry.isEncrypted() || read >= FILES_READ) continue;
      read++;
      const head = await readEntry({ zip, files: [] }, entry, SNIFF_BYTES).catch(() => undefined);
      if (head && sniff(head).family === 'dicom') return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    zip.close();
  }
}

/** The archive's entries one at a time (lazyEntries), ending at its end or its first error. */
async function* entries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
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
