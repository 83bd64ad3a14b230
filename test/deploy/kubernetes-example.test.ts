// The deployment example in deploy/ is documentation a hospital copies: it
// must name only variables Loupe reads, start with a configuration Loupe
// accepts, probe the endpoints Loupe answers, and give shutdown the time
// Loupe's own timeout needs.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { KeyRing } from '../../src/crypto/keyring.js';

interface Doc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template: {
      spec: {
        terminationGracePeriodSeconds?: number;
        containers: {
          args: string[];
          readinessProbe?: { httpGet: { path: string } };
          livenessProbe?: { httpGet: { path: string } };
          lifecycle?: { preStop?: { sleep?: { seconds: number } } };
        }[];
      };
    };
  };
}

describe('the Kubernetes example (deploy/kubernetes.yaml)', () => {
  it('names only variables Loupe reads, in a configuration Loupe accepts, with probes and shutdown time that fit', async () => {
    const text = await readFile('deploy/kubernetes.yaml', 'utf8');
    const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
    const config = docs.find((d) => d.kind === 'ConfigMap')!.data!;
    // The secret's variables are named in the comment that creates it.
    const secret = [...text.matchAll(/--from-(?:literal|file)=([A-Z0-9_]+)=/g)].map((m) => m[1]!);
    expect(secret).toEqual(expect.arrayContaining(['DATABASE_URL', 'LOUPE_KEYS', 'LOUPE_S3_SECRET_ACCESS_KEY']));
    for (const name of [...Object.keys(config), ...secret]) expect(CONFIG_VARIABLES).toContain(name);

    const env = {
      ...config,
      DATABASE_URL: 'postgresql://loupe@postgres.internal:5432/loupe',
      LOUPE_KEYS: JSON.stringify(KeyRing.generateFile(new Date())),
      LOUPE_S3_ACCESS_KEY_ID: 'AKID',
      LOUPE_S3_SECRET_ACCESS_KEY: 'secret',
      SLACK_SIGNING_SECRET: 'a-signing-secret-of-32-characters',
      SLACK_BOT_TOKEN: 'xoxb-1',
      OIDC_CLIENT_SECRET: 'secret',
      // What the image sets (Containerfile).
      HOST: '0.0.0.0',
      LOUPE_DEMO: 'off',
    };
    const loaded = loadConfig(env);
    expect(loaded.blobStore.kind).toBe('s3');
    expect(loaded.embedded).toBe(false);
    expect(loaded.demo).toBe(false);

    const deployment = docs.find((d) => d.kind === 'Deployment')!.spec!.template.spec;
    const container = deployment.containers[0]!;
    expect(container.args).toEqual(['serve']);
    expect(container.readinessProbe!.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe!.httpGet.path).toBe('/healthz');
    const drain = container.lifecycle!.preStop!.sleep!.seconds;
    const pod = deployment as { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } };
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(deployment.terminationGracePeriodSeconds!).toBeGreaterThan(drain + loaded.shutdownTimeoutMs / 1000);
    expect(docs.find((d) => d.kind === 'Job')!.spec!.template.spec.containers[0]!.args).toEqual(['migrate']);
  });

  it('is what the image runs: the Containerfile starts `loupe serve` from the compiled CLI as a non-root user', async () => {
    const file = await readFile('Containerfile', 'utf8');
    expect(file).toMatch(/^FROM node:24-bookworm-slim$/m);
    expect(file).toMatch(/^ENTRYPOINT \["node", "dist\/cli\/index\.js"\]$/m);
    expect(file).toMatch(/^CMD \["serve"\]$/m);
    // Numeric, or Kubernetes cannot tell runAsNonRoot holds and refuses to start the container.
    const user = /^USER (\d+):(\d+)$/m.exec(file);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(file).toContain(`--uid ${user?.[1]}`);
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { bin: { loupe: string } };
    expect(pkg.bin.loupe).toBe('dist/cli/index.js');
  });
});
