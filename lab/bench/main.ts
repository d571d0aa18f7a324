/** `tsx lab/bench/main.ts`: the benchmark without the CLI (the CLI's `bench` calls runBench too). */
import { resolve } from 'node:path';
import { runBench } from './runner.js';

const outcome = await runBench({
  tracesDir: resolve(process.cwd(), process.argv[2] ?? '../shared/data/traces'),
  outDir: resolve(process.cwd(), process.argv[3] ?? 'bench-results'),
  now: () => performance.now(),
  cpuSeconds: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(
  `Done in ${outcome.wallSeconds.toFixed(1)} s wall, ${outcome.cpuSeconds.toFixed(1)} s CPU.\n` +
    `${outcome.files.json}\n${outcome.files.markdown}\n${outcome.files.html}\n`,
);
