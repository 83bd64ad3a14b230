// Who may do what in the admin console (issue 12): pure rules, deny by
// default. A person has a role only when something says so: a workspace
// admin is one the chat platform (or Loupe's configured list) names; a
// channel admin is one the platform makes an admin of some channels only (a
// Microsoft Teams team's owners, in that team's channels); a privacy officer
// is one the identity provider puts in a configured group or role. Every
// console action also needs a multi-factor sign-in unless the deployment
// turned that off.

export type ConsoleRole = 'workspace_admin' | 'channel_admin' | 'privacy_officer';

export type ConsoleAction =
  /** Workspaces, channels and their effective policies. */
  | 'read_policies'
  | 'change_policy'
  /** The asset list: kind, channel, uploader, state; no patient data. */
  | 'list_assets'
  /** Finding assets by a patient's identifier (itself audited). */
  | 'search_by_patient'
  | 'read_audit'
  | 'export_audit'
  /** A patient's accounting of disclosures, found by identifier (itself audited). */
  | 'report_disclosures'
  | 'read_alerts'
  /** Acknowledging (with a note) and closing alerts: a workspace's own, or (privacy officers) any. */
  | 'manage_alerts'
  | 'set_legal_hold'
  /** Lifting anyone's hold; an admin may lift only a hold they placed themselves (mayLiftHold). */
  | 'lift_legal_hold'
  /** Issuing (and revoking) a patient's link to their own images, once their identity is verified. */
  | 'issue_patient_access'
  /** A patient's consent, found by identifier: read its versions, record, revise and withdraw (each audited). */
  | 'record_consent';

/** What each role may do; anything not listed is refused. */
const ALLOWED: Record<ConsoleRole, readonly ConsoleAction[]> = {
  // Admins run the channels: policies, the asset list, alerts, holds, and the trail (without patient search or export).
  workspace_admin: ['read_policies', 'change_policy', 'list_assets', 'read_alerts', 'manage_alerts', 'set_legal_hold', 'read_audit', 'record_consent'],
  // A team's owner runs their own channels: policies, assets and holds there. The trail and the alerts span every
  // team of the workspace, so they stay with workspace admins; the owners hear of their channels' alerts in chat.
  channel_admin: ['read_policies', 'change_policy', 'list_assets', 'set_legal_hold'],
  // Privacy officers read and export the trail, find a patient's images and account for who saw them, and hold them; they do not change channel policies.
  // Only they lift others' holds: an admin could otherwise lift a privacy officer's hold, shorten retention, and have evidence shredded.
  // Consent is recorded by privacy officers and by the workspace's admins (a patient is the whole workspace's, so not by a team's owners).
  privacy_officer: ['read_policies', 'list_assets', 'search_by_patient', 'read_audit', 'export_audit', 'report_disclosures', 'read_alerts', 'manage_alerts', 'set_legal_hold', 'lift_legal_hold', 'record_consent', 'issue_patient_access'],
};

export interface ConsoleIdentity {
  /** The chat platform (or Loupe's configured list) names them an admin of the workspace. */
  isWorkspaceAdmin: boolean;
  /** The platform makes them an admin of the channel in question, not of the whole workspace (a Teams team's owner, in that team's channels). */
  isChannelAdmin: boolean;
  /** The groups or roles the identity provider gives them (its configured claim). */
  groups: readonly string[];
  /** Their sign-in used multiple factors. */
  multiFactor: boolean;
}

export interface ConsoleRules {
  /** Groups or roles that make a privacy officer; none configured: nobody is one. */
  privacyOfficerGroups: readonly string[];
  /** The console needs a multi-factor sign-in (the default). */
  requireMfa: boolean;
}

export function consoleRoles(who: ConsoleIdentity, rules: ConsoleRules): ConsoleRole[] {
  const roles: ConsoleRole[] = [];
  if (who.isWorkspaceAdmin === true) roles.push('workspace_admin');
  else if (who.isChannelAdmin === true) roles.push('channel_admin');
  if (rules.privacyOfficerGroups.length > 0 && who.groups.some((g) => rules.privacyOfficerGroups.includes(g))) roles.push('privacy_officer');
  return roles;
}

export type ConsoleDenial = 'no_role' | 'mfa_required' | 'not_allowed';
export type ConsoleDecision = { allow: true } | { allow: false; reason: ConsoleDenial };

export function mayUseConsole(who: ConsoleIdentity, rules: ConsoleRules, action: ConsoleAction): ConsoleDecision {
  const roles = consoleRoles(who, rules);
  if (roles.length === 0) return { allow: false, reason: 'no_role' };
  if (rules.requireMfa && who.multiFactor !== true) return { allow: false, reason: 'mfa_required' };
  return roles.some((role) => ALLOWED[role].includes(action)) ? { allow: true } : { allow: false, reason: 'not_allowed' };
}

/** Lifting a hold: whoever may lift any hold, or whoever may hold here and placed this one. */
export function mayLiftHold(who: ConsoleIdentity, rules: ConsoleRules, hold: { placedByThisPerson: boolean }): ConsoleDecision {
  const any = mayUseConsole(who, rules, 'lift_legal_hold');
  if (any.allow || !hold.placedByThisPerson) return any;
  return mayUseConsole(who, rules, 'set_legal_hold');
}
