// Slack Web API failures, told apart by the error code Slack names.

/** The error code of a failed Slack Web API call (undefined for anything else, such as network trouble). */
export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Slack says the file is gone: deleted, or never there. */
export const isFileGone = (code: string | undefined) => code === 'file_not_found' || code === 'file_deleted';
