// Who a console user is to Loupe: the workspaces they administer (asked of
// each workspace's chat platform, for the chat account their sign-in was
// matched to), whether the identity provider makes them a privacy officer,
// and whether they signed in with multiple factors. The decisions themselves
// are the core's (src/core/console/roles.ts).
import { sessionUsedMfa } from '../../core/access/mfa.js';
import { mayLiftHold, mayUseConsole, type ConsoleAction, type ConsoleDecision, type ConsoleRules } from '../../core/console/roles.js';
import type { IdentityLinks } from '../../storage/identity-links.js';
import type { ViewerDirectory } from '../ports/viewer-directory.js';

export interface ConsoleAccessDeps {
  links: Pick<IdentityLinks, 'linksOf'>;
  directory: Pick<ViewerDirectory, 'isAdmin'>;
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

export interface ConsoleAccess {
  /** The workspaces whose chat platform names this person an admin. */
  adminOf: string[];
  privacyOfficer: boolean;
  multiFactor: boolean;
  /** The core's decision for an action, in one workspace or (without one) anywhere. */
  may(action: ConsoleAction, workspaceId?: string): ConsoleDecision;
  /** Whether this person may lift a hold in this workspace, given who placed it. */
  mayLift(workspaceId: string, placedBy: string): boolean;
  /** The workspaces an action may be done in: all for a privacy officer's actions, else those administered. */
  workspacesFor(action: ConsoleAction, all: readonly string[]): string[];
}

export async function consoleAccess(d: ConsoleAccessDeps, who: ConsoleSignIn): Promise<ConsoleAccess> {
  const links = await d.links.linksOf(who.issuer, who.subject);
  const adminOf: string[] = [];
  for (const link of links) {
    // A platform that cannot answer makes nobody an admin.
    if (await d.directory.isAdmin(link.workspaceId, link.chatUserId).catch(() => false)) adminOf.push(link.workspaceId);
  }
  const multiFactor = sessionUsedMfa(who, d.mfaAcr);
  const identity = (workspaceId?: string) => ({
    isWorkspaceAdmin: workspaceId === undefined ? adminOf.length > 0 : adminOf.includes(workspaceId),
    groups: who.groups,
    multiFactor,
  });
  const privacyOfficer = mayUseConsole({ isWorkspaceAdmin: false, groups: who.groups, multiFactor: true }, d.rules, 'read_audit').allow;
  const may = (action: ConsoleAction, workspaceId?: string) => mayUseConsole(identity(workspaceId), d.rules, action);
  return {
    adminOf,
    privacyOfficer,
    multiFactor,
    may,
    mayLift: (workspaceId, placedBy) => mayLiftHold(identity(workspaceId), d.rules, { placedByThisPerson: placedBy === who.subject }).allow,
    workspacesFor: (action, all) => all.filter((id) => may(action, id).allow),
  };
}
