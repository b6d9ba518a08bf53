#!/usr/bin/env node
import { Interrupted } from './interrupt.js';
import { runCli } from './program.js';

// The only place that touches the process: argv, env, signals and the exit code.
const controller = new AbortController();

// A reader that goes away (`assess run … | head`) is not an error worth a stack trace: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
let interrupted = false;
// First SIGINT/SIGTERM: the running command winds down (run: cancel desks; watch: stop polling,
// grace for runs in flight). The abort reason names the signal, so a command can exit with its code
// (watch: 130 or 143). A second one quits at once.
const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
  if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
  interrupted = true;
  process.stderr.write(`\nassess: ${signal}; winding down (send it again to quit now)\n`);
  controller.abort(new Interrupted(signal));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
