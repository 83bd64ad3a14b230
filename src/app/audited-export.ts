// An export is recorded after it ran: as a success, or as a failure when it
// was cut short, since what it wrote before stopping has still left Loupe.
// The first error is the one reported.
export async function auditedExport<T>(run: () => Promise<T>, recorded: (outcome: 'success' | 'failure') => Promise<unknown>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await recorded('failure').catch(() => undefined);
    throw error;
  }
  await recorded('success');
  return result;
}
