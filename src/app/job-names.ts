// The durable jobs of the use cases, by neutral names: each finds its chat
// platform from its workspace. A platform's own jobs (Slack's file_shared
// recovery, its reconciliation) are named by the platform.
export const AppJob = {
  Ingest: 'upload.ingest',
  /** Runs in the worker's imaging lane: one at a time per imaging sandbox child. */
  Prepare: 'upload.prepare',
  RemoveOriginal: 'original.remove',
  RecheckRemoval: 'original.recheck_removal',
  UpdateCard: 'card.update',
} as const;

export type AppJobName = (typeof AppJob)[keyof typeof AppJob];

/**
 * The names these jobs had when they lived in the Slack adapter. Jobs already
 * queued under them in a database (and their dead letters) must still run
 * after an upgrade, so each is also registered under its former name.
 */
export const FORMER_JOB_NAMES: Readonly<Record<string, AppJobName>> = {
  'slack.ingest': AppJob.Ingest,
  'slack.remove_original': AppJob.RemoveOriginal,
  'slack.recheck_removal': AppJob.RecheckRemoval,
  'slack.update_card': AppJob.UpdateCard,
};
