// The demo pages show Loupe's answers formatted as Slack and Teams would:
// what a reader sees of each kind of text, as parts the page turns into elements.
import { describe, expect, it } from 'vitest';
import { CHAT_FORMAT_JS, slackParts, teamsParts, type FormatPart, type SlackNames, type TeamsDates } from '../../src/demo/chat-format.js';
import { describePolicy, policyUsage, SLACK_STYLE, TEAMS_STYLE } from '../../src/chat/command-text.js';
import { DEFAULT_POLICY } from '../../src/core/policy/channel-policy.js';

const names: SlackNames = { mention: (id) => (id === 'U0ALICE' ? 'Alice' : id), date: (s) => `at ${s}` };
const dates: TeamsDates = { date: (d) => `day ${d}`, time: (d) => `time ${d}` };
const slack = (s: string) => slackParts(s, names);
const teams = (s: string) => teamsParts(s, dates);
/** What the reader sees, markup aside. */
const shown = (parts: FormatPart[]) => parts.map((p) => (p.kind === 'break' ? '\n' : p.text)).join('');
/** The parts in a short notation of this test's own: {b|bold}, {i|italic}, {code|code}, {https://…|link}, and a line break as {br}. */
const marked = (parts: FormatPart[]) =>
  parts.map((p) => (p.kind === 'break' ? '{br}' : p.kind === 'text' ? p.text : `{${p.kind === 'link' ? p.href : p.kind}|${p.text}}`)).join('');

describe('Slack mrkdwn in the demo', () => {
  it.each([
    ['bold, italic and code, with the entities decoded', '*Interception:* on, _quietly_, `a &lt;b&gt; &amp; c`', '{bold|Interception:} on, {italic|quietly}, {code|a <b> & c}'],
    ['stars and underscores inside words and code as they are', '2*3*4 loupe_card_x `*x*`', '2*3*4 loupe_card_x {code|*x*}'],
    ['line breaks and bullets', '• one\n• two', '• one{br}• two'],
    [
      'only web addresses as links, any other link as its text',
      '<https://example.org/a?b=1&amp;c=2|the guide> <javascript:alert(1)|click> see https://example.org/x.',
      '{https://example.org/a?b=1&c=2|the guide} click see {https://example.org/x|https://example.org/x}.',
    ],
    [
      'people and dates by name, and markup somebody typed as typed',
      '<@U0ALICE> at <!date^1700000000^{date_short_pretty}|2023-11-14 22:13 UTC> <script>alert(1)</script> <b>x</b>',
      '@Alice at at 1700000000 <script>alert(1)</script> <b>x</b>',
    ],
  ])('shows %s', (_, source, expected) => expect(marked(slack(source))).toBe(expected));

  it('shows /loupe policy with bold labels and nothing of the markup', () => {
    const parts = slack(describePolicy({ ...DEFAULT_POLICY, identifierPattern: 'MRN<\\d+>', identifierIssuer: 'H' }, SLACK_STYLE));
    expect(marked(parts)).toContain('• {bold|Interception:} off{br}');
    expect(marked(parts)).toContain('{code|MRN<\\d+>}');
    expect(shown(parts)).not.toMatch(/\*|&lt;|&gt;|&amp;|`/);
    expect(shown(slack(policyUsage(SLACK_STYLE)))).not.toMatch(/\*|`/);
  });
});

describe('Teams markdown in the demo', () => {
  it.each([
    ['bold, italic, code and escapes', '**View** opens _it_ or *it*: `a*b` a\\_b\\*c', '{bold|View} opens {italic|it} or {italic|it}: {code|a*b} a_b*c'],
    ['single line breaks joined, paragraphs kept and each list item on a line', 'one\ntwo\n\nthree\n- a\n- b', 'one two{br}{br}three{br}• a{br}• b'],
    [
      'only web addresses as links, with mentions and dates filled in',
      '[guide](https://example.org) [x](javascript:void(0)) <at>Alice</at> {{DATE(2024-01-02T03:04:05Z, SHORT)}}',
      '{https://example.org|guide} x) @Alice day 2024-01-02T03:04:05Z',
    ],
  ])('shows %s', (_, source, expected) => expect(marked(teams(source))).toBe(expected));

  it('shows @Loupe policy with bold labels and nothing of the markup', () => {
    const parts = teams(describePolicy(DEFAULT_POLICY, TEAMS_STYLE));
    expect(marked(parts)).toContain('• {bold|Interception:} off{br}');
    expect(shown(parts)).not.toMatch(/\*|`/);
    expect(shown(teams(policyUsage(TEAMS_STYLE)))).not.toMatch(/\*\*|`/);
  });
});

describe("the pages' script", () => {
  it('runs the parsers on their own, as the page embeds them', () => {
    const embedded = new Function('el', 'document', `${CHAT_FORMAT_JS}\nreturn { slackParts, teamsParts };`) as (...a: unknown[]) => { slackParts: typeof slackParts; teamsParts: typeof teamsParts };
    const { slackParts: s, teamsParts: t } = embedded(undefined, undefined);
    expect(s('*a* `b`', names)).toEqual(slack('*a* `b`'));
    expect(t('**a** `b`', dates)).toEqual(teams('**a** `b`'));
  });
});
