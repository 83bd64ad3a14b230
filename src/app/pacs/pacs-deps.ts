// What sending images to the hospital's PACS needs: storage, the queue, the
// imaging sandbox (a photo is decoded to become DICOM), and the PACS itself.
import type { PacsConfig } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import type { ImagingSandbox } from '../../imaging/sandbox/sandbox.js';
import type { AuditLog } from '../../storage/audit-log.js';
import type { ChannelPolicies } from '../../storage/channel-policies.js';
import type { Database } from '../../storage/database.js';
import type { EncryptedBlobs } from '../../storage/encrypted-blobs.js';
import type { JobQueue } from '../../storage/job-queue.js';
import type { Patients } from '../../storage/patients.js';

export interface PacsDeps {
  db: Database;
  audit: AuditLog;
  queue: JobQueue;
  clock: Clock;
  blobs: EncryptedBlobs;
  patients: Pick<Patients, 'read'>;
  policies: Pick<ChannelPolicies, 'effective'>;
  sandbox: ImagingSandbox;
  /** Unset: no PACS configured; every request is refused. */
  pacs: PacsConfig | undefined;
  /** Written into a photo's DICOM header (Software Versions). */
  softwareVersion: string;
  /** The largest image sent (the whole instance is held in memory for the request). */
  maxExportBytes: number;
}

export const PACS_EXPORT_JOB = 'pacs.export';
