/**
 * What `sam build` does for a function with `BuildMethod: esbuild` (aws-lambda-builders'
 * NodejsNpmEsbuildBuilder), step by step, so that `npm run build` and the builder-replay test run
 * the same steps rather than an approximation of them:
 *   1. copy the CodeUri directory to a scratch directory, leaving out node_modules, .git, .aws-sam;
 *   2. install there: `npm install -q --no-audit --no-save --omit=dev` (or `npm ci` with UseNpmCi);
 *   3. run the esbuild found in the scratch copy's `node_modules/.bin` (then PATH: SAM CLI #4183),
 *      in the scratch directory, with the arguments below, into the function's artifacts directory.
 * esbuild is therefore a dependency, not a devDependency: step 2 leaves devDependencies out. It
 * never reaches Lambda, since only the bundle goes into the artifacts directory.
 */
import { cpSync, existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { TemplateValue } from './iamTemplate.js';

/** The Metadata.BuildProperties lambda-builders reads (after SAM CLI turns PascalCase into snake_case). */
const BOOLEAN = ['minify', 'sourcemap'];
const SINGLE_VALUE = ['target', 'format', 'main_fields', 'sources_content'];
const MULTI_VALUE = ['external', 'loader', 'out_extension', 'banner'];
/** Read by the install step, not by esbuild. */
const INSTALL = ['use_npm_ci'];
const KNOWN = new Set(['entry_points', ...BOOLEAN, ...SINGLE_VALUE, ...MULTI_VALUE, ...INSTALL]);

export const SCRATCH_EXCLUDES = new Set(['node_modules', '.git', '.aws-sam']);

/** EntryPoints → entry_points, as SAM CLI normalizes BuildProperties before lambda-builders sees them. */
export const snakeCase = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Python's str() of a YAML value, which is what lambda-builders pastes into `--name=value`. */
function pythonStr(value: TemplateValue): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  if (typeof value === 'object') throw new Error(`${JSON.stringify(value)} is not a single value`);
  return String(value);
}

/** As lambda-builders: an entry point with a suffix must exist; without one, .ts then .js is tried. */
function entryPoint(id: string, dir: string, entry: string): string {
  if (extname(entry) !== '') {
    if (existsSync(join(dir, entry))) return entry;
  } else {
    const found = ['.ts', '.js'].map((ext) => entry + ext).find((file) => existsSync(join(dir, file)));
    if (found !== undefined) return found;
  }
  throw new Error(`template.yaml: ${id} entry point ${join(dir, entry)} does not exist`);
}

/**
 * The esbuild command-line arguments lambda-builders builds from a function's BuildProperties, in
 * its order. A property SAM would silently ignore is an error here, so that nothing in the template
 * looks like it takes effect while `sam build` drops it.
 */
export function samEsbuildArgs(
  id: string,
  buildProperties: Readonly<Record<string, TemplateValue>>,
  scratchDir: string,
  artifactsDir: string,
): string[] {
  const config: Record<string, TemplateValue> = {};
  for (const [key, value] of Object.entries(buildProperties)) {
    const name = snakeCase(key);
    if (!KNOWN.has(name))
      throw new Error(`template.yaml: ${id} BuildProperties.${key} is not read by SAM's esbuild builder`);
    config[name] = value;
  }
  const entries = config.entry_points;
  if (!Array.isArray(entries) || entries.length === 0 || entries.some((e) => typeof e !== 'string'))
    throw new Error(`template.yaml: ${id} BuildProperties.EntryPoints must be a non-empty list of paths`);
  const args = (entries as string[]).map((entry) => entryPoint(id, scratchDir, entry));
  args.push('--bundle', '--platform=node', `--outdir=${artifactsDir}`);
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  for (const name of BOOLEAN) if (config[name] === true) args.push(`--${name.replace(/_/g, '-')}`);
  for (const name of SINGLE_VALUE) {
    if (name in config) args.push(`--${name.replace(/_/g, '-')}=${pythonStr(config[name]!)}`);
  }
  for (const name of MULTI_VALUE) {
    if (!(name in config)) continue;
    const values = config[name];
    if (!Array.isArray(values))
      throw new Error(`template.yaml: ${id} BuildProperties.${name} must be a list`);
    for (const value of values) args.push(`--${name.replace(/_/g, '-')}:${pythonStr(value)}`);
  }
  return args;
}

/** Step 1: the scratch copy of the CodeUri directory (excluded names are skipped at every depth). */
export function copySource(sourceDir: string, scratchDir: string): void {
  cpSync(sourceDir, scratchDir, {
    recursive: true,
    filter: (path) => path === sourceDir || !SCRATCH_EXCLUDES.has(basename(path)),
  });
}

/** Step 2's npm arguments: `npm ci` with UseNpmCi (and a lockfile), else a production install. */
export function installArgs(buildProperties: Readonly<Record<string, TemplateValue>>): string[] {
  return buildProperties.UseNpmCi === true
    ? ['ci']
    : ['install', '-q', '--no-audit', '--no-save', '--omit=dev'];
}

/** Step 3's esbuild: the scratch copy's node_modules/.bin first, as lambda-builders looks there first. */
export function esbuildIn(dir: string): string {
  const bin = join(dir, 'node_modules', '.bin', 'esbuild');
  if (!existsSync(bin))
    throw new Error(
      `esbuild not found in ${join(dir, 'node_modules', '.bin')}: it must be a dependency (not a devDependency), ` +
        'since sam build installs without devDependencies',
    );
  return bin;
}
