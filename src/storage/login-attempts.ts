// Sign-ins under way: what the callback must check (state, nonce, PKCE
// verifier, the browser that started it), kept server side and used once.
import type { Database } from './database.js';
import type { LoginAttempt } from './prisma/client.js';

export type NewLoginAttempt = Pick<LoginAttempt, 'browserHash' | 'stateHash' | 'nonce' | 'codeVerifier' | 'returnTo' | 'linkTokenHash' | 'requireMfa' | 'expiresAt'>;

export class LoginAttempts {
  constructor(private readonly db: Database) {}

  async start(attempt: NewLoginAttempt, now: Date): Promise<void> {
    // Abandoned sign-ins are forgotten as new ones start.
    await this.db.prisma.loginAttempt.deleteMany({ where: { expiresAt: { lte: now } } });
    await this.db.prisma.loginAttempt.create({ data: attempt });
  }

  /** The attempt with this state, deleted as it is read: a replayed callback finds nothing. */
  take(stateHash: string): Promise<LoginAttempt | undefined> {
    return this.db.prisma.loginAttempt.delete({ where: { stateHash } }).catch(() => undefined);
  }
}
