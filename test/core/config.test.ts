import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isLoupeError } from '../../src/core/errors.js';

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(isLoupeError(error, 'LOUPE_CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('has embedded defaults that need no set-up', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.publicUrl.href).toBe('http://localhost:3000/');
    expect(c.dataDir).toBe(resolve('./data'));
    expect(c.embedded).toBe(true);
    expect(c.keys).toEqual({ source: 'file', path: resolve('./data/keys.json') });
    expect(c.blobStore).toEqual({ kind: 'folder', dir: resolve('./data/blobs') });
  });

  it('takes an S3-compatible blob store, and says what is missing or not meant together', () => {
    const s3 = { LOUPE_BLOB_STORE: 's3', LOUPE_S3_BUCKET: 'loupe-blobs', LOUPE_S3_REGION: 'eu-west-1' };
    expect(loadConfig(s3).blobStore).toEqual({ kind: 's3', endpoint: undefined, region: 'eu-west-1', bucket: 'loupe-blobs', prefix: '', credentials: undefined, forcePathStyle: false });
    const own = loadConfig({
      ...s3,
      LOUPE_S3_ENDPOINT: 'https://objects.hospital.example',
      LOUPE_S3_PREFIX: 'loupe/blobs/',
      LOUPE_S3_ACCESS_KEY_ID: 'AKID',
      LOUPE_S3_SECRET_ACCESS_KEY: 'secret-key',
      LOUPE_S3_FORCE_PATH_STYLE: 'true',
    }).blobStore;
    expect(own).toMatchObject({ endpoint: 'https://objects.hospital.example', prefix: 'loupe/blobs/', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret-key' }, forcePathStyle: true });
    expect(configError({ LOUPE_BLOB_STORE: 's3' })).toContain('LOUPE_S3_BUCKET: required when LOUPE_BLOB_STORE is s3');
    expect(configError({ LOUPE_BLOB_STORE: 's3' })).toContain('LOUPE_S3_REGION: required');
    expect(configError({ ...s3, LOUPE_S3_ACCESS_KEY_ID: 'AKID' })).toContain('give both, or neither');
    expect(configError({ ...s3, LOUPE_BLOB_DIR: '/srv/blobs' })).toContain('LOUPE_BLOB_DIR');
    expect(configError({ ...s3, LOUPE_S3_PREFIX: '../up' })).toContain('LOUPE_S3_PREFIX');
    expect(configError({ ...s3, LOUPE_S3_BUCKET: 'Bad_Bucket' })).toContain('LOUPE_S3_BUCKET');
    expect(configError({ LOUPE_BLOB_STORE: 'tape' })).toContain('expected folder or s3');
    // The secret is never echoed.
    expect(configError({ ...s3, LOUPE_S3_SECRET_ACCESS_KEY: 'never-shown' })).not.toContain('never-shown');
  });

  it('has breach monitoring thresholds a hospital would start from, and refuses ones that could not work', () => {
    expect(loadConfig({}).alerts).toEqual({ sweepMs: 60_000, thresholds: { windowMs: 3_600_000, distinctPatients: 20, refusedViews: 5, failedSignIns: 10 } });
    expect(loadConfig({ LOUPE_ALERT_DISTINCT_PATIENTS: '50', LOUPE_ALERT_WINDOW_MINUTES: '30' }).alerts.thresholds).toMatchObject({ distinctPatients: 50, windowMs: 1_800_000 });
    expect(configError({ LOUPE_ALERT_DISTINCT_PATIENTS: '1' })).toContain('LOUPE_ALERT_DISTINCT_PATIENTS');
    expect(configError({ LOUPE_ALERT_SWEEP_SECONDS: 'often' })).toContain('LOUPE_ALERT_SWEEP_SECONDS');
  });

  it('points links and sign-in at the port Loupe listens on when PUBLIC_URL is unset', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl.href).toBe('http://localhost:8080/');
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0' }).publicUrl.href).toBe('http://localhost:8080/');
    expect(loadConfig({ PORT: '8080', HOST: '10.1.2.3' }).publicUrl.href).toBe('http://10.1.2.3:8080/');
    expect(loadConfig({ PORT: '8080', HOST: 'fd00::7' }).publicUrl.href).toBe('http://[fd00::7]:8080/');
    // The demo's sign-in is registered at the same place.
    const demo = { PORT: '8080', OIDC_ISSUER: 'http://localhost:8080/demo/idp', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' };
    expect(loadConfig(demo).oidc?.redirectUri.href).toBe('http://localhost:8080/auth/callback');
    // A given PUBLIC_URL wins: behind a proxy, users reach another address than the one listened on.
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://loupe.hospital.example' }).publicUrl.href).toBe('https://loupe.hospital.example/');
  });

  it('selects PostgreSQL and keys from the environment', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://db.internal/loupe', LOUPE_KEYS: '{"x":1}', PORT: '8080' });
    expect(c.embedded).toBe(false);
    expect(c.keys).toEqual({ source: 'env', json: '{"x":1}' });
    expect(c.port).toBe(8080);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '1.5' }, 'PORT'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://root@localhost/x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOUPE_WORKER_CONCURRENCY: '-1' }, 'LOUPE_WORKER_CONCURRENCY'],
  ])('stops on %j naming the variable', (env, name) => {
    expect(configError(env)).toMatch(new RegExp(`^  ${name}: `, 'm'));
  });

  it('never echoes the rejected value, which may be a secret', () => {
    const message = configError({ DATABASE_URL: 'mysql://admin:hunter2-secret@db/x' });
    expect(message).not.toContain('hunter2');
  });
});

