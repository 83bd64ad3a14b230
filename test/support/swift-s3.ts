// A real S3-compatible server on loopback for the S3 blob store's tests:
// OpenStack Swift from Debian (python3-swift, 2.30) with its s3api and
// tempauth middleware, the way a site runs it: account, container, object and
// proxy servers as separate processes, one device, one replica.
//
// What an S3 client needs against it (the product code sets this): Swift 2.30's
// s3api answers 501 NotImplemented ("Transfering payloads in multiple chunks
// using aws-chunked is not supported") to the aws-chunked body with a CRC32
// trailer that @aws-sdk/client-s3 ≥ 3.729 sends by default for a streamed body
// (PutObject of a stream). Buffered bodies, such as the S3 store's parts
// (src/storage/s3-multipart.ts), get through either way. So the client needs
//   requestChecksumCalculation: 'WHEN_REQUIRED'
// and, so as not to ask for checksums Swift never returns,
//   responseChecksumValidation: 'WHEN_REQUIRED'
// (not needed: GETs pass without it), plus forcePathStyle: true (no
// virtual-host buckets on 127.0.0.1).
//
// We run Swift's own Python entry points with Debian's /usr/bin/python3 (not
// whatever `python3` is first on PATH, which may lack Debian's modules), because
// swift.conf is otherwise only read from /etc/swift and each start needs its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { freePort } from './free-port.js';

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The processes it runs (memcached, account, container, object, proxy), for tests of stop(). */
  pids: number[];
  stop(): Promise<void>;
}

const PYTHON = '/usr/bin/python3';

// What /usr/bin/swift-*-server runs, after pointing Swift at our swift.conf.
// The proxy (the only one that reads rings at start) first builds the three
// rings, as swift-ring-builder create/add/rebalance would, in its own process:
// one Python start fewer on a busy machine.
const RUNNER = `import sys
swift_dir, conf, section = sys.argv[1:4]
if section == 'proxy-server':
    from swift.common.ring import RingBuilder
    for name, port in zip(('account', 'container', 'object'), sys.argv[4:7]):
        b = RingBuilder(6, 1, 1)  # part power 6, 1 replica, min_part_hours 1
        b.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port), 'device': 'd1', 'weight': 100})
        b.rebalance()
        b.get_ring().save('%s/%s.ring.gz' % (swift_dir, name))
from swift.common.utils import set_swift_dir
from swift.common.storage_policy import reload_storage_policies
from swift.common.wsgi import run_wsgi
from swift.obj import server as obj
set_swift_dir(swift_dir)
reload_storage_policies()
extra = {'global_conf_callback': obj.global_conf_callback} if section == 'object-server' else {}
sys.exit(run_wsgi(conf, section, verbose=True, **extra))
`;

// workers = 0: serve in the one process (no fork, no privilege drop to the
// `swift` user, who could not write our temp folder). Warnings and errors go to
// stderr (and, as Swift always does, to syslog: UDP to localhost:514 where
// there is no /dev/log, which nothing reads here).
function serverConf(dir: string, port: number, app: string, pipeline: string, extra = ''): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
swift_dir = ${dir}
devices = ${join(dir, 'srv')}
mount_check = false
log_level = WARNING

[pipeline:main]
pipeline = ${pipeline}

