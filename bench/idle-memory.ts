// Resident memory of `npm start` when idle, on its embedded defaults (PGlite
// in the process, the demo on): the command package.json's start script runs,
// as compiled by this bench run (dist-bench/src instead of dist/, the same
// sources), in a child process with an empty environment but for a temporary
// LOUPE_DATA_DIR and a free PORT. Measured after the first start (initdb and
// migrations), after a restart on the same folder, and after one photo is
// dropped through the demo (which starts an imaging sandbox child), each once
// /readyz answers, a few requests were served and 10 s passed.
//
// The figure is the whole process tree's proportional set size (Pss, from
// /proc/PID/smaps_rollup): the main process and its sandbox children share
// the node binary's pages, which RSS would count once per process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makePhoto } from './photos.js';
import { errorText, figure, reportLine } from './lib.js';

const SETTLE_MS = 10_000;
const TARGET_MB = 300;
const MB = 1_000_000;

interface ProcessMemory {
  pid: number;
  command: string;
  pss: number;
  rss: number;
}

/** The start script's command, pointed at this run's compiled sources. */
async function startCommand(): Promise<string[]> {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return args.map((a) => a.replace(/^dist\//, 'dist-bench/src/'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function kiB(file: string, field: string): Promise<number> {
  const text = await readFile(file, 'latin1');
  const value = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
  return value === undefined ? 0 : Number(value) * 1024;
}

/** The process and every descendant, from /proc's parent links. */
async function tree(root: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'latin1').catch(() => '');
    // The command name (field 2) may hold spaces: fields after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(entry), ppid);
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, ppid] of parents) if (ppid === found[i]) found.push(pid);
  return found;
}

async function memory(root: number): Promise<ProcessMemory[]> {
  const out: ProcessMemory[] = [];
  for (const pid of await tree(root)) {
    try {
      const command = (await readFile(`/proc/${pid}/cmdline`, 'latin1')).split('\0').filter(Boolean).map((a) => a.replace(/^.*\//, '')).join(' ');
      out.push({ pid, command, pss: await kiB(`/proc/${pid}/smaps_rollup`, 'Pss'), rss: await kiB(`/proc/${pid}/status`, 'VmRSS') });
    } catch {
      // gone between the listing and the read
    }
  }
  return out;
}

class Server {
  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
  ) {}

  static async start(dataDir: string): Promise<Server> {
    const port = await freePort();
    // Nothing from the calling shell (DATABASE_URL, chat credentials): the embedded defaults.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), LOUPE_DATA_DIR: dataDir, PORT: String(port) };
    const child = spawn(process.execPath, await startCommand(), { cwd: process.cwd(), env, stdio: ['ignore', 'ignore', 'inherit'] });
    const server = new Server(child, `http://127.0.0.1:${port}`);
    // initdb alone takes minutes on a busy 2-core machine.
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`loupe serve exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('loupe serve was not ready within 600 s');
      const ready = await fetch(`${server.base}/readyz`).then((r) => r.ok, () => false);
      if (ready) return server;
      await sleep(250);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  async get(path: string): Promise<unknown> {
    const res = await fetch(`${this.base}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** What a visitor's first minute asks for: the demo page, its state, the probes. */
async function browse(server: Server): Promise<void> {
  for (const path of ['/healthz', '/readyz', '/demo', '/demo/demo.js', '/demo/api/state?user=U0CLIN0001', '/demo/teams', '/metrics']) await server.get(path);
}

/** Drops a photo into #wound-consult as a clinician and waits for Loupe's card in its thread. */
async function uploadPhoto(server: Server, photo: Buffer): Promise<void> {
  const res = await fetch(`${server.base}/demo/api/upload?user=U0CLIN0001&channel=C0WOUNDS01&name=wound.jpg`, { method: 'POST', body: photo });
  const { ts } = (await res.json()) as { ts: string };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const state = (await server.get('/demo/api/state?user=U0CLIN0001')) as { messages: { threadTs?: string; blocks: unknown[] }[] };
    if (state.messages.some((m) => m.threadTs === ts && m.blocks.length > 0)) return;
    await sleep(250);
  }
  throw new Error('no card within 120 s');
}

async function idleFigure(server: Server, label: string): Promise<number> {
  await sleep(SETTLE_MS);
  const processes = await memory(server.pid);
  const total = processes.reduce((sum, p) => sum + p.pss, 0);
  const parts = processes.map((p) => `${p.command.includes('child.js') ? 'sandbox child' : 'main'} ${(p.pss / MB).toFixed(0)} (RSS ${(p.rss / MB).toFixed(0)})`);
  figure(label, `${(total / MB).toFixed(0)} MB Pss: ${parts.join(', ')}`);
  return total;
}

const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-idle-'));
let server: Server | undefined;
try {
  const dataDir = join(dir, 'data');
  console.log(`idle memory: ${(await startCommand()).join(' ')} on a fresh LOUPE_DATA_DIR, settled ${SETTLE_MS / 1000} s after a few requests`);
  server = await Server.start(dataDir);
  await browse(server);
  const first = await idleFigure(server, 'first start');
  await server.stop();

  server = await Server.start(dataDir);
  await browse(server);
  const restart = await idleFigure(server, 'restart');
  const photoPath = join(dir, 'phone.jpg');
  await makePhoto(photoPath, 94);
  await uploadPhoto(server, await readFile(photoPath));
  const used = await idleFigure(server, 'after one photo upload');
  await server.stop();
  server = undefined;

  const worst = Math.max(first, restart);
  reportLine({
    name: 'npm start resident memory when idle (embedded)',
    figure: `${(worst / MB).toFixed(0)} MB (first start ${(first / MB).toFixed(0)}, restart ${(restart / MB).toFixed(0)}; Pss of the process tree)`,
    target: `< ${TARGET_MB} MB`,
    pass: worst < TARGET_MB * MB,
  });
  reportLine({ name: 'npm start resident memory, idle after one photo upload (embedded)', figure: `${(used / MB).toFixed(0)} MB`, target: 'reported', pass: null });
} catch (error) {
  console.error(`idle-memory: ${errorText(error)}`);
  process.exitCode = 1;
} finally {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
