/**
 * `npm run build`: builds every function of template.yaml as `sam build` does, into build/<LogicalId>/,
 * and prints each bundle's size. Each function is bundled by the esbuild command line with the
 * arguments SAM's esbuild builder derives from the function's own Metadata (scripts/samEsbuild.ts),
 * run in the function's CodeUri. Only the scratch copy and the production install of `sam build` are
 * skipped here (the repository's own node_modules stands in for them); the builder-replay test
 * (tests/template/samBuild.test.ts) does those too.
 * Nothing is listed by hand: a function added to the template is built with no change here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isRecord, readTemplate, type SamTemplate, type TemplateValue } from './iamTemplate.js';
import { esbuildIn, samEsbuildArgs } from './samEsbuild.js';

export interface BuildTarget {
  logicalId: string;
  type: string;
  /** Directory the build runs in (CodeUri). */
  sourceDir: string;
  buildProperties: Record<string, TemplateValue>;
}

export interface BuiltFile {
  path: string;
  bytes: number;
}

export interface BuildResult {
  target: BuildTarget;
  outDir: string;
  files: BuiltFile[];
}

/** Every function of the template, each of which must be built by SAM's esbuild builder. */
export function buildTargets(template: SamTemplate, root: string): BuildTarget[] {
  const globalCodeUri = template.Globals?.Function?.CodeUri;
  const targets: BuildTarget[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Serverless::LayerVersion')
      throw new Error(
        `template.yaml: ${logicalId} is a layer; functions bundle what they use (docs/deploy.md, "How the code is packaged")`,
      );
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const method = resource.Metadata?.BuildMethod;
    if (method !== 'esbuild') {
      throw new Error(
        `template.yaml: ${logicalId} has Metadata.BuildMethod ${JSON.stringify(method)}; this project builds functions with esbuild`,
      );
    }
    const uri = resource.Properties?.CodeUri ?? globalCodeUri;
    if (typeof uri !== 'string') {
      throw new Error(`template.yaml: ${logicalId} needs a local CodeUri path, found ${JSON.stringify(uri)}`);
    }
    const props = resource.Metadata?.BuildProperties;
    targets.push({
      logicalId,
      type: resource.Type,
      sourceDir: resolve(root, uri),
      buildProperties: isRecord(props) ? props : {},
    });
  }
  return targets;
}

export function filesUnder(dir: string): BuiltFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => ({ path, full: join(dir, path) }))
    .filter(({ full }) => statSync(full).isFile())
    .map(({ path, full }) => ({ path, bytes: statSync(full).size }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Bundles one function from `workDir` (its CodeUri, or SAM's scratch copy of it) with the esbuild
 * installed there, exactly as SAM's builder runs it. `extraArgs` (e.g. --metafile) are for tests.
 */
export async function buildOne(
  target: BuildTarget,
  outDir: string,
  workDir = target.sourceDir,
  extraArgs: readonly string[] = [],
): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const args = samEsbuildArgs(target.logicalId, target.buildProperties, workDir, outDir);
  try {
    await promisify(execFile)(esbuildIn(workDir), [...args, '--log-level=warning', ...extraArgs], {
      cwd: workDir,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`${target.logicalId}: esbuild ${args.join(' ')} failed:\n${stderr}`);
  }
  return { target, outDir, files: filesUnder(outDir) };
}

/** Builds every function of the template, in template order, into <outRoot>/<LogicalId>/. */
export async function buildTemplate(templatePath: string, outRoot: string): Promise<BuildResult[]> {
  const root = resolve(templatePath, '..');
  const results: BuildResult[] = [];
  for (const target of buildTargets(readTemplate(templatePath), root)) {
    results.push(await buildOne(target, resolve(outRoot, target.logicalId)));
  }
  return results;
}

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Bytes Lambda loads: everything but the source maps. */
export const codeBytes = (files: readonly BuiltFile[]) =>
  files.filter((f) => !f.path.endsWith('.map')).reduce((sum, f) => sum + f.bytes, 0);

export function sizeReport(results: readonly BuildResult[], cwd: string): string {
  const lines: string[] = [];
  for (const { target, outDir, files } of results) {
    lines.push(`${target.logicalId} -> ${relative(cwd, outDir)}/  ${kib(codeBytes(files))}`);
    for (const f of files) lines.push(`  ${f.path}  ${kib(f.bytes)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cwd = process.cwd();
  const started = performance.now();
  const results = await buildTemplate(resolve(cwd, 'template.yaml'), resolve(cwd, 'build'));
  console.log(sizeReport(results, cwd));
  console.log(`built ${results.length} functions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
