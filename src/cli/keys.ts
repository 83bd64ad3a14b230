import type { Command } from 'commander';
import { KeyRing } from '../crypto/keyring.js';
import { rotatableKeyFile } from './admin-commands.js';
import { cliConfig, runAdmin, type CliIo } from './context.js';

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage the key-encryption keys');

  keys
    .command('rotate')
    .description('add a new key-encryption key to the key file, make it active and re-wrap every data key (blob bodies are not rewritten)')
    .action(async () => {
      // Refused before anything is opened: the database does not know keys that were never rotated in.
      rotatableKeyFile(cliConfig(io).config);
      await runAdmin(io, 'keys rotate');
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
    .action(() => runAdmin(io, 'keys rewrap'));

  keys
    .command('audit-public-key')
    .description('print the public key that verifies audit checkpoints (give it to auditors)')
    .action(() => runAdmin(io, 'keys audit-public-key'));
}
