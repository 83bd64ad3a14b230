// `loupe deidentify INPUT OUTPUT`: cleaned copies of a file or a folder tree,
// for privacy officers and researchers. Never touches the input.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../core/errors.js';
import { FileCleaner, describeDicom } from '../imaging/clean-file.js';
import { Deidentifier } from '../imaging/dicom/deidentify.js';
import { deidentifyDicomFile } from '../imaging/dicom/file.js';
import { SNIFF_BYTES, sniff } from '../imaging/sniff.js';
import type { ProfileOption } from '../imaging/dicom/profile.js';
import { DEFAULT_LIMITS } from '../imaging/limits.js';
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

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
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
      const cleaner = new FileCleaner({ limits: DEFAULT_LIMITS, secret, profileOptions });
      const deidentifier = new Deidentifier();
      const single = !(await stat(from)).isDirectory();
      // A single file goes to OUTPUT itself, unless OUTPUT is a folder.
      const toFile = single && !(await stat(to).catch(() => undefined))?.isDirectory();
      const cleaned = (name: string, summary: string, warnings: string[]) => {
        counts.cleaned++;
        io.out(`cleaned  ${name}: ${summary}${warnings.length ? `; warning: ${warnings.join('; ')}` : ''}`);
      };
      const counts = { cleaned: 0, skipped: 0, failed: 0 };
      const failed: string[] = [];
      for (const file of await filesUnder(from)) {
        const name = single ? file.slice(dirname(file).length + 1) : relative(from, file);
        const target = toFile ? to : join(to, name);
        try {
          if (sniff(await readHead(file)).family === 'dicom') {
            // DICOM streams from file to file, so a 500 MB series needs no 500 MB of memory.
            if (await stat(target).then(() => true, () => false)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
            await mkdir(dirname(target), { recursive: true });
            const r = await deidentifyDicomFile(file, target, deidentifier, { secret, options: profileOptions, limits: DEFAULT_LIMITS });
            const { summary, warnings } = describeDicom(r.facts, r.report, r.droppedTrailing);
            cleaned(name, summary, warnings);
            continue;
          }
          const result = await cleaner.clean(await readFile(file));
          if (result.outcome === 'skipped') {
            counts.skipped++;
            io.out(`skipped  ${name}: ${result.reason}`);
            continue;
          }
          // A HEIC now holding a JPEG gets `.jpg` appended: clear to tools that go by name, and no clash with a neighbour.
          const photoTarget = result.extension ? target + result.extension : target;
          await mkdir(dirname(photoTarget), { recursive: true });
          await writeFile(photoTarget, result.data, { flag: 'wx', mode: 0o600 });
          cleaned(name, result.summary, result.warnings);
        } catch (error) {
          counts.failed++;
          failed.push(name);
          const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
          io.out(`FAILED   ${name}: ${exists ? 'already exists in OUTPUT; not overwritten' : describeError(error).message}`);
        }
      }
      io.out(`${counts.cleaned} cleaned, ${counts.skipped} skipped, ${counts.failed} failed`);
      if (counts.failed) {
        io.err(`could not process: ${failed.join(', ')}`);
        throw new CliExit(1);
      }
    });
}
