import type { Command } from 'commander';
import { AuditAction } from '../core/audit/event.js';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { KeyRing } from '../crypto/keyring.js';
import { readKeyFile, withKeyFileLock, writeKeyFile } from '../crypto/keyring-source.js';
import { cliConfig, withServices, type CliIo } from './context.js';

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage the key-encryption keys');

  keys
    .command('rotate')
    .description('add a new key-encryption key to the key file, make it active and re-wrap every data key (blob bodies are not rewritten)')
    .action(async () => {
      const { config } = cliConfig(io);
      if (config.keys.source !== 'file') {
        throw new LoupeError(
          ErrorCode.KeysReadOnly,
          'keys come from LOUPE_KEYS: add a new KEK there (activeVersion pointing at it), restart, then run `loupe keys rewrap`',
        );
      }
      const path = config.keys.path;
      await withKeyFileLock(path, async () => {
        // The file is written first: a crash during re-wrapping leaves keys
        // under both versions, all still readable, and `keys rewrap` resumes.
        await writeKeyFile(path, KeyRing.withNewKek(await readKeyFile(path), new Date()));
        await withServices(io, async ({ storage, keyRing, clock }) => {
        await storage.audit.record({
          actor: { type: 'admin', id: 'cli' },
          action: AuditAction.KeysRotated,
          outcome: 'success',
          details: { kekVersion: keyRing.activeVersion },
        });
        const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => clock.now());
        io.out(`key-encryption key version ${keyRing.activeVersion} is active; re-wrapped ${count} data keys`);
        });
      });
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
    .action(() =>
      withServices(io, async ({ storage, clock, keyRing }) => {
        const count = await storage.dataKeys.rewrapAll(storage.db, storage.audit, () => clock.now());
        io.out(`re-wrapped ${count} data keys under version ${keyRing.activeVersion}`);
      }),
    );

  keys
    .command('audit-public-key')
    .description('print the public key that verifies audit checkpoints (give it to auditors)')
    .action(() =>
      withServices(io, async ({ keyRing }) => {
        io.out(keyRing.auditPublicKeyPem().trimEnd());
      }),
    );
}
