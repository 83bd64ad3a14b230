#!/usr/bin/env node
import { runCli } from './program.js';

const status = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  stdin: process.stdin,
  stdout: process.stdout,
});
// Exit now: a Slack or database client still retrying after a refused start must not keep the process up.
process.exit(status);
