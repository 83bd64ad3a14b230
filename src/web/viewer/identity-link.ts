// Who a signed-in person is in the chat: their Entra object id where the
// platform knows users by it (Teams), else their provider's verified email (or
// a configured claim holding the address) matched against the chat
// profiles of the card's workspace. Looked up at every sign-in, so a changed
// chat account is followed; the link is stored for the sessions that use it.
import type { Clock } from '../../core/clock.js';
import type { IdentityLinks } from '../../storage/identity-links.js';
import type { SignedIn } from '../oidc/relying-party.js';
import type { ViewerDirectory } from '../../app/ports/viewer-directory.js';

export interface LinkDeps {
  links: IdentityLinks;
  clock: Clock;
  directory: ViewerDirectory;
}

/** Matches the person in every workspace Loupe serves (the console's sign-in); a failed lookup in one does not stop the others. */
export async function linkEverywhere(d: LinkDeps & { workspaceIds: () => Promise<string[]> }, who: SignedIn): Promise<void> {
  for (const workspaceId of await d.workspaceIds()) {
    await linkIdentity(d, workspaceId, who).catch(() => undefined);
  }
}

/** The identity link's id, or undefined when nobody in the workspace matches. */
export async function linkIdentity(d: LinkDeps, workspaceId: string, who: SignedIn): Promise<string | undefined> {
  // Teams knows its users by Entra object id: the provider's `oid` names them exactly.
  const byObjectId = who.objectId ? await d.directory.userByObjectId(workspaceId, who.objectId, who.tenantId) : undefined;
  if (byObjectId) return d.links.link({ workspaceId, chatUserId: byObjectId, issuer: who.issuer, subject: who.subject, method: 'entra_object_id', verifiedAt: d.clock.now() });
  const method = who.claim !== undefined ? 'claim' : 'email';
  // An unverified email proves nothing about whose account it is.
  const address = who.claim ?? (who.emailVerified ? who.email : undefined);
  if (!address) return undefined;
  const chatUserId = await d.directory.userByEmail(workspaceId, address);
  if (!chatUserId) return undefined;
  return d.links.link({ workspaceId, chatUserId, issuer: who.issuer, subject: who.subject, method, verifiedAt: d.clock.now() });
}
