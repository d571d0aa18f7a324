#!/usr/bin/env node
/** Entry point of the `headroom` command (run with tsx; see bin/headroom.mjs). */
import { runCli } from './run.js';

// A reader that stops early (`headroom simulate | head -1`) closes the pipe: that is not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  now: () => Date.now(),
});
