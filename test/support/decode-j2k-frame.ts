// Run as its own process by the sandbox-output test: decodes the first frame
// of pydicom's JPEG 2000 slice, in a sandbox child (`sandbox`) or in this
// process (`in-process`), then prints one JSON line saying what it got. What
// else reaches this process's standard output is what a server's log would
// get mixed into it.
import { readFile } from 'node:fs/promises';
import { framePixels } from '../../src/imaging/dicom/frame-pixels.js';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { ImagingSandbox, VIEWER_SANDBOX } from '../../src/imaging/sandbox/sandbox.js';
import { InstanceViews } from '../../src/web/viewer/instance-views.js';

const MR_J2K = '/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small_jp2klossless.dcm';
const file = await readFile(MR_J2K);
if (process.argv[2] === 'in-process') {
  const instance = readInstance(file, DEFAULT_LIMITS);
  const syntax = String((instance.dicom.meta['00020010'] as { Value: string[] }).Value[0]);
  const frame = await framePixels(instance, syntax, 0);
  process.stdout.write(`${JSON.stringify({ kind: frame.kind })}\n`);
} else {
  const sandbox = new ImagingSandbox(VIEWER_SANDBOX);
  try {
    const frame = await new InstanceViews(sandbox, DEFAULT_LIMITS).frame({ key: 'j2k', bytes: file.length, read: async () => file }, 0);
    process.stdout.write(`${JSON.stringify({ kind: frame.kind })}\n`);
  } finally {
    await sandbox.close();
  }
}
