// Who may change a card or a consult: pure rules, deny by default.

export interface Requester {
  userId: string;
  /** A workspace admin: the platform's admin/owner flags or Loupe's configured list. */
  isAdmin: boolean;
}

/** A requester acting in a workspace, as the use cases take one: a card of another workspace is not there for them. */
export interface WorkspaceRequester extends Requester {
  workspaceId: string;
}

/** Revoking a card: its uploader, or an admin. */
export function mayRevoke(who: Requester, uploaderId: string): boolean {
  return who.isAdmin || who.userId === uploaderId;
}

// Inviting a specialist is decided by mayReshare (src/core/access/reshare.ts),
// which reads the inviter's grants as well as their participation.
