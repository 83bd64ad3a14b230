// `loupe deidentify INPUT OUTPUT`: cleaned copies of a file or a folder tree,
// for privacy officers and researchers. Never touches the input.
import { randomBytes } from 'node:crypto';
import { readFile, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { describeError, ErrorCode, isLoupeError } from '../core/errors.js';
import type { ProfileOption } from '../imaging/dicom/profile.js';
import { DEFAULT_LIMITS } from '../imaging/limits.js';
import { DEFAULT_SANDBOX, ImagingSandbox } from '../imaging/sandbox/sandbox.js';
import { TEMP_SUFFIX } from '../storage/atomic-file.js';
import { CliExit, type CliIo } from './context.js';

interface Flags {
  retainModifiedDates?: boolean;
  retainPatientCharacteristics?: boolean;
  retainDeviceIdentity?: boolean;
  retainInstitutionIdentity?: boolean;
  retainUids?: boolean;
  retainSafePrivate?: boolean;
  cleanDescriptors?: boolean;
  secretFile?: string;
}

async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function registerDeidentify(program: Command, io: CliIo): void {
  program
    .command('deidentify')
    .description('write cleaned copies of photos and DICOM files (a file, or a folder walked recursively); the input is never modified')
    .argument('<input>', 'a file or a folder')
    .argument('<output>', 'where the cleaned copies go (same relative names)')
    .option('--retain-modified-dates', 'keep dates, shifted by a fixed number of days per patient (PS3.15 option 113107)')
    .option('--retain-patient-characteristics', 'keep sex, age, size, weight and similar (113108)')
    .option('--retain-device-identity', 'keep device serial numbers and identifiers (113109)')
    .option('--retain-institution-identity', 'keep institution names and addresses (113112)')
    .option('--retain-uids', 'keep the original UIDs (113110)')
    .option('--retain-safe-private', 'keep the private attributes PS3.15 Table E.3.10-1 lists as safe (113111)')
    .option('--clean-descriptors', 'keep descriptions and comments, with patient names and identifiers cut out (113105)')
    .option('--secret-file <file>', 'a file of at least 32 random bytes: the same secret maps the same UIDs and date shifts across runs')
    .action(async (input: string, output: string, flags: Flags) => {
      const from = await realpath(resolve(input)).catch(() => undefined);
      if (!from) {
        io.err(`loupe deidentify: ${input} does not exist`);
        throw new CliExit(2);
      }
      const to = resolve(output);
      if (to === from || to.startsWith(from + sep)) {
        io.err('loupe deidentify: OUTPUT must not be INPUT or inside it');
        throw new CliExit(2);
      }
      let secret: Buffer = randomBytes(32);
      if (flags.secretFile) {
        secret = await readFile(flags.secretFile);
        if (secret.length < 32) {
          io.err('loupe deidentify: the secret file must hold at least 32 bytes');
          throw new CliExit(2);
        }
      }
      const profileOptions: Partial<Record<ProfileOption, boolean>> = {
        retainLongitudinalModifiedDates: Boolean(flags.retainModifiedDates),
        retainPatientCharacteristics: Boolean(flags.retainPatientCharacteristics),
        retainDeviceIdentity: Boolean(flags.retainDeviceIdentity),
        retainInstitutionIdentity: Boolean(flags.retainInstitutionIdentity),
        retainUids: Boolean(flags.retainUids),
        retainSafePrivate: Boolean(flags.retainSafePrivate),
        cleanDescriptors: Boolean(flags.cleanDescriptors),
      };
      // Each file is read in a child process with a time and memory budget: a hostile file fails, it cannot hang the run.
      const sandbox = new ImagingSandbox(DEFAULT_SANDBOX);
      const single = !(await stat(from)).isDirectory();
      // A single file goes to OUTPUT itself, unless OUTPUT is a folder.
      const toFile = single && !(await stat(to).catch(() => undefined))?.isDirectory();
      const cleaned = (name: string, summary: string, warnings: string[]) => {
        counts.cleaned++;
        io.out(`cleaned  ${name}: ${summary}${warnings.length ? `; warning: ${warnings.join('; ')}` : ''}`);
      };
      const counts = { cleaned: 0, skipped: 0, failed: 0 };
      const failed: string[] = [];
      try {
        for (const file of await filesUnder(from)) {
          const name = single ? file.slice(dirname(file).length + 1) : relative(from, file);
          const target = toFile ? to : join(to, name);
          try {
            const input = { input: file, output: target, limits: DEFAULT_LIMITS, secret, profileOptions };
            const result = await sandbox.run('cleanFile', input, (await stat(file)).size).catch(async (error: unknown) => {
              // A child stopped mid-write leaves its temporary file: it goes, so OUTPUT holds only finished copies.
              if (isLoupeError(error, ErrorCode.ImageBudgetExceeded)) await removeTemporaries(target);
              throw error;
            });
            if (result.outcome === 'skipped') {
              counts.skipped++;
              io.out(`skipped  ${name}: ${result.reason}`);
              continue;
            }
            cleaned(name, result.summary, result.warnings);
          } catch (error) {
            counts.failed++;
            failed.push(name);
            io.out(`FAILED   ${name}: ${describeError(error).message}`);
          }
        }
      } finally {
        await sandbox.close();
      }
      io.out(`${counts.cleaned} cleaned, ${counts.skipped} skipped, ${counts.failed} failed`);
      if (counts.failed) {
        io.err(`could not process: ${failed.join(', ')}`);
        throw new CliExit(1);
      }
    });
}

async function removeTemporaries(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX)).map((n) => rm(join(dir, n), { force: true })));
}
