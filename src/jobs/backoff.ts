/** Exponential backoff with ±20 % jitter, so retries of many failed jobs spread out. */
export function retryDelayMs(attempt: number, random: number, baseMs = 5_000, maxMs = 3_600_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random));
}
