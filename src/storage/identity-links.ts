// The stored matches between a hospital sign-in (issuer, subject) and a chat
// user of one workspace: one per person and one per chat user.
import type { Database } from './database.js';

export interface IdentityLinkInput {
  workspaceId: string;
  chatUserId: string;
  issuer: string;
  subject: string;
  method: 'email' | 'claim' | 'entra_object_id';
  verifiedAt: Date;
}

export class IdentityLinks {
  constructor(private readonly db: Database) {}

  async chatUserOf(workspaceId: string, issuer: string, subject: string): Promise<string | undefined> {
    const link = await this.db.prisma.identityLink.findUnique({ where: { workspaceId_oidcIssuer_oidcSubject: { workspaceId, oidcIssuer: issuer, oidcSubject: subject } } });
    return link?.chatUserId;
  }

  /** Every workspace this person is matched in, with their chat user there. */
  async linksOf(issuer: string, subject: string): Promise<{ workspaceId: string; chatUserId: string }[]> {
    return this.db.prisma.identityLink.findMany({ where: { oidcIssuer: issuer, oidcSubject: subject }, select: { workspaceId: true, chatUserId: true } });
  }

  /** Records the match and returns its id; an older pairing of either side gives way. */
  async link(l: IdentityLinkInput): Promise<string> {
    const { workspaceId, chatUserId, issuer, subject, method, verifiedAt } = l;
    const [, link] = await this.db.prisma.$transaction([
      this.db.prisma.identityLink.deleteMany({
        where: {
          workspaceId,
          OR: [
            { chatUserId, NOT: { oidcIssuer: issuer, oidcSubject: subject } },
            { oidcIssuer: issuer, oidcSubject: subject, NOT: { chatUserId } },
          ],
        },
      }),
      this.db.prisma.identityLink.upsert({
        where: { workspaceId_oidcIssuer_oidcSubject: { workspaceId, oidcIssuer: issuer, oidcSubject: subject } },
        create: { workspaceId, chatUserId, oidcIssuer: issuer, oidcSubject: subject, method, verifiedAt },
        update: { verifiedAt, method },
      }),
    ]);
    return link.id;
  }
}