describe('Slack configuration', () => {
  const slack = { SLACK_SIGNING_SECRET: 'a'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1-2-abc' };

  it('is off without credentials, and on Slack itself with them', () => {
    expect(loadConfig({}).slack).toBeUndefined();
    const c = loadConfig(slack).slack!;
    expect(c.apiUrl.href).toBe('https://slack.com/api/');
    expect(c.fileHosts).toEqual(['files.slack.com']);
    expect(c.adminUserToken).toBeUndefined();
    expect(c.socketMode).toBeUndefined();
  });

  it('downloads only from the host of a configured API URL (GovSlack, a local stand-in)', () => {
    const c = loadConfig({ ...slack, SLACK_API_URL: 'https://slack-gov.com/api/', SLACK_ADMIN_USERS: 'U1,U2' }).slack!;
    expect(c.fileHosts).toEqual(['slack-gov.com', 'files.slack-gov.com']);
    expect(c.adminUsers).toEqual(['U1', 'U2']);
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET: required'],
    [{ SLACK_SIGNING_SECRET: 'a'.repeat(32) }, 'SLACK_BOT_TOKEN: required'],
    [{ ...slack, SLACK_BOT_TOKEN: 'xoxp-user' }, 'SLACK_BOT_TOKEN: expected a bot token'],
    [{ ...slack, SLACK_ADMIN_USER_TOKEN: 'xoxb-bot' }, "SLACK_ADMIN_USER_TOKEN: expected a workspace admin's user token"],
    [{ ...slack, SLACK_SOCKET_MODE: 'true' }, 'SLACK_APP_TOKEN: required when SLACK_SOCKET_MODE is true'],
    [{ ...slack, SLACK_API_URL: 'ftp://slack.example/api/' }, 'SLACK_API_URL'],
  ])('refuses %o naming the variable, never its value', (env, message) => {
    const text = configError(env);
    expect(text).toContain(message);
    for (const value of Object.values(env)) if (value.length > 8) expect(text).not.toContain(value);
  });
});

describe('Teams configuration', () => {
  const teams = { LOUPE_TEAMS_APP_ID: '4d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d', LOUPE_TEAMS_TENANT_ID: '0F7C5D1E-7A10-4C55-9B3E-000000000001', LOUPE_TEAMS_CLIENT_SECRET: 'a-client-secret-value' };

  it('is off without credentials, and on Microsoft’s public cloud with them', () => {
    expect(loadConfig({}).teams).toBeUndefined();
    const c = loadConfig(teams).teams!;
    expect(c.tenantId).toBe('0f7c5d1e-7a10-4c55-9b3e-000000000001');
    expect(c.loginUrl.href).toBe('https://login.microsoftonline.com/');
    expect(c.openIdMetadataUrl.href).toBe('https://login.botframework.com/v1/.well-known/openidconfiguration');
    expect(c.tokenIssuer).toBe('https://api.botframework.com');
    expect(c.graphUrl.href).toBe('https://graph.microsoft.com/v1.0');
    expect(c.serviceUrlHosts).toEqual(['smba.trafficmanager.net']);
    expect(c.fileHosts).toEqual(['.sharepoint.com']);
    expect(c.removal).toBe('policy_violation');
    expect(c.credential).toEqual({ kind: 'secret', secret: 'a-client-secret-value' });
    // Teams configured: no demo, even on the embedded database.
    expect(loadConfig(teams).demo).toBe(false);
  });

  it('takes a sovereign cloud’s endpoints, hosts and admins from configuration', () => {
    const c = loadConfig({
      ...teams,
      LOUPE_TEAMS_LOGIN_URL: 'https://login.microsoftonline.us',
      LOUPE_TEAMS_GRAPH_URL: 'https://graph.microsoft.us/v1.0',
      LOUPE_TEAMS_BOT_SCOPE: 'https://api.botframework.us/.default',
      LOUPE_TEAMS_SERVICE_URL_HOSTS: 'smba.infra.gov.teams.microsoft.us',
      LOUPE_TEAMS_FILE_HOSTS: 'hospital.sharepoint.us,hospital-my.sharepoint.us',
      LOUPE_TEAMS_ADMINS: '6F1A0C1E-0004-4A5B-9C01-000000000004',
      LOUPE_TEAMS_REMOVAL: 'ask',
    }).teams!;
    expect([c.loginUrl.host, c.graphUrl.host, c.botScope]).toEqual(['login.microsoftonline.us', 'graph.microsoft.us', 'https://api.botframework.us/.default']);
    expect(c.fileHosts).toEqual(['hospital.sharepoint.us', 'hospital-my.sharepoint.us']);
    expect(c.adminObjectIds).toEqual(['6f1a0c1e-0004-4a5b-9c01-000000000004']);
    expect(c.removal).toBe('ask');
  });

  it.each([
    [{ LOUPE_TEAMS_CLIENT_SECRET: 'a-client-secret-value' }, 'LOUPE_TEAMS_APP_ID: required'],
    [{ ...teams, LOUPE_TEAMS_TENANT_ID: undefined }, 'LOUPE_TEAMS_TENANT_ID: required'],
    [{ ...teams, LOUPE_TEAMS_CLIENT_SECRET: undefined }, 'LOUPE_TEAMS_CLIENT_SECRET: required, unless LOUPE_TEAMS_CERTIFICATE_FILE'],
    [{ ...teams, LOUPE_TEAMS_CERTIFICATE_FILE: '/etc/loupe/teams.pem' }, 'give a client secret or a certificate, not both'],
    [{ ...teams, LOUPE_TEAMS_APP_ID: 'loupe-bot' }, "LOUPE_TEAMS_APP_ID: expected the bot's app id"],
    [{ ...teams, LOUPE_TEAMS_SERVICE_URL_HOSTS: 'https://smba.trafficmanager.net/amer/' }, 'LOUPE_TEAMS_SERVICE_URL_HOSTS: expected host names'],
    [{ ...teams, LOUPE_TEAMS_REMOVAL: 'delete' }, 'LOUPE_TEAMS_REMOVAL: expected policy_violation or ask'],
  ])('refuses %o naming the variable, never its value', (env, message) => {
    const text = configError(env as NodeJS.ProcessEnv);
    expect(text).toContain(message);
    expect(text).not.toContain('a-client-secret-value');
  });
});
