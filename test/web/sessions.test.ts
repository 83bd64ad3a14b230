// Viewer sessions: the cookie value is never stored, an idle session locks,
// a session ends at its absolute lifetime however busy, and sign-out ends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { ViewerSessions } from '../../src/storage/viewer-sessions.js';
import { testEngines } from '../support/engines.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

describe.each(testEngines())('viewer sessions on %s', (engine) => {
  let s: TestStorage;
  let now = new Date('2026-11-22T09:00:00Z');
  const clock: Clock = { now: () => now };
  const later = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
  const identity = { issuer: 'https://idp.example', subject: 'sub-1', displayName: 'Dr Test', email: 'dr@hospital.example', acr: undefined, amr: ['pwd'], identityLinkId: undefined };

  beforeAll(async () => {
    s = await createTestStorage(engine);
  });
  afterAll(() => s?.cleanup());

  it('stores only a hash of the cookie, and locks after the idle timeout until the user signs in again', async () => {
    const sessions = new ViewerSessions(s.db, clock, { idleSeconds: 900, maxSeconds: 8 * 3600 });
    const { token } = await sessions.create(identity);
    expect(await s.db.prisma.viewerSession.count({ where: { tokenHash: token } })).toBe(0);
    later(899);
    expect((await sessions.resolve(token)).state).toBe('active');
    // Each use restarts the idle clock.
    later(899);
    expect((await sessions.resolve(token)).state).toBe('active');
    later(901);
    expect((await sessions.resolve(token)).state).toBe('locked');
    expect((await sessions.resolve('not-a-session')).state).toBe('none');
  });

  it('says when it will lock, and a look at it (the page’s status poll) is not use', async () => {
    const sessions = new ViewerSessions(s.db, clock, { idleSeconds: 60, maxSeconds: 3600 });
    const { token } = await sessions.create(identity);
    const opened = now.getTime();
    const locksAt = async (touch: boolean) => {
      const r = await sessions.resolve(token, touch);
      return r.state === 'active' ? r.idle.locksAt.getTime() : r.state;
    };
    later(30);
    expect(await locksAt(false)).toBe(opened + 60_000);
    // Use (a request, or the page reporting the user's activity) moves it.
    expect(await locksAt(true)).toBe(now.getTime() + 60_000);
    const used = now.getTime();
    later(60);
    expect(await locksAt(false)).toBe(used + 60_000);
    later(1);
    expect(await locksAt(false)).toBe('locked');
    // Once locked, activity cannot revive it.
    expect(await locksAt(true)).toBe('locked');
  });

  it('ends at its absolute lifetime however busy, and at sign-out', async () => {
    const sessions = new ViewerSessions(s.db, clock, { idleSeconds: 900, maxSeconds: 3600 });
    const { token } = await sessions.create(identity);
    for (let i = 0; i < 5; i++) {
      later(600);
      const state = (await sessions.resolve(token)).state;
      expect(state).toBe(i < 5 && (i + 1) * 600 < 3600 ? 'active' : 'expired');
    }
    later(600);
    expect((await sessions.resolve(token)).state).toBe('expired');
    const second = await sessions.create(identity);
    await sessions.end(second.token);
    expect((await sessions.resolve(second.token)).state).toBe('none');
  });
});
