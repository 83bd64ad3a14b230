// Loupe's own ids (assets, patients, holds, workspaces) are UUIDs; text of any
// other shape names none of them, so it is refused before any lookup.
const LOUPE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether text has the shape of one of Loupe's own ids (a UUID). */
export function isLoupeId(text: string): boolean {
  return LOUPE_ID.test(text);
}
