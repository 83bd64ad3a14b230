// A throw-away Orthanc for the DICOM benchmark: started on loopback from a
// temporary configuration (its own storage and SQLite index in a temporary
// folder, no DICOM listener, HTTP with a user and a random password, no
// plugins), driven through its REST API, and stopped afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's package installs the server as `Orthanc` (in /usr/sbin). */
const BINARY = 'Orthanc';

export function orthancInstalled(): boolean {
  return spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class Orthanc {
  private constructor(
    private readonly child: ChildProcess,
    private readonly port: number,
    private readonly auth: string,
    private readonly dir: string,
    private readonly log: string[],
  ) {}

  /** Starts Orthanc with its files under `dir` (created, and removed by stop()). */
  static async start(dir: string): Promise<Orthanc> {
    await mkdir(join(dir, 'tmp'), { recursive: true });
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const config = {
      Name: 'loupe-bench',
      StorageDirectory: join(dir, 'storage'),
      IndexDirectory: join(dir, 'index'),
      TemporaryDirectory: join(dir, 'tmp'),
      Plugins: [],
      HttpPort: port,
      DicomServerEnabled: false,
      DicomPort: await freePort(),
      RemoteAccessAllowed: false,
      AuthenticationEnabled: true,
      RegisteredUsers: { bench: password },
      HttpCompressionEnabled: false,
      StorageCompression: false,
      OrthancExplorerEnabled: false,
      WebDavEnabled: false,
      SaveJobs: false,
      HttpTimeout: 600,
    };
    const path = join(dir, 'orthanc.json');
    await writeFile(path, JSON.stringify(config));
    const log: string[] = [];
    const child = spawn(BINARY, [path], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      log.push(...chunk.toString().split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - 20));
    });
    const server = new Orthanc(child, port, `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`, dir, log);
    for (let waited = 0; ; waited += 200) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited on start: ${log.slice(-5).join(' | ')}`);
      const up = await server.call('GET', '/system').then((r) => r.status === 200, () => false);
      if (up) return server;
      if (waited > 30_000) {
        await server.stop();
        throw new Error('Orthanc did not answer within 30 s');
      }
      await sleep(200);
    }
  }

  private call(method: string, path: string, body?: { stream: Readable; length: number } | string, sink?: string): Promise<{ status: number; text: string }> {
    const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    return new Promise((resolve, reject) => {
      const headers = { authorization: this.auth, 'content-length': String(length) };
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers }, (res) => {
        const status = res.statusCode ?? 0;
        if (sink && status === 200) {
          pipeline(res, createWriteStream(sink)).then(() => resolve({ status, text: '' }), reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body === undefined || typeof body === 'string') req.end(body);
      else body.stream.pipe(req);
    });
  }

  /** POST /instances: stores the file, returns its Orthanc id. */
  async upload(file: string): Promise<string> {
    const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
    const r = await this.call('POST', '/instances', { stream, length: (await stat(file)).size });
    if (r.status !== 200) throw new Error(`Orthanc refused the upload: HTTP ${r.status}`);
    return (JSON.parse(r.text) as { ID: string }).ID;
  }

  /** POST /instances/{id}/anonymize (its default profile, PS3.15 Table E.1-1 Basic), the answer written to `output`. */
  async anonymize(id: string, output: string): Promise<number> {
    const r = await this.call('POST', `/instances/${id}/anonymize`, '{}', output);
    if (r.status !== 200) throw new Error(`Orthanc could not anonymize: HTTP ${r.status}`);
    return (await stat(output)).size;
  }

  /** Stops this Orthanc (its own process only) and removes its files. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
