// Who a signed-in person is in the chat: their provider's verified email (or
// a configured claim holding the address) matched against the chat
// profiles of the card's workspace. Looked up at every sign-in, so a changed
// chat account is followed; the link is stored for the sessions that use it.
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../storage/database.js';
import type { SignedIn } from '../oidc/relying-party.js';
import type { ChatDirectory } from './directory.js';

export interface LinkDeps {
  db: Database;
  clock: Clock;
  directory: ChatDirectory;
}

/** The identity link's id, or undefined when nobody in the workspace matches. */
export async function linkIdentity(d: LinkDeps, workspaceId: string, who: SignedIn): Promise<string | undefined> {
  const method = who.claim !== undefined ? 'claim' : 'email';
  // An unverified email proves nothing about whose account it is.
  const address = who.claim ?? (who.emailVerified ? who.email : undefined);
  if (!address) return undefined;
  const chatUserId = await d.directory.userByEmail(workspaceId, address);
  if (!chatUserId) return undefined;
  const now = d.clock.now();
  // One link per person and per chat user in a workspace: an older pairing of either gives way.
  const [, link] = await d.db.prisma.$transaction([
    d.db.prisma.identityLink.deleteMany({
      where: {
        workspaceId,
        OR: [
          { chatUserId, NOT: { oidcIssuer: who.issuer, oidcSubject: who.subject } },
          { oidcIssuer: who.issuer, oidcSubject: who.subject, NOT: { chatUserId } },
        ],
      },
    }),
    d.db.prisma.identityLink.upsert({
      where: { workspaceId_oidcIssuer_oidcSubject: { workspaceId, oidcIssuer: who.issuer, oidcSubject: who.subject } },
      create: { workspaceId, chatUserId, oidcIssuer: who.issuer, oidcSubject: who.subject, method, verifiedAt: now },
      update: { verifiedAt: now, method },
    }),
  ]);
  return link.id;
}
