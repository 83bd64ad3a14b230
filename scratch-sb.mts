import { studySlices, zipOf } from './test/support/study-archive.ts';
import { ImagingSandbox, DEFAULT_SANDBOX } from './src/imaging/sandbox/sandbox.ts';
import { DEFAULT_LIMITS } from './src/imaging/limits.ts';
import { DEFAULT_ARCHIVE_LIMITS } from './src/imaging/study/archive.ts';
const slices = await studySlices({ patient: { name: 'A^B', identifier: 'X' }, series: [300], size: { rows: 512, columns: 512 } });
const zip = await zipOf(slices);
const sb = new ImagingSandbox(DEFAULT_SANDBOX);
const base = { key: 'k', limits: DEFAULT_LIMITS, archiveLimits: DEFAULT_ARCHIVE_LIMITS, secret: new Uint8Array(32) };
const ask = (op: any) => sb.runHeld('study', 'k', zip.length, (holds) => ({ ...base, ...op, ...(holds ? {} : { file: zip }) }));
let t = performance.now();
const list: any = await ask({ op: 'list' });
console.log('list', Math.round(performance.now() - t));
t = performance.now();
let sent = 0;
for (let i = 0; i < list.entries; i++) { const t0 = performance.now(); await ask({ op: 'entry', index: i }); sent += performance.now() - t0; }
console.log('entries', Math.round(performance.now() - t), 'per entry', Math.round(sent / list.entries));
await sb.close();
