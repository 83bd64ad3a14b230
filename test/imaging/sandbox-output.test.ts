// Third-party decoders write to standard output (OpenJPEG prints "[INFO]"
// lines for every codestream it reads). A server's standard output is its
// JSON log, so decoding happens in sandbox children whose output goes
// nowhere: the log never carries a line that is not JSON.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(mode: 'sandbox' | 'in-process'): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/decode-j2k-frame.ts', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('a decoder’s own output', () => {
  it('is printed by OpenJPEG when it decodes in the process itself', async () => {
    const r = await run('in-process');
    expect(r.code).toBe(0);
    expect(r.out).toContain('[INFO]');
  });

  it('never reaches the server’s standard output from the imaging sandbox', async () => {
    const r = await run('sandbox');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${JSON.stringify({ kind: 'grey' })}\n`);
  });
});
