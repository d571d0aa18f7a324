#!/usr/bin/env node
// Launches the `headroom` CLI (TypeScript) with tsx under the project's own Node.js 22 (the `node`
// devDependency), whichever Node started this script, so `npx headroom …` behaves like `npm run headroom`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const main = fileURLToPath(new URL('../lab/cli/main.ts', import.meta.url));
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
const node = existsSync(projectNode) ? projectNode : process.execPath;
const tsx = require.resolve('tsx/cli');

// The project's tsconfig maps @headroom/* imports; tsx would otherwise look for one in the caller's folder.
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const child = spawn(node, [tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  // A child killed by a signal exits as a shell would report it: 128 + the signal number.
  process.exitCode = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
});
