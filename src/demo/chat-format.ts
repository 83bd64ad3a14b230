// Loupe's chat formatting as Slack and Teams show it, for the demo pages: a
// message's text (Slack mrkdwn, or a Teams bot's markdown) as a list of parts
// that the page turns into elements with textContent and createElement, never
// HTML, since a message's text may be what somebody typed. Only http(s) links
// become links; any other link is its text. The two parsers are pure and
// self-contained (no imports, no outer names): the pages' script embeds
// their source as it is (CHAT_FORMAT_JS).

export type FormatPart =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; text: string }
  | { kind: 'italic'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'break' };

export interface SlackNames {
  /** A person's name for `<@U…>`. */
  mention(userId: string): string;
  /** `<!date^seconds^format|fallback>` in the reader's zone. */
  date(epochSeconds: number): string;
}

/** Slack mrkdwn: `*bold*`, `_italic_`, `` `code` ``, `<url|text>`, mentions, dates, `&lt;` `&gt;` `&amp;`, line breaks. */
export function slackParts(source: string, names: SlackNames): FormatPart[] {
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/:lock:/g, '\u{1F512}');
  const web = (href: string) => /^https?:\/\/[^\s]+$/i.test(href);
  const out: FormatPart[] = [];
  const text = (t: string) => {
    if (t) out.push({ kind: 'text', text: t });
  };
  // Bare web addresses, which Slack links as it shows them.
  const plain = (s: string) => {
    let at = 0;
    for (const m of s.matchAll(/https?:\/\/[^\s<>]*[^\s<>.,;:!?)]/gi)) {
      text(decode(s.slice(at, m.index)));
      out.push({ kind: 'link', href: decode(m[0]), text: decode(m[0]) });
      at = m.index + m[0].length;
    }
    text(decode(s.slice(at)));
  };
  // `<…>`: a mention, a date, a link, or (when it is none of Slack's forms) the text as typed.
  const angle = (inner: string, whole: string) => {
    const bar = inner.indexOf('|');
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? undefined : inner.slice(bar + 1);
    if (/^@[UW][A-Z0-9]+$/.test(target)) return text('@' + names.mention(target.slice(1)));
    if (/^#C[A-Z0-9]+$/.test(target)) return text('#' + decode(label ?? target.slice(1)));
    const date = /^!date\^(\d+)\^/.exec(target);
    if (date) return text(names.date(Number(date[1])));
    if (/^!(here|channel|everyone)$/.test(target)) return text('@' + target.slice(1));
    if (web(target)) return void out.push({ kind: 'link', href: decode(target), text: decode(label ?? target) });
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return text(decode(label ?? target));
    text(whole);
  };
  const token = /`([^`\n]+)`|<([^<>\n]*)>|(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])|(?<![\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])|\n/gu;
  let at = 0;
  for (const m of source.matchAll(token)) {
    plain(source.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[1] !== undefined) out.push({ kind: 'code', text: decode(m[1]) });
    else if (m[2] !== undefined) angle(m[2], m[0]);
    else if (m[3] !== undefined) out.push({ kind: 'bold', text: decode(m[3]) });
    else if (m[4] !== undefined) out.push({ kind: 'italic', text: decode(m[4]) });
    else out.push({ kind: 'break' });
  }
  plain(source.slice(at));
  return out;
}

export interface TeamsDates {
  /** `{{DATE(iso, SHORT)}}` in the reader's zone. */
  date(iso: string): string;
  /** `{{TIME(iso)}}` in the reader's zone. */
  time(iso: string): string;
}

/**
 * A Teams bot's markdown (messages and Adaptive Card text): `**bold**`,
 * `*italic*` or `_italic_`, `` `code` ``, `[text](url)`, backslash escapes,
 * `- ` lists, `<at>` mentions, DATE()/TIME(). As Teams shows it, a single
 * line break joins two lines into one paragraph; an empty line separates
 * paragraphs and each list item is a line of its own.
 */
export function teamsParts(source: string, dates: TeamsDates): FormatPart[] {
  const unescape = (s: string) => s.replace(/\\([\\`*_{}[\]()<>#+\-.!~|])/g, '$1');
  const web = (href: string) => /^https?:\/\/[^\s]+$/i.test(href);
  const filled = source
    .replace(/<at>([^<]*)<\/at>/g, '@$1')
    .replace(/\{\{DATE\(([^,)]+), SHORT\)\}\}/g, (_, d: string) => dates.date(d))
    .replace(/\{\{TIME\(([^)]+)\)\}\}/g, (_, d: string) => dates.time(d));
  const lines: string[] = [];
  let joinable = false;
  for (const raw of filled.split('\n')) {
    const line = raw.trim();
    const item = /^[-*+] (.*)$/.exec(line);
    if (!line) {
      if (lines.length && lines[lines.length - 1] !== '') lines.push('');
      joinable = false;
    } else if (item) {
      lines.push('• ' + item[1]);
      joinable = false;
    } else if (joinable) {
      lines[lines.length - 1] += ' ' + line;
    } else {
      lines.push(line);
      joinable = true;
    }
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const out: FormatPart[] = [];
  const text = (t: string) => {
    if (t) out.push({ kind: 'text', text: t });
  };
  const token = /\\[\\`*_{}[\]()<>#+\-.!~|]|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>]*[^\s<>.,;:!?)])|\*\*(?=\S)(.*?\S)\*\*|(?<![\p{L}\p{N}*\\])\*(?=[^\s*])([^*]*?[^\s*\\])\*(?!\*)|(?<![\p{L}\p{N}_\\])_(?=\S)([^_]*?[^\s\\])_(?![\p{L}\p{N}_])/gu;
  lines.forEach((line, i) => {
    if (i) out.push({ kind: 'break' });
    let at = 0;
    let pending = '';
    const flush = () => {
      text(pending);
      pending = '';
    };
    for (const m of line.matchAll(token)) {
      pending += line.slice(at, m.index);
      at = m.index + m[0].length;
      if (m[0].startsWith('\\')) {
        pending += m[0].slice(1);
        continue;
      }
      flush();
      if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
      else if (m[2] !== undefined && m[3] !== undefined) {
        if (web(m[3])) out.push({ kind: 'link', href: m[3], text: unescape(m[2]) });
        else text(unescape(m[2]));
      } else if (m[4] !== undefined) out.push({ kind: 'link', href: m[4], text: m[4] });
      else if (m[5] !== undefined) out.push({ kind: 'bold', text: unescape(m[5]) });
      else out.push({ kind: 'italic', text: unescape(m[6] ?? m[7] ?? '') });
    }
    pending += line.slice(at);
    flush();
  });
  return out;
}

/**
 * The pages' script: both parsers, and `formatted(tag, cls, parts)`, which
 * builds an element of the parts (PAGE_HELPERS' `el` comes first).
 */
export const CHAT_FORMAT_JS = `${slackParts.toString()}
${teamsParts.toString()}
const FORMAT_TAGS = { bold: 'strong', italic: 'em', code: 'code' };
function formatted(tag, cls, parts) {
  const box = el(tag, cls);
  for (const p of parts) {
    if (p.kind === 'break') box.append(el('br'));
    else if (p.kind === 'link' && /^https?:\\/\\//i.test(p.href)) { const a = el('a', '', p.text); a.href = p.href; a.target = '_blank'; a.rel = 'noopener noreferrer'; box.append(a); }
    else if (FORMAT_TAGS[p.kind]) box.append(el(FORMAT_TAGS[p.kind], '', p.text));
    else box.append(document.createTextNode(p.text));
  }
  return box;
}
`;
