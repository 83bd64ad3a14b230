// Builds the Teams app package (manifest.json, color.png, outline.png at the
// zip root) from manifests/teams/, and validates the manifest against the
// official schema that @microsoft/app-manifest bundles, never the network.
// Usage:
//   npm run teams:package -- --app-id <guid> --public-url https://loupe.hospital.example [--out dist/loupe-teams.zip] [--version 1.2.3]
// (or LOUPE_TEAMS_APP_ID / PUBLIC_URL in the environment)
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { ZipFile } from 'yazl';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const templateDir = join(root, 'manifests', 'teams');
const ICONS = ['color.png', 'outline.png'] as const;
const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
// Teams takes MAJOR.MINOR.PATCH only; schema 1.30 no longer checks it.
const APP_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
// The same URL with or without a locale (…/en-us/json-schemas/…), as Microsoft publishes both.
const TEAMS_SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/i;
// A fixed date makes the same inputs give the same bytes.
const ZIP_MTIME = new Date('2026-01-01T00:00:00Z');

export interface TeamsPackageOptions {
  appId: string;
  publicUrl: string;
  version?: string;
  out: string;
}

/** Fills the template and writes the zip; refuses a non-GUID app id, a non-https public URL and a version Teams would not take. */
export async function buildTeamsPackage(o: TeamsPackageOptions): Promise<{ path: string; manifest: object }> {
  if (!GUID.test(o.appId)) throw new Error('The app id must be a GUID (the Entra app registration\'s client id).');
  const url = publicUrl(o.publicUrl);
  const version = o.version ?? (await packageVersion());
  if (!APP_VERSION.test(version)) throw new Error('The app version must be MAJOR.MINOR.PATCH.');
  const values: Record<string, string> = {
    APP_ID: o.appId.toLowerCase(),
    DOMAIN: url.hostname,
    // Without a trailing slash, so that the template can append /privacy.
    PUBLIC_URL: url.href.replace(/\/+$/, ''),
    VERSION: version,
  };
  const manifest = fill(JSON.parse(await readFile(join(templateDir, 'manifest.json'), 'utf8')), values) as object;
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 'manifest.json', { mtime: ZIP_MTIME });
  for (const icon of ICONS) zip.addBuffer(await readFile(join(templateDir, icon)), icon, { mtime: ZIP_MTIME });
  const path = resolve(o.out);
  await mkdir(dirname(path), { recursive: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  return { path, manifest };
}

/** The schema errors of a Teams manifest, empty when it is valid; loads only the bundled schemas. */
export async function validateTeamsManifest(manifest: unknown): Promise<string[]> {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return ['The manifest is not a JSON object.'];
  const m = manifest as { $schema?: unknown; manifestVersion?: unknown };
  const version = typeof m.$schema === 'string' ? TEAMS_SCHEMA_URL.exec(m.$schema)?.[1] : undefined;
  // Anything else would make the library download a schema: refuse it instead.
  if (!version) return ['$schema must be a Teams schema URL (https://developer.microsoft.com/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json).'];
  if (m.manifestVersion !== version) return [`manifestVersion must be ${version}, the version $schema names.`];
  const schema = await bundledSchema(version);
  if (!schema) return [`@microsoft/app-manifest bundles no schema for manifest version ${version}.`];
  type Validate = typeof AppManifestUtils.validateAgainstSchema;
  return AppManifestUtils.validateAgainstSchema(manifest as Parameters<Validate>[0], schema as Parameters<Validate>[1]);
}

async function bundledSchema(version: string): Promise<object | undefined> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
  const file = join(packageDir, 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json');
  const raw = await readFile(file, 'utf8').catch(() => undefined);
  // Some published schemas hold \a and \v escapes that JSON lacks (the library cleans them the same way).
  return raw === undefined ? undefined : JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b'));
}

function publicUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('The public URL is not a URL.');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error('The public URL must be https (http only for localhost).');
  }
  if (url.username || url.password || url.search || url.hash) throw new Error('The public URL must have no credentials, query or fragment.');
  return url;
}

// Placeholders are replaced inside parsed strings, so a value can never change the JSON's shape.
function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`The Teams manifest template has an unknown placeholder ${whole}.`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

async function packageVersion(): Promise<string> {
  return (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'app-id': { type: 'string' },
      'public-url': { type: 'string' },
      out: { type: 'string', default: 'dist/loupe-teams.zip' },
      version: { type: 'string' },
    },
  });
  const appId = values['app-id'] ?? process.env['LOUPE_TEAMS_APP_ID'];
  const url = values['public-url'] ?? process.env['PUBLIC_URL'];
  if (!appId || !url) {
    console.error('Usage: npm run teams:package -- --app-id <guid> --public-url https://loupe.hospital.example [--out dist/loupe-teams.zip]');
    return 2;
  }
  const built = await buildTeamsPackage({ appId, publicUrl: url, out: values.out, ...(values.version ? { version: values.version } : {}) });
  const errors = await validateTeamsManifest(built.manifest);
  if (errors.length) {
    // An invalid package must not be left where an admin could upload it.
    await rm(built.path, { force: true });
    console.error(`The Teams manifest does not validate:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    return 1;
  }
  console.log(built.path);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
