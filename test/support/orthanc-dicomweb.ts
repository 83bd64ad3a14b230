// A throw-away PACS for export tests: Debian's Orthanc with its DICOMweb
// plugin, on a free loopback HTTP port, its storage and index in a temporary
// folder, no DICOM listener, and HTTP basic authentication with a random user
// and password. Everything else is as Orthanc ships.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface OrthancDicomWeb {
  /** http://127.0.0.1:port */
  url: string;
  /** url + '/dicom-web' */
  dicomWebRoot: string;
  user: string;
  password: string;
  /** GET on Orthanc's REST API with the user's credentials: status and JSON body. */
  get(path: string): Promise<{ status: number; json: unknown }>;
  /** Stops this Orthanc (its own process) and removes its folder. */
  stop(): Promise<void>;
}

/** The plugin's path, as the Debian package installed it. */
function dicomWebPlugin(): string {
  const files = execFileSync('dpkg', ['-L', 'orthanc-dicomweb'], { encoding: 'utf8' }).split('\n');
  const plugin = files.find((f) => f.startsWith('/usr/share/orthanc/plugins/') && f.endsWith('.so')) ?? files.find((f) => /libOrthancDicomWeb\.so/.test(f));
  if (!plugin) throw new Error('orthanc-dicomweb is installed without its plugin');
  return plugin;
}

export async function startOrthancDicomWeb(): Promise<OrthancDicomWeb> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-orthanc-'));
  const port = await freePort();
  const user = `u${randomBytes(6).toString('hex')}`;
  const password = randomBytes(16).toString('hex');
  const config = {
    Name: 'loupe-test',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    TemporaryDirectory: join(dir, 'tmp'),
    Plugins: [dicomWebPlugin()],
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  const path = join(dir, 'orthanc.json');
  await writeFile(path, JSON.stringify(config));
  const log: string[] = [];
  const child = spawn('Orthanc', [path], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    log.splice(0, Math.max(0, log.length - 20));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const get = async (p: string) => {
    const r = await fetch(`${url}${p}`, { headers: { authorization } });
    const body = await r.text();
    return { status: r.status, json: body ? (JSON.parse(body) as unknown) : undefined };
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when the DICOMweb plugin answers too, not only Orthanc's core.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Orthanc exited on start: ${log.slice(-5).join(' | ')}`);
    }
    const ready = await fetch(`${url}/dicom-web/studies?limit=1`, { headers: { authorization, accept: 'application/dicom+json' } }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc with DICOMweb did not answer within 60 s: ${log.slice(-5).join(' | ')}`);
    }
    await sleep(100);
  }
  return { url, dicomWebRoot: `${url}/dicom-web`, user, password, get, stop };
}
