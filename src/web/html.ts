// Text placed into server-rendered HTML, as character references.
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markup already escaped (or written by Loupe): `html` places it as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Slot = SafeHtml | string | number | boolean | null | undefined | readonly Slot[];

function place(v: Slot): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(place).join('');
  return escapeHtml(String(v));
}

/** A template of server-rendered markup whose values are escaped unless they are SafeHtml: safe by default. */
export function html(strings: TemplateStringsArray, ...values: Slot[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? place(values[i] as Slot) : ''), ''));
}
