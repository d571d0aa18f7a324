#!/usr/bin/env node
/** Entry point of the `headroom` command (run with tsx; see bin/headroom.mjs). */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  now: () => Date.now(),
});
