// `loupe retention run [--dry-run]`: the retention sweep now, one plain line
// per asset that goes (or would go, or is held) and a summary; on a terminal
// also a progress bar, redrawn in place below the lines.
import type { Command } from 'commander';
import { runAdmin, type CliIo } from './context.js';

/** Standard output when it is a terminal: where a bar may be redrawn with \r. */
export interface Terminal {
  write(text: string): unknown;
}

const BAR_WIDTH = 20;

/** `[#####...............] 12/40` */
export function progressBar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH)) : BAR_WIDTH;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`;
}

export function registerRetention(program: Command, io: CliIo & { terminal?: Terminal | undefined }): void {
  const retention = program.command('retention').description('crypto-shred images past their retention (legal holds keep theirs)');

  retention
    .command('run')
    .description('shred now every asset past its retention, as the scheduled sweep does; one line per asset')
    .option('--dry-run', 'only say what would be shredded; change nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const tty = io.terminal;
      if (!tty) return runAdmin(io, 'retention run', { dryRun: options.dryRun === true });
      let bar: string | undefined;
      const out = (line: string) => {
        if (bar) tty.write('\r\x1b[K');
        io.out(line);
        if (bar) tty.write(bar);
      };
      try {
        await runAdmin(io, 'retention run', { dryRun: options.dryRun === true }, out, (done, total) => {
          bar = progressBar(done, total);
          tty.write(`\r${bar}`);
          if (done < total) return;
          // Finished: the bar stays as the last line before the summary.
          tty.write('\n');
          bar = undefined;
        });
      } finally {
        // Stopped half-way: what follows (an error) starts on a line of its own.
        if (bar) tty.write('\n');
      }
    });
}
