// Who a console user is to Loupe: the workspaces they administer, and the
// channels they administer without the whole workspace (a Teams team's
// owners, in their team's channels), each asked of the workspace's chat
// platform for the chat account their sign-in was matched to; whether the
// identity provider makes them a privacy officer; and whether they signed in
// with multiple factors. The decisions themselves are the core's
// (src/core/console/roles.ts).
import { sessionUsedMfa } from '../../core/access/mfa.js';
import { mayLiftHold, mayUseConsole, type ConsoleAction, type ConsoleDecision, type ConsoleIdentity, type ConsoleRules } from '../../core/console/roles.js';
import type { IdentityLinks } from '../../storage/identity-links.js';
import { WORKSPACE_DEFAULT_CHANNEL } from '../../storage/workspaces.js';
import type { ViewerDirectory } from '../ports/viewer-directory.js';

export interface ConsoleAccessDeps {
  links: Pick<IdentityLinks, 'linksOf'>;
  directory: Pick<ViewerDirectory, 'isAdmin' | 'channelsAdministered'>;
  rules: ConsoleRules;
  /** acr values the deployment trusts as multi-factor. */
  mfaAcr: readonly string[];
}

export interface ConsoleSignIn {
  issuer: string;
  subject: string;
  groups: readonly string[];
  acr: string | undefined;
  amr: readonly string[];
}

/**
 * Where an action is done: a whole workspace, or one channel of it. A channel
 * of "*" is the workspace default, so the whole workspace.
 */
export interface ConsolePlace {
  workspaceId: string;
  channelId?: string | undefined;
}

export interface ConsoleAccess {
  /** The workspaces whose chat platform names this person an admin of the whole workspace. */
  adminOf: string[];
  /** Per workspace, the channels this person administers without the whole workspace (a Teams team's owner). */
  channelAdminOf: ReadonlyMap<string, readonly string[]>;
  privacyOfficer: boolean;
  multiFactor: boolean;
  /** A chat platform did not answer whether this person is an admin: a refusal for want of a role may be wrong, so the page says to try again. */
  platformUnanswered: boolean;
  /** The core's decision for an action: anywhere at all (no place), on a whole workspace, or in one channel. */
  may(action: ConsoleAction, place?: ConsolePlace): ConsoleDecision;
  /** Whether this person may lift a hold on this place, given who placed it. */
  mayLift(place: ConsolePlace, placedBy: string): boolean;
  /** The workspaces an action may be done in as a whole: all for a privacy officer's actions, else those administered. */
  workspacesFor(action: ConsoleAction, all: readonly string[]): string[];
  /** The channels of a workspace an action may be done in one by one, where it may not be done in the whole workspace. */
  channelsFor(action: ConsoleAction, workspaceId: string): string[];
}

export async function consoleAccess(d: ConsoleAccessDeps, who: ConsoleSignIn): Promise<ConsoleAccess> {
  const links = await d.links.linksOf(who.issuer, who.subject);
  const adminOf: string[] = [];
  const channelAdminOf = new Map<string, string[]>();
  let platformUnanswered = false;
  // A platform that cannot answer makes nobody an admin (and says so).
  const unanswered = <T>(fallback: T) => () => {
    platformUnanswered = true;
    return fallback;
  };
  for (const link of links) {
    if (await d.directory.isAdmin(link.workspaceId, link.chatUserId).catch(unanswered(false))) adminOf.push(link.workspaceId);
    else {
      const channels = (await d.directory.channelsAdministered(link.workspaceId, link.chatUserId).catch(unanswered<string[]>([]))).filter((c) => c !== WORKSPACE_DEFAULT_CHANNEL);
      if (channels.length) channelAdminOf.set(link.workspaceId, [...new Set([...(channelAdminOf.get(link.workspaceId) ?? []), ...channels])]);
    }
  }
  const multiFactor = sessionUsedMfa(who, d.mfaAcr);
  const identity = (place?: ConsolePlace): ConsoleIdentity => {
    const whole = place === undefined ? adminOf.length > 0 : adminOf.includes(place.workspaceId);
    const inChannel =
      place === undefined
        ? channelAdminOf.size > 0
        : place.channelId !== undefined && place.channelId !== WORKSPACE_DEFAULT_CHANNEL && (channelAdminOf.get(place.workspaceId) ?? []).includes(place.channelId);
    return { isWorkspaceAdmin: whole, isChannelAdmin: !whole && inChannel, groups: who.groups, multiFactor };
  };
  const privacyOfficer = mayUseConsole({ isWorkspaceAdmin: false, isChannelAdmin: false, groups: who.groups, multiFactor: true }, d.rules, 'read_audit').allow;
  const may = (action: ConsoleAction, place?: ConsolePlace) => mayUseConsole(identity(place), d.rules, action);
  return {
    adminOf,
    channelAdminOf,
    privacyOfficer,
    multiFactor,
    platformUnanswered,
    may,
    mayLift: (place, placedBy) => mayLiftHold(identity(place), d.rules, { placedByThisPerson: placedBy === who.subject }).allow,
    workspacesFor: (action, all) => all.filter((workspaceId) => may(action, { workspaceId }).allow),
    channelsFor: (action, workspaceId) =>
      may(action, { workspaceId }).allow ? [] : (channelAdminOf.get(workspaceId) ?? []).filter((channelId) => may(action, { workspaceId, channelId }).allow),
  };
}
