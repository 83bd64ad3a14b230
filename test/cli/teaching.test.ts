// `loupe teaching revoke`: the operator ends a teaching share's link, audited
// by the command line; an unknown id changes nothing and fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { openServices } from '../../src/main.js';
import { cli } from '../support/cli.js';
import { testEngines } from '../support/engines.js';
import { createInstanceEnv, type InstanceEnv } from '../support/instance.js';

const silent = createLogger('silent');

describe.each(testEngines())('loupe teaching revoke on %s', (engine) => {
  let inst: InstanceEnv;
  let shareId: string;
  const withServices = async <T>(work: (s: Awaited<ReturnType<typeof openServices>>) => Promise<T>): Promise<T> => {
    const services = await openServices(loadConfig(inst.env), silent);
    try {
      return await work(services);
    } finally {
      await services.close();
    }
  };
  beforeAll(async () => {
    inst = await createInstanceEnv(engine);
    shareId = await withServices(async ({ storage }) => {
      const workspaceId = (await storage.workspaces.ensure('slack', 'T-TEACH', 'Ward', { type: 'system', id: 'test' })).id;
      const share = await storage.db.prisma.teachingShare.create({
        data: { workspaceId, assetId: '00000000-0000-4000-8000-000000000001', cardId: '00000000-0000-4000-8000-000000000002', tokenHash: 'h'.repeat(64), createdBy: 'U-TEACHER', expiresAt: new Date(Date.now() + 86_400_000) },
      });
      return share.id;
    });
  });
  afterAll(async () => inst.cleanup());

  it('revokes the share, once, and audits it as the command line', async () => {
    const run = await cli(inst.env, 'teaching', 'revoke', shareId);
    expect(run.status, run.err).toBe(0);
    expect(run.out).toBe(`revoked teaching share ${shareId}`);
    expect((await cli(inst.env, 'teaching', 'revoke', shareId)).out).toBe(`teaching share ${shareId} was already revoked`);
    await withServices(async ({ storage }) => {
      expect((await storage.db.prisma.teachingShare.findUniqueOrThrow({ where: { id: shareId } })).revokedAt).not.toBeNull();
      const events = await storage.db.prisma.auditEvent.findMany({ where: { action: 'teaching_share.revoked' } });
      expect(events.map((e) => [e.outcome, e.actorType, e.actorId])).toEqual([['success', 'admin', 'cli']]);
    });
  });

  it('fails on an unknown share and changes nothing', async () => {
    const run = await cli(inst.env, 'teaching', 'revoke', '00000000-0000-4000-8000-0000000000ff');
    expect(run.status).not.toBe(0);
    expect(run.err).toMatch(/no such teaching share/);
  });
});
