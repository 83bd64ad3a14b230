// Who may change a card or a consult: pure rules, deny by default.

export interface Requester {
  userId: string;
  /** A workspace admin: the platform's admin/owner flags or Loupe's configured list. */
  isAdmin: boolean;
}

/** Revoking a card: its uploader, or an admin. */
export function mayRevoke(who: Requester, uploaderId: string): boolean {
  return who.isAdmin || who.userId === uploaderId;
}

export interface Participation {
  role: 'requester' | 'specialist' | 'member';
  /** Who invited this participant, when they were invited. */
  invitedBy: string | null;
  removed: boolean;
}

/**
 * Inviting a specialist goes one hop: a direct participant (the requester,
 * or a member who posted in the consult) may invite; an invited specialist
 * may not invite further. Admins may always.
 */
export function mayInvite(who: Requester, participation: Participation | undefined): boolean {
  if (who.isAdmin) return true;
  if (!participation || participation.removed) return false;
  return participation.role !== 'specialist';
}
