// Jobs have neutral names; jobs queued under their former Slack names (in a
// database from before) still run, through the same handlers.
import { describe, expect, it } from 'vitest';
import { appJobHandlers, type AppJobDeps } from '../../src/app/job-handlers.js';
import { AppJob, FORMER_JOB_NAMES } from '../../src/app/job-names.js';
import { deadLetterJob } from '../../src/storage/job-queue.js';

describe('the use cases’ job handlers', () => {
  const handlers = appJobHandlers({} as AppJobDeps);

  it('answers to every neutral name', () => {
    for (const name of Object.values(AppJob)) expect(handlers[name], name).toBeTypeOf('function');
    expect(handlers[deadLetterJob(AppJob.Ingest)]).toBeTypeOf('function');
  });

  it('runs jobs queued under the former Slack names, and their dead letters, with the same handlers', () => {
    expect(Object.keys(FORMER_JOB_NAMES).sort()).toEqual(['slack.ingest', 'slack.recheck_removal', 'slack.remove_original', 'slack.update_card']);
    for (const [former, current] of Object.entries(FORMER_JOB_NAMES)) expect(handlers[former], former).toBe(handlers[current]);
    expect(handlers[deadLetterJob('slack.ingest')]).toBe(handlers[deadLetterJob(AppJob.Ingest)]);
  });
});
