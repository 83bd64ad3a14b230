// Slack's rule for removing messages and files, in one place because both
// methods follow it: your own, or anyone's with a workspace admin's user
// token (a bot token is never an admin) — but never what a Slack Connect user
// from another organisation posted.
import type { Caller, StandInState } from './state.js';

export function mayDelete(state: StandInState, caller: Caller, authorId: string): boolean {
  if (state.isExternal(authorId)) return false;
  if (authorId === caller.userId) return true;
  const user = caller.kind === 'user' ? state.users.get(caller.userId) : undefined;
  return user?.isAdmin === true || user?.isOwner === true;
}
