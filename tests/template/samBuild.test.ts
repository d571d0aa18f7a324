/**
 * The builder replay: `sam build`'s esbuild workflow, step by step, on this repository, with nothing
 * but what docs/deploy.md lists (Node.js 22 and npm): copy the CodeUri without node_modules, .git and
 * .aws-sam; install as SAM installs (production dependencies only; offline here, from npm's cache);
 * find esbuild in the copy's node_modules/.bin, where SAM looks first (SAM CLI issue #4183); bundle
 * each function with its own Metadata; then load each bundle as Lambda loads it, with the environment
 * the template sets, and check that it exports its handler.
 * Every function has the same CodeUri, so SAM's copy and install are identical for each: they are
 * done once here, and each function is bundled from that copy into its own artifacts directory.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildOne, buildTargets, type BuildResult } from '../../scripts/build.js';
import { importOnce } from '../../scripts/coldStart.js';
import { lambdaEnvironment, layOut } from '../../scripts/lambdaLayout.js';
import { copySource, esbuildIn, installArgs } from '../../scripts/samEsbuild.js';
import { functions, loadTemplate, ROOT } from './template.js';

const template = loadTemplate();
const targets = buildTargets(template, ROOT);
let work: string;
let scratch: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'headroom-sam-'));
  scratch = join(work, 'scratch');
  copySource(ROOT, scratch);
  // No internet here: --offline makes npm take the same packages from its cache.
  await promisify(execFile)('npm', [...installArgs(targets[0]!.buildProperties), '--offline'], {
    cwd: scratch,
    env: { ...process.env, npm_config_loglevel: 'error' },
    timeout: 240_000,
  });
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sam build, replayed', () => {
  it('copies the source as SAM does, without node_modules, .git or .aws-sam', () => {
    expect(existsSync(join(scratch, 'template.yaml'))).toBe(true);
    expect(existsSync(join(scratch, 'functions/evaluate/handler.ts'))).toBe(true);
    expect(existsSync(join(scratch, '.git'))).toBe(false);
  });

  it('installs production dependencies only, and esbuild among them where SAM looks for it', () => {
    expect(esbuildIn(scratch)).toBe(join(scratch, 'node_modules/.bin/esbuild'));
    for (const devOnly of ['typescript', 'jest', 'tsx', 'eslint']) {
      expect(existsSync(join(scratch, 'node_modules', devOnly))).toBe(false);
    }
  });

  it('has every function of the template share the CodeUri, so one copy stands for each', () => {
    expect(new Set(targets.map((t) => t.sourceDir))).toEqual(new Set([ROOT]));
  });

  const results: BuildResult[] = [];
  it.each(functions(template).map(([id]) => [id]))(
    '%s bundles from the copy with its own Metadata and loads with its handler',
    async (id) => {
      const target = targets.find((t) => t.logicalId === id)!;
      const result = await buildOne({ ...target, sourceDir: scratch }, join(work, 'artifacts', id), scratch);
      results.push(result);
      const lambda = join(work, 'lambda', id);
      const { taskDir, handlerFile, exported } = layOut(template, results, id, lambda);
      const env = { ...lambdaEnvironment(template, id), LAMBDA_TASK_ROOT: taskDir };
      // Throws unless the module loads and exports a function under the handler's name.
      expect(() => importOnce(handlerFile, exported, env, taskDir)).not.toThrow();
    },
    60_000,
  );
});
