import type { Command } from 'commander';
import { AuditAction } from '../core/audit/event.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { KeyRing } from '../crypto/keyring.js';
import { readKeyFile, writeKeyFile } from '../crypto/keyring-source.js';
import { openServices } from '../main.js';
import { createStorage } from '../storage/services.js';
import { FolderBlobStore } from '../storage/folder-blob-store.js';
import { syncKeyVersions } from '../storage/key-versions.js';
import { cliConfig, type CliIo } from './context.js';

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage the key-encryption keys');

  keys
    .command('rotate')
    .description('add a new key-encryption key to the key file, make it active and re-wrap every data key (blob bodies are not rewritten)')
    .action(async () => {
      const { config, logger } = cliConfig(io);
      if (config.keys.source !== 'file') {
        throw new LoupeError(
          ErrorCode.KeysReadOnly,
          'keys come from LOUPE_KEYS: add a new KEK there (activeVersion pointing at it), restart, then run `loupe keys rewrap`',
        );
      }
      const services = await openServices(config, logger);
      try {
        const next = KeyRing.withNewKek(await readKeyFile(config.keys.path), services.clock.now());
        // The file is written first: a crash during re-wrapping leaves keys
        // under both versions, all still readable, and `keys rewrap` resumes.
        await writeKeyFile(config.keys.path, next);
        const ring = KeyRing.parse(JSON.stringify(next));
        await syncKeyVersions(services.storage.db, ring);
        const storage = createStorage({
          db: services.storage.db,
          keyRing: ring,
          clock: services.clock,
          blobStore: new FolderBlobStore(config.blobDir),
          checkpointInterval: config.auditCheckpointInterval,
          maxBlobBytes: config.maxBlobBytes,
        });
        await storage.audit.record({
          actor: { type: 'admin', id: 'cli' },
          action: AuditAction.KeysRotated,
          outcome: 'success',
          details: { kekVersion: ring.activeVersion },
        });
        const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => services.clock.now());
        io.out(`key-encryption key version ${ring.activeVersion} is active; re-wrapped ${count} data keys`);
      } finally {
        await services.close();
      }
    });

  keys
    .command('generate')
    .description('print a new key ring (JSON) for LOUPE_KEYS or a key file; touches no database')
    .action(() => {
      io.out(JSON.stringify(KeyRing.generateFile(new Date())));
    });

  keys
    .command('rewrap')
    .description('re-wrap every data key still under an older key-encryption key (resumes an interrupted rotation)')
    .action(async () => {
      const { config, logger } = cliConfig(io);
      const services = await openServices(config, logger);
      try {
        const { storage } = services;
        const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => services.clock.now());
        io.out(`re-wrapped ${count} data keys under version ${services.keyRing.activeVersion}`);
      } finally {
        await services.close();
      }
    });

  keys
    .command('audit-public-key')
    .description('print the public key that verifies audit checkpoints (give it to auditors)')
    .action(async () => {
      const { config, logger } = cliConfig(io);
      const services = await openServices(config, logger);
      try {
        io.out(services.keyRing.auditPublicKeyPem().trimEnd());
      } finally {
        await services.close();
      }
    });
}
