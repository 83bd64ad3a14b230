// `loupe teaching revoke SHARE_ID`: ends a teaching share's link at once, as
// an admin of its workspace would (audited as teaching_share.revoked by the
// command line). Runs inside a running `loupe serve` when it holds the database.
import type { Command } from 'commander';
import { runAdmin, type CliIo } from './context.js';

export function registerTeaching(program: Command, io: CliIo): void {
  const teaching = program.command('teaching').description('de-identified copies shared for teaching');
  teaching
    .command('revoke')
    .description("end a teaching share's link (its id, from the audit trail's teaching_share.created)")
    .argument('<share-id>', "the share's id")
    .action(async (shareId: string) => {
      await runAdmin(io, 'teaching revoke', { shareId });
    });
}
