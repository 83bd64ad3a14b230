// Builds the storage layer from its parts; the composition root and the tests
// both use this, so they exercise the same wiring.
import type { Clock } from '../core/clock.js';
import type { AuditRecord } from '../core/audit/event.js';
import type { KeyRing } from '../crypto/keyring.js';
import { AuditLog } from './audit-log.js';
import { ChannelPolicies } from './channel-policies.js';
import type { BlobStore } from './blob-store.js';
import { DataKeys } from './data-keys.js';
import type { Database } from './database.js';
import { EncryptedBlobs } from './encrypted-blobs.js';
import { ConsentChanges } from './consent-changes.js';
import { Consents } from './consents.js';
import { LegalHolds } from './legal-holds.js';
import { Patients } from './patients.js';
import { Workspaces } from './workspaces.js';
import { viewerRepos, type ViewerRepos } from './viewer-repos.js';

export interface StorageOptions {
  db: Database;
  keyRing: KeyRing;
  clock: Clock;
  blobStore: BlobStore;
  checkpointInterval: number;
  maxBlobBytes: number;
  onAuditAppend?: (record: AuditRecord) => void;
}

export interface Storage {
  db: Database;
  audit: AuditLog;
  dataKeys: DataKeys;
  blobs: EncryptedBlobs;
  workspaces: Workspaces;
  patients: Patients;
  policies: ChannelPolicies;
  legalHolds: LegalHolds;
  consents: Consents;
  /** Told after a patient's consent changes (in this process only): see consent-changes.ts. */
  consentChanges: ConsentChanges;
  blobStore: BlobStore;
  viewer: ViewerRepos;
}

export function createStorage(o: StorageOptions): Storage {
  const audit = new AuditLog({
    db: o.db,
    keyRing: o.keyRing,
    clock: o.clock,
    checkpointInterval: o.checkpointInterval,
    ...(o.onAuditAppend ? { onAppend: o.onAuditAppend } : {}),
  });
  const dataKeys = new DataKeys(o.keyRing);
  const workspaces = new Workspaces(o.db, dataKeys, audit);
  return {
    db: o.db,
    audit,
    dataKeys,
    blobs: new EncryptedBlobs({ db: o.db, store: o.blobStore, dataKeys, audit, clock: o.clock, maxBlobBytes: o.maxBlobBytes }),
    workspaces,
    patients: new Patients(o.db, dataKeys, workspaces, audit),
    policies: new ChannelPolicies(o.db, audit),
    legalHolds: new LegalHolds(o.db, audit, o.clock),
    consents: new Consents(o.db),
    consentChanges: new ConsentChanges(),
    blobStore: o.blobStore,
    viewer: viewerRepos(o.db),
  };
}
