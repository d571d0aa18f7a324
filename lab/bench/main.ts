/** `tsx lab/bench/main.ts`: the benchmark without the CLI (the CLI's `bench` calls runBench too). */
import { resolve } from 'node:path';
import { runBench } from './runner.js';
import { speedLines } from './frontierMarkdown.js';
import { BENCH_TRACES } from './benchSetup.js';
import { checkTracesPresent, DEFAULT_TRACES_DIR } from './traceSources.js';

const tracesDir = resolve(process.cwd(), process.argv[2] ?? DEFAULT_TRACES_DIR);
checkTracesPresent(tracesDir, BENCH_TRACES);
const outcome = await runBench({
  tracesDir,
  outDir: resolve(process.cwd(), process.argv[3] ?? 'bench-results'),
  now: () => performance.now(),
  cpuSeconds: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(
  `${speedLines(outcome.speeds).join('\n')}\n` +
    `Done in ${outcome.wallSeconds.toFixed(1)} s wall, ${outcome.cpuSeconds.toFixed(1)} s CPU, ${outcome.workers} workers.\n` +
    `${outcome.files.json}\n${outcome.files.markdown}\n${outcome.files.html}\n`,
);
