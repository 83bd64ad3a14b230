// Rows as JSON text, for asserting what a row does not contain: audit events
// carry bigint positions (seq, chainSeq), which JSON.stringify refuses.
export const asJson = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
