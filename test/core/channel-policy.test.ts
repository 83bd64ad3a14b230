import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, DEFAULT_RETENTION_DAYS, IDENTIFIER_SEARCH_CHARS, identifierIn, resolvePolicy } from '../../src/core/policy/channel-policy.js';
import { parsePolicyCommand, validIdentifierPattern, validRetentionDays } from '../../src/core/policy/policy-command.js';

describe('the effective channel policy and where each value comes from', () => {
  it('takes Loupe’s defaults where nothing is set, with a year of retention for a new workspace', () => {
    const { policy, source } = resolvePolicy(undefined, undefined);
    expect(policy).toEqual(DEFAULT_POLICY);
    expect(policy.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(DEFAULT_RETENTION_DAYS).toBe(365);
    expect(new Set(Object.values(source))).toEqual(new Set(['loupe']));
  });

  it('lets the workspace default override Loupe’s, and the channel override both, setting by setting', () => {
    const { policy, source } = resolvePolicy({ retentionDays: 90, interception: true }, { retentionDays: null, acceptedKinds: ['photo'] });
    expect(policy.retentionDays).toBeNull();
    expect(policy.interception).toBe(true);
    expect(policy.acceptedKinds).toEqual(['photo']);
    expect(source).toMatchObject({ retentionDays: 'channel', acceptedKinds: 'channel', interception: 'workspace', requireMfa: 'loupe' });
  });
});

describe('/loupe policy set retention', () => {
  it('takes days, years, or keep', () => {
    expect(parsePolicyCommand('set retention 90d')).toEqual({ kind: 'set', scope: 'channel', change: { retentionDays: 90 } });
    expect(parsePolicyCommand('workspace set retention 2y')).toEqual({ kind: 'set', scope: 'workspace', change: { retentionDays: 730 } });
    expect(parsePolicyCommand('set retention keep')).toEqual({ kind: 'set', scope: 'channel', change: { retentionDays: null } });
  });

  it('refuses nothing, fractions, units it does not know, and more than 30 years', () => {
    for (const bad of ['0d', '1.5d', '3w', '31y', 'forever', '-5d']) {
      const parsed = parsePolicyCommand(`set retention ${bad}`);
      expect(parsed.kind).toBe('error');
    }
    expect(validRetentionDays(0)).toBe(false);
    expect(validRetentionDays(1)).toBe(true);
    expect(validRetentionDays(null)).toBe(true);
  });
});

describe('sending to the PACS by policy', () => {
  it('is on request until an admin sets it, and a channel may send automatically where the workspace does not', () => {
    expect(DEFAULT_POLICY.pacsExport).toBe('on_request');
    const { policy, source } = resolvePolicy({ pacsExport: 'on_request' }, { pacsExport: 'automatic' });
    expect(policy.pacsExport).toBe('automatic');
    expect(source.pacsExport).toBe('channel');
    expect(resolvePolicy({ pacsExport: 'automatic' }, {}).source.pacsExport).toBe('workspace');
    expect(resolvePolicy(undefined, undefined).source.pacsExport).toBe('loupe');
  });

  it('is set by /loupe policy set pacs on_request|automatic, for a channel or the workspace; anything else is refused', () => {
    expect(parsePolicyCommand('set pacs automatic')).toEqual({ kind: 'set', scope: 'channel', change: { pacsExport: 'automatic' } });
    expect(parsePolicyCommand('workspace set pacs on_request')).toEqual({ kind: 'set', scope: 'workspace', change: { pacsExport: 'on_request' } });
    for (const bad of ['on', 'auto', 'yes', 'Automatic']) expect(parsePolicyCommand(`set pacs ${bad}`)).toEqual({ kind: 'error', problem: 'pacs is on_request or automatic.' });
  });
});

describe('identifier patterns', () => {
  it('takes the patterns hospitals write, and refuses nested repetition that could stall the server', () => {
    for (const good of ['\\b(MRN\\d{6})\\b', 'MRN[:\\s]*(\\d{6,10})', '\\b([A-Z]{3}\\d{7})\\b', 'NHS\\s?(\\d{3} ?\\d{3} ?\\d{4})']) expect(validIdentifierPattern(good)).toBe(true);
    for (const bad of ['MRN[:\\s]*((\\d+)+)X', '(a*)*b', '(', 'x'.repeat(201)]) expect(validIdentifierPattern(bad)).toBe(false);
    expect(parsePolicyCommand('set pattern MRN((\\d+)+)X').kind).toBe('error');
  });

  it('finds nothing with an unsafe pattern stored before the check, and looks only at the start of a long message', () => {
    const policy = { ...DEFAULT_POLICY, identifierPattern: 'MRN[:\\s]*((\\d+)+)X' };
    expect(identifierIn(policy, `MRN ${'1'.repeat(40)}`)).toBeUndefined();
    const safe = { ...DEFAULT_POLICY, identifierPattern: '\\b(MRN\\d{6})\\b' };
    expect(identifierIn(safe, 'Heel ulcer MRN123456, day 3')).toBe('MRN123456');
    expect(identifierIn(safe, `${'x '.repeat(IDENTIFIER_SEARCH_CHARS)}MRN123456`)).toBeUndefined();
  });
});
