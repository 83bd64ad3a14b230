// A sandbox child: runs one imaging task at a time for its parent and answers
// with the result or a typed error. It exits when its parent goes away.
import { asImagingError, UnexpectedImagingError } from '../errors.js';
import { taskRunners, type TaskName } from './tasks.js';

interface Request {
  id: number;
  task: TaskName;
  input: never;
}

function main(): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('the imaging sandbox child must be started by its parent');
  const runners = taskRunners();
  process.on('message', (m: Request) => {
    (runners[m.task] as (input: never) => Promise<unknown>)(m.input).then(
      (result) => send({ id: m.id, ok: true, result }),
      (error: unknown) => {
        const typed = asImagingError(error);
        // Said apart, so the fuzz script can tell a typed refusal from a library failure the safety net caught.
        const cause = typed instanceof UnexpectedImagingError ? typed.cause : undefined;
        const foreign = cause === undefined ? undefined : cause instanceof Error ? cause.name : typeof cause;
        send({ id: m.id, ok: false, code: typed.code, message: typed.message, foreign });
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

main();
