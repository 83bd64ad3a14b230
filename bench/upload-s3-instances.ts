// Upload-to-card latency and throughput in the deployment several instances
// make (test/deploy/two-instances.e2e.test.ts): Loupe on PostgreSQL with its
// blob bodies in an S3-compatible store (Debian's Swift with s3api on
// loopback, test/support/swift-s3.ts), one `loupe serve`-like process per
// instance (loupe-process.ts, configured from its environment), the Slack
// stand-in's events sent through a balancer that alternates requests between
// the instances (test/support/round-robin.ts). The same bursts as
// slack-upload, with one instance and then with two (each on a fresh schema
// and key prefix), the balancer in front of both so that the instance count
// is the only difference. The floor is not measured here (it writes to a
// folder); each burst prints instead the CPU seconds each process spent on
// it, per upload, and how busy the machine's cores were.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SlackStandIn } from '../src/demo/slack/index.js';
import { startRoundRobin } from '../test/support/round-robin.js';
import { clientConfig, startSwiftS3, type S3Server } from '../test/support/swift-s3.js';
import { figure, machineCpuSeconds, measureUploadToCard, now, onBothDatabases, treeCpuSeconds, uploadBursts } from './lib.js';
import { SIGNING_SECRET, forkLoupe, slackChat, type LoupeChild } from './slack-burst.js';

const BUCKET = 'loupe-bench';

/** CPU seconds so far of each instance (with its imaging children), of Swift's processes, of this process (the stand-in and the balancer) and of the whole machine. */
function cpuNow(instances: LoupeChild[], swift: S3Server): { instances: number[]; swift: number; bench: number; machine: number } {
  const own = process.cpuUsage();
  return {
    instances: instances.map((i) => treeCpuSeconds(i.child.pid!)),
    swift: swift.pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0),
    bench: (own.user + own.system) / 1e6,
    machine: machineCpuSeconds(),
  };
}

/** Prints what a burst cost: CPU seconds per upload in each process, and the cores' use over its wall time. */
function watchCosts(instances: LoupeChild[], swift: S3Server): (concurrent: number) => (uploads: number) => void {
  return (concurrent) => {
    const before = cpuNow(instances, swift);
    const started = now();
    return (uploads) => {
      const after = cpuNow(instances, swift);
      const wall = (now() - started) / 1000;
      const each = after.instances.map((s, i) => (s - before.instances[i]!) / uploads);
      const loupe = each.reduce((a, b) => a + b, 0);
      const split = each.length > 1 ? ` (${each.map((s, i) => `instance ${i + 1} ${s.toFixed(3)}`).join(', ')})` : '';
      figure(
        `${concurrent} at once: CPU s per upload`,
        `Loupe ${loupe.toFixed(3)}${split}, Swift ${((after.swift - before.swift) / uploads).toFixed(3)}, stand-in and balancer ${((after.bench - before.bench) / uploads).toFixed(3)}`,
      );
      figure(`${concurrent} at once: cores busy`, `${((after.machine - before.machine) / wall).toFixed(2)} of 2 on average over ${wall.toFixed(1)} s (every process: Loupe, PostgreSQL, Swift, the bench, others)`);
    };
  };
}

async function run(count: number, swift: S3Server, label: string, photo: Buffer, env: NodeJS.ProcessEnv): Promise<void> {
  const slack = await SlackStandIn.start({ signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench', adminUserToken: 'xoxp-bench' });
  const instances: LoupeChild[] = [];
  const balancer = await startRoundRobin(() => instances.map((i) => i.ready.port));
  try {
    // What the instances share, as a deployment's settings give it: the database and keys (env), the store, Slack.
    const shared: NodeJS.ProcessEnv = {
      ...env,
      LOUPE_BLOB_STORE: 's3',
      LOUPE_S3_ENDPOINT: swift.endpoint,
      LOUPE_S3_REGION: swift.region,
      LOUPE_S3_BUCKET: BUCKET,
      LOUPE_S3_PREFIX: `instances-${count}/`,
      LOUPE_S3_ACCESS_KEY_ID: swift.accessKeyId,
      LOUPE_S3_SECRET_ACCESS_KEY: swift.secretAccessKey,
      LOUPE_S3_FORCE_PATH_STYLE: 'true',
      PUBLIC_URL: balancer.url,
    };
    // One after the other: each sets up the bench workspace as it starts.
    for (let i = 1; i <= count; i++) instances.push(await forkLoupe(slack, { ...shared, LOUPE_DATA_DIR: `${env.LOUPE_DATA_DIR}-${i}` }));
    slack.setEventsUrl(`${balancer.url}/slack/events`);
    const { imagingJobs, otherJobs } = instances[0]!.ready;
    const engine = `PostgreSQL + S3, ${count} instance${count > 1 ? 's' : ''}`;
    console.log(`${label}, S3 store, ${count} instance${count > 1 ? 's' : ''}: ${imagingJobs} imaging jobs and ${otherJobs} other jobs at once in each, each in a process of its own, behind the balancer`);
    await measureUploadToCard(
      // The floor writes to a folder, not to the store: not this benchmark's.
      { ...slackChat(slack, photo, instances[0]!), floor: undefined, watch: watchCosts(instances, swift) },
      { engine, cardP95At50: 1.5 },
    );
    figure('Slack events served', [...balancer.served.values()].map((paths, i) => `instance ${i + 1} ${paths.filter((p) => p === '/slack/events').length}`).join(', '));
  } finally {
    for (const i of instances) await i.stop();
    await balancer.close();
    await slack.close();
  }
}

async function main(): Promise<void> {
  uploadBursts(); // refuses a bad BENCH_UPLOAD_BURSTS before anything starts
  const swift = await startSwiftS3();
  // Ctrl-C: exit through process.exit, so that startSwiftS3's exit handler takes Swift's processes down.
  const onSignal = (signal: NodeJS.Signals): void => process.exit(signal === 'SIGINT' ? 130 : 143);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const s3 = new S3Client(clientConfig(swift));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    } finally {
      s3.destroy();
    }
    console.log(`S3 store: Swift ${swift.endpoint} (s3api), bucket ${BUCKET}`);
    for (const count of [1, 2]) await onBothDatabases(`s3-${count}`, (label, photo, env) => run(count, swift, label, photo, env), ['PostgreSQL']);
  } finally {
    await swift.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

try {
  await main();
} catch (error) {
  console.error('upload-s3-instances failed:', error);
  process.exitCode = 1;
}
