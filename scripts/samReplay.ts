/**
 * `npm run build:sam-replay [-- --offline]`: `sam build` step by step, as SAM's esbuild builder runs
 * it for every function (scripts/samEsbuild.ts): copy the CodeUri without node_modules, install
 * production dependencies, bundle with the esbuild of that install. Prints how long each function
 * took and the total: what a first `sam build` costs on this machine, without SAM itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildOne, buildTargets, codeBytes, kib } from './build.js';
import { readTemplate } from './iamTemplate.js';
import { copySource, installArgs } from './samEsbuild.js';

const offline = process.argv.includes('--offline') ? ['--offline'] : [];
const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'headroom-sam-replay-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
try {
  const started = performance.now();
  for (const target of buildTargets(readTemplate(resolve(root, 'template.yaml')), root)) {
    const t0 = performance.now();
    const scratch = join(work, target.logicalId, 'scratch');
    copySource(target.sourceDir, scratch);
    const t1 = performance.now();
    execFileSync('npm', [...installArgs(target.buildProperties), ...offline], {
      cwd: scratch,
      stdio: 'ignore',
    });
    const t2 = performance.now();
    const result = await buildOne(
      { ...target, sourceDir: scratch },
      join(work, target.logicalId, 'artifacts'),
      scratch,
    );
    const t3 = performance.now();
    console.log(
      `${target.logicalId}: copy ${seconds(t1 - t0)}, install ${seconds(t2 - t1)}, bundle ${seconds(t3 - t2)}` +
        ` -> ${kib(codeBytes(result.files))}`,
    );
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`sam build replay: ${seconds(performance.now() - started)} in all`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
