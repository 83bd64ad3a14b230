// The policy's words and its edit form: each setting's name and value in
// plain words, where a value comes from, and one fieldset per part of the
// form ("use the default" or "set here", then the value), drawn from the
// current policy or from what the person typed. Shared by the overview
// table, the edit page and its saved banner.
import type { ChannelPolicy, PolicySetting, SettingSource } from '../../core/policy/channel-policy.js';
import {
  fromField,
  PART_NAMES,
  POLICY_FORM_PARTS,
  POLICY_BOUNDS_TEXT,
  type PolicyFormPart,
  type PolicyFormProblem,
  type PolicyFormValues,
  type PolicyLevel,
} from '../../core/policy/policy-form.js';
import type { ResolvedPolicy } from '../../storage/channel-policies.js';
import { html, type SafeHtml } from '../html.js';
import { CSRF_FIELD } from './csrf.js';

export const SETTING_LABEL: Record<PolicySetting | 'breakGlass' | 'legalHold', string> = {
  interception: 'Interception',
  acceptedKinds: 'Accepted kinds',
  cardLifetimeSeconds: 'Card lifetime',
  requireMfa: 'Multi-factor to view',
  membersMayView: 'Channel members may view',
  consentRule: 'Consent rule',
  identifierPattern: 'Identifier pattern',
  identifierIssuer: 'Identifier issuer',
  retentionDays: 'Retention',
  previewMode: 'Card preview',
  pacsExport: 'Send to PACS',
  breakGlass: 'Break-glass',
  legalHold: 'Legal hold',
};

export const PART_LABEL: Record<PolicyFormPart, string> = {
  interception: 'Interception',
  kinds: 'Accepted kinds',
  lifetime: 'Card lifetime',
  mfa: 'Multi-factor to view',
  viewers: 'Who may view',
  identifier: 'Patient identifier in messages',
  retention: 'Retention',
  preview: 'Card preview',
  pacs: 'Send to PACS',
};

