// The use cases' job handlers, under their neutral names and their former
// ones (see FORMER_JOB_NAMES). Registered once in main.ts, whatever platforms
// are configured: each job finds its platform from its workspace.
import { ErrorCode, LoupeError } from '../core/errors.js';
import { deadLetterJob } from '../storage/job-queue.js';
import type { JobHandler } from '../jobs/worker.js';
import { abandonPreparedUpload, abandonUpload, ingestUpload, prepareUpload, type IngestUploadDeps } from './ingest-upload.js';
import { AppJob, FORMER_JOB_NAMES } from './job-names.js';
import { recheckRemoval } from './recheck-removal.js';
import { redrawCard } from './redraw-card.js';
import { removeOriginal } from './remove-original.js';

export interface AppJobDeps extends IngestUploadDeps {
  recheckAfterMs: number;
}

const idIn = (payload: unknown, field: 'assetId' | 'cardId'): string => {
  const id = (payload as Record<string, unknown> | null)?.[field];
  if (typeof id !== 'string') throw new LoupeError(ErrorCode.InvalidInput, `job payload without ${field === 'assetId' ? 'an asset' : 'a card'} id`);
  return id;
};

export function appJobHandlers(deps: AppJobDeps): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {
    [AppJob.Ingest]: (payload, context) => ingestUpload(deps, { assetId: idIn(payload, 'assetId'), retried: context.attempt > 1 }),
    [deadLetterJob(AppJob.Ingest)]: (payload) => abandonUpload(deps, { assetId: idIn(payload, 'assetId') }),
    [AppJob.Prepare]: (payload, context) => prepareUpload(deps, { assetId: idIn(payload, 'assetId'), retried: context.attempt > 1 }),
    [deadLetterJob(AppJob.Prepare)]: (payload) => abandonPreparedUpload(deps, { assetId: idIn(payload, 'assetId') }),
    [AppJob.RemoveOriginal]: (payload) => removeOriginal(deps, { assetId: idIn(payload, 'assetId') }),
    [AppJob.RecheckRemoval]: (payload) => recheckRemoval(deps, { assetId: idIn(payload, 'assetId'), final: (payload as { final?: unknown }).final !== false }),
    [AppJob.UpdateCard]: (payload) => redrawCard(deps, { cardId: idIn(payload, 'cardId'), keepLinks: (payload as { keepLinks?: unknown }).keepLinks === true }),
  };
  for (const [former, current] of Object.entries(FORMER_JOB_NAMES)) {
    handlers[former] = handlers[current]!;
    const dead = handlers[deadLetterJob(current)];
    if (dead) handlers[deadLetterJob(former)] = dead;
  }
  return handlers;
}
