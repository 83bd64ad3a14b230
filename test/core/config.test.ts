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
    expect(c.blobDir).toBe(resolve('./data/blobs'));
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