[app:${app}]
use = egg:swift#${app.replace('-server', '')}
${extra}
[filter:healthcheck]
use = egg:swift#healthcheck
`;
}

/** An S3 client of the server's, configured as Loupe's S3 store configures its own. */
export function clientConfig(server: Pick<S3Server, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>): S3ClientConfig {
  return {
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    // Swift 2.30 refuses the SDK's default aws-chunked CRC32 trailers (see above).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

export async function startSwiftS3(): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-swift-'));
  const children: ChildProcess[] = [];
  const hex = () => randomBytes(6).toString('hex');
  const account = `a${hex()}`;
  const user = `u${hex()}`;
  const key = randomBytes(24).toString('hex');
  const [memcachePort, accountPort, containerPort, objectPort, proxyPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];

  // Detached children outlive a test process that crashes: take them down with it.
  const killAll = () => {
    children.forEach((c) => signalGroup(c, 'SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    await Promise.all(children.map(killGroup));
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // The device is a plain folder (mount_check off); Swift keeps metadata in
    // user xattrs there, which /tmp (ext4 here) supports.
    await mkdir(join(dir, 'srv', 'd1'), { recursive: true });
    const suffix = randomBytes(16).toString('hex');
    const prefix = randomBytes(16).toString('hex');
    await writeFile(join(dir, 'swift.conf'), `[swift-hash]\nswift_hash_path_suffix = ${suffix}\nswift_hash_path_prefix = ${prefix}\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n`);
    await writeFile(join(dir, 'run.py'), RUNNER);
    await writeFile(join(dir, 'account-server.conf'), serverConf(dir, accountPort, 'account-server', 'healthcheck account-server'));
    await writeFile(join(dir, 'container-server.conf'), serverConf(dir, containerPort, 'container-server', 'healthcheck container-server'));
    await writeFile(join(dir, 'object-server.conf'), serverConf(dir, objectPort, 'object-server', 'healthcheck object-server'));
    // s3api before tempauth (s3api checks the order); slo after them, since
    // s3api completes a multipart upload as a static large object.
    await writeFile(
      join(dir, 'proxy-server.conf'),
      serverConf(
        dir,
        proxyPort,
        'proxy-server',
        'catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server',
        'account_autocreate = true\n',
      ) +
        `
[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_${account}_${user} = ${key} .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
`,
    );

    // A child that exits before we are ready fails the start with its stderr.
    let died!: (e: Error) => void;
    const dead = new Promise<never>((_, reject) => (died = reject));
    const launch = (name: string, cmd: string, args: string[]) => {
      // Its own process group, so stop() takes down anything it forks too.
      const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
      child.once('exit', (code, signal) => died(new Error(`${name} exited (${code ?? signal}) during start:\n${err}`)));
    };
    const serve = (name: string, ...args: string[]) => launch(name, PYTHON, [join(dir, 'run.py'), dir, join(dir, `${name}.conf`), name, ...args]);

    // tempauth keeps its tokens in memcached and refuses every request without it.
    launch('memcached', '/usr/bin/memcached', ['-l', '127.0.0.1', '-p', String(memcachePort), '-U', '0', '-m', '16', '-u', userInfo().username]);
    for (const name of ['account-server', 'container-server', 'object-server']) serve(name);
    serve('proxy-server', String(accountPort), String(containerPort), String(objectPort));

    const endpoint = `http://127.0.0.1:${proxyPort}`;
    const accessKeyId = `${account}:${user}`;
    const ready = (async () => {
      await poll('memcached', () => canConnect(memcachePort));
      for (const port of [accountPort, containerPort, objectPort, proxyPort]) {
        await poll(`swift on port ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/healthcheck`)).ok);
      }
      // End to end through s3api, tempauth and the account server.
      const client = new S3Client(clientConfig({ endpoint, region: 'us-east-1', accessKeyId, secretAccessKey: key }));
      try {
        await client.send(new ListBucketsCommand({}));
      } finally {
        client.destroy();
      }
    })();
    // The race's loser (stop()'s own kills, a probe cut short) must not go unhandled.
    for (const p of [ready, dead]) p.catch(() => {});
    await Promise.race([ready, dead]);
    return { endpoint, region: 'us-east-1', accessKeyId, secretAccessKey: key, pids: children.map((c) => c.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Retries the probe (connection refused counts as not yet) until it holds, up to 30 s. */
async function poll(what: string, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

/** SIGTERM to the child's process group, SIGKILL if it lingers; resolves once it has exited. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
