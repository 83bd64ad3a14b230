// The admin console's roles: nobody has one unless the chat platform or the
// identity provider says so, each role may do only its own things, and the
// console wants a multi-factor sign-in unless the deployment turned it off.
import { describe, expect, it } from 'vitest';
import { consoleRoles, mayLiftHold, mayUseConsole, type ConsoleAction, type ConsoleIdentity, type ConsoleRules } from '../../src/core/console/roles.js';

const rules: ConsoleRules = { privacyOfficerGroups: ['privacy-office'], requireMfa: true };
const clinician: ConsoleIdentity = { isWorkspaceAdmin: false, isChannelAdmin: false, groups: ['clinicians'], multiFactor: true };
const admin: ConsoleIdentity = { isWorkspaceAdmin: true, isChannelAdmin: false, groups: [], multiFactor: true };
/** A Teams team's owner, for a channel of their team. */
const teamOwner: ConsoleIdentity = { isWorkspaceAdmin: false, isChannelAdmin: true, groups: [], multiFactor: true };
const officer: ConsoleIdentity = { isWorkspaceAdmin: false, isChannelAdmin: false, groups: ['privacy-office'], multiFactor: true };
const ALL: ConsoleAction[] = ['read_policies', 'change_policy', 'list_assets', 'search_by_patient', 'read_audit', 'export_audit', 'report_disclosures', 'read_alerts', 'set_legal_hold', 'lift_legal_hold', 'record_consent'];
const allowed = (who: ConsoleIdentity, r = rules) => ALL.filter((a) => mayUseConsole(who, r, a).allow);

describe('console roles', () => {
  it('gives a signed-in clinician without a role nothing at all', () => {
    expect(consoleRoles(clinician, rules)).toEqual([]);
    for (const action of ALL) expect(mayUseConsole(clinician, rules, action)).toEqual({ allow: false, reason: 'no_role' });
  });

  it('lets admins run policies and holds but not search by patient or export the trail', () => {
    expect(allowed(admin)).toEqual(['read_policies', 'change_policy', 'list_assets', 'read_audit', 'read_alerts', 'set_legal_hold', 'record_consent']);
  });

  it('lets a team’s owner run the channel in question (policy, assets, holds) but not read the trail or alerts, which span every team', () => {
    expect(consoleRoles(teamOwner, rules)).toEqual(['channel_admin']);
    expect(allowed(teamOwner)).toEqual(['read_policies', 'change_policy', 'list_assets', 'set_legal_hold']);
    // A workspace admin who also owns the team is a workspace admin there.
    expect(consoleRoles({ ...admin, isChannelAdmin: true }, rules)).toEqual(['workspace_admin']);
    expect(mayUseConsole({ ...teamOwner, multiFactor: false }, rules, 'change_policy')).toEqual({ allow: false, reason: 'mfa_required' });
    expect(consoleRoles({ ...teamOwner, isChannelAdmin: 1 as unknown as boolean }, rules)).toEqual([]);
  });

  it('lets privacy officers search, read and export the trail, but not change channel policies', () => {
    expect(allowed(officer)).toEqual(['read_policies', 'list_assets', 'search_by_patient', 'read_audit', 'export_audit', 'report_disclosures', 'read_alerts', 'set_legal_hold', 'lift_legal_hold', 'record_consent']);
    expect(allowed({ ...officer, isWorkspaceAdmin: true })).toEqual(ALL);
  });

  it('makes nobody a privacy officer when no group is configured, whatever groups people have', () => {
    expect(consoleRoles({ ...officer, groups: ['privacy-office', ''] }, { ...rules, privacyOfficerGroups: [] })).toEqual([]);
  });

  it('wants a multi-factor sign-in unless the deployment turned that off', () => {
    expect(mayUseConsole({ ...admin, multiFactor: false }, rules, 'read_policies')).toEqual({ allow: false, reason: 'mfa_required' });
    expect(mayUseConsole({ ...admin, multiFactor: false }, { ...rules, requireMfa: false }, 'read_policies')).toEqual({ allow: true });
  });

  it('denies what it does not know: an action outside the table, or a role flag that is not plainly true', () => {
    expect(mayUseConsole(admin, rules, 'delete_everything' as ConsoleAction)).toEqual({ allow: false, reason: 'not_allowed' });
    expect(consoleRoles({ ...clinician, isWorkspaceAdmin: 'yes' as unknown as boolean }, rules)).toEqual([]);
  });

  it('lets an admin lift only the holds they placed, and a privacy officer any hold', () => {
    expect(mayLiftHold(admin, rules, { placedByThisPerson: false })).toEqual({ allow: false, reason: 'not_allowed' });
    expect(mayLiftHold(admin, rules, { placedByThisPerson: true })).toEqual({ allow: true });
    expect(mayLiftHold(officer, rules, { placedByThisPerson: false })).toEqual({ allow: true });
    expect(mayLiftHold(clinician, rules, { placedByThisPerson: true })).toEqual({ allow: false, reason: 'no_role' });
    expect(mayLiftHold(teamOwner, rules, { placedByThisPerson: true })).toEqual({ allow: true });
    expect(mayLiftHold(teamOwner, rules, { placedByThisPerson: false })).toEqual({ allow: false, reason: 'not_allowed' });
  });
});