function duration(seconds: number): string {
  const [n, unit] = seconds % 86400 === 0 ? [seconds / 86400, 'day'] : seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : [Math.round(seconds / 60), 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const KINDS = (k: readonly string[]) => (k.includes('photo') && k.includes('dicom') ? 'Photos and DICOM' : k.includes('photo') ? 'Photos only' : k.includes('dicom') ? 'DICOM only' : 'None');

/** One setting's value in plain words (also for the audit's before/after values, which are the policy's own). */
export function settingValue(setting: keyof typeof SETTING_LABEL, v: unknown): string {
  switch (setting) {
    case 'interception':
      return v ? 'On' : 'Off';
    case 'acceptedKinds':
      return KINDS(Array.isArray(v) ? (v as string[]) : []);
    case 'cardLifetimeSeconds':
      return typeof v === 'number' ? duration(v) : '—';
    case 'requireMfa':
      return v ? 'Required' : 'Not required';
    case 'membersMayView':
      return v ? 'Yes' : 'No';
    case 'consentRule':
      return v === 'always_required' ? 'Every view needs a recorded consent' : 'Care implies consent unless the patient refused';
    case 'identifierPattern':
      return typeof v === 'string' && v ? v : 'None';
    case 'identifierIssuer':
      return typeof v === 'string' ? v : '—';
    case 'retentionDays':
      return typeof v === 'number' ? `${v} day${v === 1 ? '' : 's'}` : 'Until someone sets a retention';
    case 'previewMode':
      return v === 'deidentified' ? 'De-identified preview' : 'None: no image in the chat';
    case 'pacsExport':
      return v === 'automatic' ? 'Automatic' : 'On request';
    case 'breakGlass':
      return v ? 'Allowed, with a stated reason' : 'Off';
    case 'legalHold':
      return v ? 'On hold' : 'None';
  }
}

/** A form part's value, short, for the overview table and the form's "Now" line. */
export function partValue(part: PolicyFormPart, p: ChannelPolicy): SafeHtml {
  switch (part) {
    case 'viewers':
      return html`${p.membersMayView ? 'Channel members' : 'Care team only'}<br><small>${p.consentRule === 'always_required' ? 'Consent always required' : 'Care implies consent'}</small>`;
    case 'identifier':
      return p.identifierPattern ? html`<code>${p.identifierPattern}</code><br><small>Issuer ${p.identifierIssuer}</small>` : html`None`;
    default:
      return html`${settingValue(POLICY_FORM_PARTS[part][0], p[POLICY_FORM_PARTS[part][0]])}`;
  }
}

const SPECIFIC: SettingSource[] = ['channel', 'workspace', 'loupe'];

/** Where a part's value comes from: its most specific setting's level. */
export function partSource(part: PolicyFormPart, source: Record<PolicySetting, SettingSource>): SettingSource {
  return SPECIFIC.find((s) => POLICY_FORM_PARTS[part].some((k) => source[k] === s)) ?? 'loupe';
}

export function sourceBadge(source: SettingSource | 'workspace' | 'loupe'): SafeHtml {
  if (source === 'channel') return html`<span class="badge channel">This channel</span>`;
  if (source === 'workspace') return html`<span class="badge workspace">Workspace default</span>`;
  return html`<span class="badge">Loupe default</span>`;
}

/** A channel as the console names it: its id, or the workspace default. */
export function channelName(channelId: string): SafeHtml {
  return channelId === '*' ? html`<strong>Workspace default</strong>` : html`<code>${channelId}</code>`;
}

const PATTERN_EXAMPLE = String.raw`MRN[:\s]*(\d{6,10})`;

const HINT: Record<PolicyFormPart, string> = {
  interception: 'When on, Loupe takes photos and DICOM files out of the channel, stores them encrypted, and posts a card in their place.',
  kinds: 'The kinds of image Loupe takes out of the chat here. Others are left in the chat as they are.',
  lifetime: 'How long a card\u2019s View link works after it is posted.',
  mfa: 'Opening an image needs a sign-in with a second factor.',
  viewers: 'Who may open the images posted here, and whether a view needs a recorded consent.',
  identifier: 'A regular expression that finds a patient identifier in the message text (its first group, or the whole match), and who issues those identifiers.',
  retention: 'How long Loupe keeps an image after receiving it; then it is destroyed, unless a legal hold covers it.',
  preview:
    'Whether a card shows a small image in the chat. A photo is shown only as a strongly blurred thumbnail; a DICOM image only when its header says it has no burned-in text, from its de-identified copy. The preview is the bot\u2019s own file on the chat platform, deleted when the card expires, is revoked, its image is destroyed, or consent is withdrawn.',
  pacs: 'Whether images posted here go to the hospital\u2019s PACS only when someone with standing presses Send to PACS, or every image automatically once it is linked to a patient. Automatic sending still needs a configured PACS and the patient\u2019s consent for care; once in the PACS an image stays there when Loupe destroys its own copy.',
};

const NO_PACS_CONSOLE = 'No PACS is configured for this Loupe: no image is sent to one, on request or automatically, until whoever runs Loupe configures it (LOUPE_PACS_URL).';

export interface PolicyFormView {
  csrf: string;
  action: string;
  level: PolicyLevel;
  values: PolicyFormValues;
  current: ResolvedPolicy;
  /** The level above's policy (the workspace default), for a channel. */
  inherited: ChannelPolicy;
  problems: readonly PolicyFormProblem[];
  /** A shorter retention that would destroy `due` images: the form asks for a confirmation before it saves. */
  confirmShorter?: { due: number; days: number } | undefined;
  /** A PACS is configured: without one, the Send to PACS part says that nothing is sent. */
  pacsConfigured: boolean;
}

const val = (v: PolicyFormValues, k: string): string => {
  const x = v[k];
  return typeof x === 'string' ? x : Array.isArray(x) ? (x[0] ?? '') : '';
};
const has = (v: PolicyFormValues, k: string, want: string) => (Array.isArray(v[k]) ? (v[k] as string[]).includes(want) : v[k] === want);
const checked = (on: boolean) => (on ? html` checked` : '');

function radios(v: PolicyFormValues, name: string, options: [string, string][]): SafeHtml {
  return html`<div class="choice">${options.map(([value, label]) => html`<label><input type="radio" name="${name}" value="${value}"${checked(has(v, name, value))}> ${label}</label>`)}</div>`;
}

function controls(part: PolicyFormPart, v: PolicyFormValues): SafeHtml {
  switch (part) {
    case 'interception':
      return radios(v, 'interception', [['on', 'On: take images out of the chat'], ['off', 'Off: leave the channel alone']]);
    case 'kinds':
      return html`<div class="choice"><label><input type="checkbox" name="kinds" value="photo"${checked(has(v, 'kinds', 'photo'))}> Photos</label><label><input type="checkbox" name="kinds" value="dicom"${checked(has(v, 'kinds', 'dicom'))}> DICOM files</label></div>`;
    case 'lifetime':
      return html`<div class="inline"><label>Lifetime<input type="number" name="lifetime" min="1" step="1" inputmode="numeric" value="${val(v, 'lifetime')}"></label>
<label>Unit<select name="lifetimeUnit">${(['minutes', 'hours', 'days'] as const).map((u) => html`<option value="${u}"${has(v, 'lifetimeUnit', u) ? html` selected` : ''}>${u}</option>`)}</select></label></div>
<p class="hint">${POLICY_BOUNDS_TEXT.lifetime}</p>`;
    case 'mfa':
      return radios(v, 'mfa', [['on', 'Required'], ['off', 'Not required']]);
    case 'viewers':
      return html`<fieldset class="sub"><legend>Channel members</legend>${radios(v, 'members', [['on', 'Every member of the channel may view'], ['off', 'Only the consult\u2019s care team and people they invite']])}</fieldset>
<label>Consent rule<select name="consent"><option value="care_implied"${has(v, 'consent', 'care_implied') ? html` selected` : ''}>Care implies consent, unless the patient refused</option><option value="always_required"${has(v, 'consent', 'always_required') ? html` selected` : ''}>Every view needs a recorded consent</option></select></label>`;
    case 'identifier':
      return html`<label>Identifier pattern<span class="hint">For example <code>${PATTERN_EXAMPLE}</code>. Leave empty for none.</span><input type="text" class="mono" name="pattern" value="${val(v, 'pattern')}" spellcheck="false" autocomplete="off"></label>
<label>Issuer<span class="hint">Recorded with each identifier found, for example LOCAL.</span><input type="text" name="issuer" value="${val(v, 'issuer')}" maxlength="64" autocomplete="off"></label>`;
    case 'retention':
      return html`${radios(v, 'retentionMode', [['days', 'Keep for a number of days'], ['keep', 'Keep until someone sets a retention']])}
<label>Number of days<input type="number" name="retentionDays" min="1" step="1" inputmode="numeric" value="${val(v, 'retentionDays')}"></label>
<p class="hint">${POLICY_BOUNDS_TEXT.retention}</p>`;
    case 'preview':
      return radios(v, 'preview', [['none', 'None: cards carry no image'], ['deidentified', 'De-identified preview: a blurred photo, or a DICOM image known to have no burned-in text']]);
    case 'pacs':
      return radios(v, 'pacs', [['on_request', 'On request: when someone presses Send to PACS on a card'], ['automatic', 'Automatic: every image, once it is linked to a patient']]);
  }
}

function problemOf(problems: readonly PolicyFormProblem[], part: string): SafeHtml | '' {
  const p = problems.find((x) => x.part === part);
  return p ? html`<p class="problem" id="problem-${part}">${p.message}</p>` : '';
}

function partFieldset(f: PolicyFormView, part: PolicyFormPart): SafeHtml {
  const here = f.level === 'channel' ? 'Set for this channel' : 'Set for the workspace';
  const above = f.level === 'channel' ? 'Use the workspace default' : 'Use Loupe\u2019s default';
  const bad = f.problems.some((p) => p.part === part);
  return html`<fieldset id="part-${part}"${bad ? html` class="invalid" aria-describedby="problem-${part}"` : ''}>
<legend>${PART_LABEL[part]}</legend>
<p class="hint">${HINT[part]}</p>
<p class="now">Now: ${partValue(part, f.current.policy)} ${sourceBadge(partSource(part, f.current.source))}</p>
${part === 'pacs' && !f.pacsConfigured ? html`<div class="banner warn" role="status" id="no-pacs">${NO_PACS_CONSOLE}</div>` : ''}
${problemOf(f.problems, part)}
<div class="choice from">
  <label><input type="radio" name="${fromField(part)}" value="inherit"${checked(has(f.values, fromField(part), 'inherit'))}> ${above} <span class="hint">(${partValue(part, f.inherited)})</span></label>
  <label><input type="radio" name="${fromField(part)}" value="set"${checked(has(f.values, fromField(part), 'set'))}> ${here}:</label>
</div>
<div class="setting">${controls(part, f.values)}</div>
</fieldset>`;
}

function breakGlassFieldset(f: PolicyFormView): SafeHtml {
  const bad = f.problems.some((p) => p.part === 'breakGlass');
  return html`<fieldset id="part-breakGlass"${bad ? html` class="invalid" aria-describedby="problem-breakGlass"` : ''}>
<legend>Break-glass (whole workspace)</legend>
<p class="hint">A clinician without a grant may open an image in an emergency by stating a reason. Every such view is audited.</p>
<p class="now">Now: ${settingValue('breakGlass', f.current.policy.breakGlass)} ${sourceBadge(f.current.source.breakGlass)}</p>
${problemOf(f.problems, 'breakGlass')}
${radios(f.values, 'breakGlass', [['on', 'Allowed, with a stated reason'], ['off', 'Off']])}
</fieldset>`;
}

function confirmShorterFieldset(c: { due: number; days: number }): SafeHtml {
  const images = c.due === 1 ? '1 image' : `${c.due} images`;
  return html`<fieldset id="confirm-retention" class="invalid confirm" aria-describedby="confirm-retention-why">
<legend>Confirm the shorter retention</legend>
<p id="confirm-retention-why">With a retention of ${c.days} ${c.days === 1 ? 'day' : 'days'}, <strong>${images}</strong> Loupe holds here ${c.due === 1 ? 'is' : 'are'} past it: the next retention sweep (within the hour) destroys ${c.due === 1 ? 'it' : 'them'} for good, unless a legal hold covers ${c.due === 1 ? 'it' : 'them'}. Nothing has been saved yet.</p>
<label class="check"><input type="checkbox" name="confirmShorter" value="yes" required> I understand: destroy ${images} at the next sweep</label>
</fieldset>`;
}

/** The edit form: one fieldset per part, break-glass on the workspace page, Save and Cancel. */
export function policyForm(f: PolicyFormView): SafeHtml {
  return html`<form method="post" action="${f.action}" class="stack policy-form" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${f.csrf}">
${PART_NAMES.map((part) => partFieldset(f, part))}
${f.level === 'workspace' ? breakGlassFieldset(f) : ''}
${f.confirmShorter ? confirmShorterFieldset(f.confirmShorter) : ''}
<div class="actions"><button type="submit">Save changes</button><a class="button secondary" href="/admin/policies">Cancel</a></div>
</form>`;
}
