// The console's policy form: what an admin posts becomes a policy change and
// the settings to inherit, or problems that say what is wrong without
// repeating what was typed.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolvePolicy } from '../../src/core/policy/channel-policy.js';
import { POLICY_BOUNDS } from '../../src/core/policy/policy-command.js';
import { parsePolicyForm, PART_NAMES, policyFormValues, type PolicyFormValues } from '../../src/core/policy/policy-form.js';

/** Every part set, with sensible values; tests override what they look at. */
const allSet = (over: PolicyFormValues = {}): PolicyFormValues => ({
  ...Object.fromEntries(PART_NAMES.map((p) => [`from_${p}`, 'set'])),
  interception: 'on',
  kinds: 'photo',
  lifetime: '48',
  lifetimeUnit: 'hours',
  mfa: 'off',
  members: 'on',
  consent: 'always_required',
  pattern: '',
  issuer: 'LOCAL',
  retentionMode: 'days',
  retentionDays: '90',
  preview: 'deidentified',
  pacs: 'on_request',
  ...over,
});

describe('the console policy form', () => {
  it('turns every part set here into one change with the values chosen', () => {
    expect(parsePolicyForm(allSet({ kinds: ['photo', 'dicom'], pattern: 'MRN(\\d+)', lifetime: '7', lifetimeUnit: 'days' }), 'channel')).toEqual({
      ok: true,
      inherit: [],
      change: {
        interception: true,
        acceptedKinds: ['photo', 'dicom'],
        cardLifetimeSeconds: 7 * 86400,
        requireMfa: false,
        membersMayView: true,
        consentRule: 'always_required',
        identifierPattern: 'MRN(\\d+)',
        identifierIssuer: 'LOCAL',
        retentionDays: 90,
        previewMode: 'deidentified',
        pacsExport: 'on_request',
      },
    });
  });

  it('sends to the PACS on request or automatically, or uses the default; nothing else', () => {
    expect(parsePolicyForm(allSet({ pacs: 'automatic' }), 'channel')).toMatchObject({ ok: true, change: { pacsExport: 'automatic' } });
    const inherited = parsePolicyForm(allSet({ from_pacs: 'inherit', pacs: 'sometimes' }), 'channel');
    expect(inherited.ok && inherited.inherit).toEqual(['pacsExport']);
    expect(inherited.ok && 'pacsExport' in inherited.change).toBe(false);
    const values = policyFormValues({ ...DEFAULT_POLICY, pacsExport: 'automatic' }, resolvePolicy(undefined, { pacsExport: 'automatic' }).source, 'channel');
    expect(values).toMatchObject({ from_pacs: 'set', pacs: 'automatic' });
  });

  it('puts a part that uses the default in inherit, and ignores its values, even bad ones', () => {
    const r = parsePolicyForm(allSet({ from_viewers: 'inherit', members: 'maybe', from_retention: 'inherit', retentionDays: 'forever' }), 'channel');
    expect(r.ok && r.inherit).toEqual(['membersMayView', 'consentRule', 'retentionDays']);
    expect(r.ok && 'membersMayView' in r.change).toBe(false);
  });

  it('keeps images until someone sets a retention when asked to; an empty pattern means none', () => {
    const r = parsePolicyForm(allSet({ retentionMode: 'keep', retentionDays: '' }), 'channel');
    expect(r.ok && r.change.retentionDays).toBeNull();
    expect(r.ok && r.change.identifierPattern).toBeNull();
  });

  it('asks for at least one kind, a lifetime and a retention within bounds, a valid pattern and an issuer', () => {
    const cases: [PolicyFormValues, string][] = [
      [{ kinds: [] }, 'kinds'],
      [{ kinds: 'gif' }, 'kinds'],
      [{ lifetime: '4', lifetimeUnit: 'minutes' }, 'lifetime'],
      [{ lifetime: String(POLICY_BOUNDS.maxLifetimeSeconds / 86400 + 1), lifetimeUnit: 'days' }, 'lifetime'],
      [{ lifetime: '2.5' }, 'lifetime'],
      [{ lifetimeUnit: 'constructor' }, 'lifetime'],
      [{ retentionDays: '0' }, 'retention'],
      [{ retentionDays: String(POLICY_BOUNDS.maxRetentionDays + 1) }, 'retention'],
      [{ pattern: 'MRN(' }, 'identifier'],
      [{ issuer: '' }, 'identifier'],
      [{ issuer: 'X'.repeat(POLICY_BOUNDS.issuerMaxLength + 1) }, 'identifier'],
      [{ consent: 'whenever' }, 'viewers'],
      [{ interception: 'yes' }, 'interception'],
      [{ from_mfa: '' }, 'mfa'],
      [{ preview: 'thumbnail' }, 'preview'],
      [{ pacs: 'always' }, 'pacs'],
      [{ pacs: undefined }, 'pacs'],
    ];
    for (const [over, part] of cases) {
      const r = parsePolicyForm(allSet(over), 'channel');
      expect(r.ok ? [] : r.problems.map((p) => p.part), JSON.stringify(over)).toEqual([part]);
    }
  });

  it('says every way a pattern is refused: not a regular expression, too long, or a repetition repeated', () => {
    for (const pattern of ['MRN(', 'M'.repeat(POLICY_BOUNDS.patternMaxLength + 1), '(\\d+)+']) {
      const r = parsePolicyForm(allSet({ pattern }), 'channel');
      expect(r.ok ? [] : r.problems.map((p) => p.part), pattern.slice(0, 12)).toEqual(['identifier']);
      const message = r.ok ? '' : r.problems[0]!.message;
      expect(message).toContain('not a valid regular expression');
      expect(message).toContain(`over ${POLICY_BOUNDS.patternMaxLength} characters`);
      expect(message).toContain('repeats a repetition');
    }
    expect(parsePolicyForm(allSet({ pattern: 'M'.repeat(POLICY_BOUNDS.patternMaxLength) }), 'channel').ok).toBe(true);
  });

  it('the edge values of the bounds are accepted', () => {
    expect(parsePolicyForm(allSet({ lifetime: '5', lifetimeUnit: 'minutes' }), 'channel').ok).toBe(true);
    expect(parsePolicyForm(allSet({ lifetime: '30', lifetimeUnit: 'days', retentionDays: String(POLICY_BOUNDS.maxRetentionDays) }), 'channel').ok).toBe(true);
  });

  it('never repeats what was typed in a problem', () => {
    const typed = 'MRN-SECRET-4471(';
    const r = parsePolicyForm(allSet({ pattern: typed, issuer: 'Z'.repeat(80), lifetime: '99999' }), 'channel');
    expect(r.ok).toBe(false);
    const words = JSON.stringify(r);
    expect(words).not.toContain('SECRET');
    expect(words).not.toContain('ZZZZ');
    expect(words).not.toContain('99999');
  });

  it('has break-glass on the workspace page only, where it must be chosen', () => {
    expect(parsePolicyForm(allSet({ breakGlass: 'on' }), 'channel')).toMatchObject({ ok: true, change: expect.not.objectContaining({ breakGlass: true }) });
    expect(parsePolicyForm(allSet({ breakGlass: 'on' }), 'workspace')).toMatchObject({ ok: true, change: { breakGlass: true } });
    const r = parsePolicyForm(allSet(), 'workspace');
    expect(r.ok ? [] : r.problems.map((p) => p.part)).toEqual(['breakGlass']);
  });

  it('draws the form from the policy as it is: set where this level gives the value, and parses back to the same values', () => {
    const { policy, source } = resolvePolicy({ retentionDays: 30 }, { interception: true, acceptedKinds: ['photo'], cardLifetimeSeconds: 90 * 60 });
    const values = policyFormValues({ ...policy, breakGlass: false, legalHold: false }, source, 'channel');
    expect(values).toMatchObject({ from_interception: 'set', from_kinds: 'set', from_lifetime: 'set', from_retention: 'inherit', lifetime: '90', lifetimeUnit: 'minutes', retentionDays: '30' });
    const r = parsePolicyForm(values, 'channel');
    expect(r.ok && r.change).toEqual({ interception: true, acceptedKinds: ['photo'], cardLifetimeSeconds: 90 * 60 });
    expect(policyFormValues(DEFAULT_POLICY, source, 'workspace')).toMatchObject({ from_retention: 'set', lifetime: '2', lifetimeUnit: 'days', retentionMode: 'days' });
  });
});
