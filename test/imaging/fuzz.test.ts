// CI's share of `npm run fuzz`: a short budget of mutated DICOM, JPEG, PNG and
// HEIC files through the sandboxed prepare path, which must end with no crash,
// no hang, no memory past the limit and no untyped error.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('survives 40 seconds of mutated real files with exit 0 and nothing saved as a failure', async () => {
  const out = await mkdtemp(join(tmpdir(), 'loupe-fuzz-test-'));
  try {
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/fuzz.ts', '--seconds', '40', '--case-ms', '15000', '--out', out], {
      encoding: 'utf8',
      timeout: 150_000,
    }).catch((error: { code?: number; stdout?: string }) => ({ stdout: `${error.stdout ?? ''}\nexit ${error.code}` }));
    expect(run.stdout).toMatch(/^fuzz: seed \d+/m);
    const summary = /fuzz: (\d+) cases: .* (\d+) failed;/.exec(run.stdout);
    expect(summary, run.stdout).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(50);
    expect(Number(summary![2]), run.stdout).toBe(0);
    expect(await readdir(out)).toEqual([]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 180_000);
