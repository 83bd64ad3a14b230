// The console's policy form: the Send to PACS part says when this Loupe has
// no PACS, so an admin does not choose Automatic and believe images are sent.
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy/channel-policy.js';
import { policyFormValues } from '../../src/core/policy/policy-form.js';
import { policyForm } from '../../src/web/console/policy-form-view.js';

function form(pacsConfigured: boolean): string {
  const resolved = resolvePolicy({}, { pacsExport: 'automatic' });
  const current = { ...resolved, source: { ...resolved.source, breakGlass: 'loupe' as const } };
  return String(
    policyForm({ csrf: 'x', action: '/admin/policies/w/C1', level: 'channel', values: policyFormValues(current.policy, current.source, 'channel'), current, inherited: resolved.policy, problems: [], pacsConfigured }),
  );
}

describe('the policy form', () => {
  it('warns in the Send to PACS part that nothing is sent when no PACS is configured', () => {
    const html = form(false);
    expect(html).toMatch(/<fieldset id="part-pacs"[\s\S]*id="no-pacs"[\s\S]*No PACS is configured for this Loupe[\s\S]*<\/fieldset>/);
  });

  it('says nothing of the kind when a PACS is configured', () => {
    expect(form(true)).not.toContain('no-pacs');
  });
});
