/**
 * `npm run build`: builds every function and layer of template.yaml the way `sam build` would,
 * into build/<LogicalId>/, and prints each bundle's size.
 *   - BuildMethod esbuild: the esbuild JS API with the template's own BuildProperties, translated
 *     as SAM's Lambda builder translates them (same defaults: bundle, platform node, outdir).
 *   - BuildMethod makefile: `make build-<LogicalId>` with ARTIFACTS_DIR, as SAM runs it.
 * Nothing is listed by hand: a function added to the template is built with no change here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { isRecord, readTemplate, type SamTemplate, type TemplateValue } from './iamTemplate.js';

export interface BuildTarget {
  logicalId: string;
  type: string;
  method: 'esbuild' | 'makefile';
  /** Directory the build runs in (CodeUri / ContentUri). */
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

const BUILDABLE = new Set(['AWS::Serverless::Function', 'AWS::Serverless::LayerVersion']);

/** Every function and layer the template asks SAM to build with esbuild or make. */
export function buildTargets(template: SamTemplate, root: string): BuildTarget[] {
  const globalCodeUri = template.Globals?.Function?.CodeUri;
  const targets: BuildTarget[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!BUILDABLE.has(resource.Type)) continue;
    const method = resource.Metadata?.BuildMethod;
    if (method !== 'esbuild' && method !== 'makefile') {
      throw new Error(
        `template.yaml: ${logicalId} has Metadata.BuildMethod ${JSON.stringify(method)}; this project builds with esbuild or makefile`,
      );
    }
    const uri =
      resource.Type === 'AWS::Serverless::LayerVersion'
        ? resource.Properties?.ContentUri
        : (resource.Properties?.CodeUri ?? globalCodeUri);
    if (typeof uri !== 'string') {
      throw new Error(
        `template.yaml: ${logicalId} needs a local CodeUri/ContentUri path, found ${JSON.stringify(uri)}`,
      );
    }
    const props = resource.Metadata?.BuildProperties;
    targets.push({
      logicalId,
      type: resource.Type,
      method,
      sourceDir: resolve(root, uri),
      buildProperties: isRecord(props) ? props : {},
    });
  }
  return targets;
}

const list = (logicalId: string, key: string, value: TemplateValue | undefined): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`template.yaml: ${logicalId} BuildProperties.${key} must be a list of strings`);
  }
  return value as string[];
};

/** "a=b" items into { a: "b" }, splitting at the first "=" (banners contain more). */
const pairs = (logicalId: string, key: string, value: TemplateValue | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const item of list(logicalId, key, value)) {
    const at = item.indexOf('=');
    if (at <= 0)
      throw new Error(`template.yaml: ${logicalId} BuildProperties.${key} item "${item}" is not name=value`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
};

const SUPPORTED = new Set([
  'EntryPoints',
  'Minify',
  'Sourcemap',
  'Target',
  'Format',
  'MainFields',
  'SourcesContent',
  'External',
  'Loader',
  'OutExtension',
  'Banner',
  'Footer',
]);

/**
 * SAM's BuildProperties as esbuild JS options. Defaults are the Lambda builder's: Target es2020,
 * Format cjs and Minify true when absent. An unknown key is an error, so a template setting can
 * never be silently ignored here while SAM honours it.
 */
export function esbuildOptions(target: BuildTarget, outDir: string): esbuild.BuildOptions {
  const p = target.buildProperties;
  const id = target.logicalId;
  for (const key of Object.keys(p)) {
    if (!SUPPORTED.has(key))
      throw new Error(`template.yaml: ${id} BuildProperties.${key} is not a SAM esbuild property`);
  }
  const entryPoints = list(id, 'EntryPoints', p.EntryPoints);
  if (entryPoints.length === 0)
    throw new Error(`template.yaml: ${id} BuildProperties.EntryPoints is missing or empty`);
  const options: esbuild.BuildOptions = {
    absWorkingDir: target.sourceDir,
    entryPoints: entryPoints.map((entry) => entryWithExtension(id, target.sourceDir, entry)),
    bundle: true,
    platform: 'node',
    outdir: outDir,
    target: typeof p.Target === 'string' ? p.Target : 'es2020',
    format: p.Format === 'esm' || p.Format === 'cjs' || p.Format === 'iife' ? p.Format : 'cjs',
    minify: p.Minify === undefined ? true : p.Minify === true || p.Minify === 'true',
    sourcemap: p.Sourcemap === true || p.Sourcemap === 'true',
    external: list(id, 'External', p.External),
    outExtension: pairs(id, 'OutExtension', p.OutExtension),
    banner: pairs(id, 'Banner', p.Banner),
    footer: pairs(id, 'Footer', p.Footer),
    loader: pairs(id, 'Loader', p.Loader) as Record<string, esbuild.Loader>,
    logLevel: 'warning',
  };
  if (p.Format !== undefined && options.format !== p.Format) {
    throw new Error(
      `template.yaml: ${id} BuildProperties.Format ${JSON.stringify(p.Format)} is not esm, cjs or iife`,
    );
  }
  if (typeof p.MainFields === 'string') options.mainFields = p.MainFields.split(',');
  if (p.SourcesContent !== undefined)
    options.sourcesContent = p.SourcesContent === true || p.SourcesContent === 'true';
  return options;
}

/** As the Lambda builder does: an entry point without a suffix may be a .ts or .js file. */
function entryWithExtension(id: string, dir: string, entry: string): string {
  const candidates = /\.[cm]?[jt]s$/.test(entry) ? [entry] : [`${entry}.ts`, `${entry}.js`];
  const found = candidates.find((c) => existsSync(join(dir, c)));
  if (found === undefined)
    throw new Error(`template.yaml: ${id} entry point ${entry} does not exist in ${dir}`);
  return found;
}

function filesUnder(dir: string): BuiltFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => ({ path, full: join(dir, path) }))
    .filter(({ full }) => statSync(full).isFile())
    .map(({ path, full }) => ({ path, bytes: statSync(full).size }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

export async function buildOne(target: BuildTarget, outDir: string): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  if (target.method === 'esbuild') {
    await esbuild.build(esbuildOptions(target, outDir));
  } else {
    execFileSync('make', [`build-${target.logicalId}`, `ARTIFACTS_DIR=${outDir}`], {
      cwd: target.sourceDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return { target, outDir, files: filesUnder(outDir) };
}

/** Builds every target of the template, in template order, into <outRoot>/<LogicalId>/. */
export async function buildTemplate(templatePath: string, outRoot: string): Promise<BuildResult[]> {
  const root = resolve(templatePath, '..');
  const results: BuildResult[] = [];
  for (const target of buildTargets(readTemplate(templatePath), root)) {
    results.push(await buildOne(target, resolve(outRoot, target.logicalId)));
  }
  return results;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function sizeReport(results: readonly BuildResult[], cwd: string): string {
  const lines: string[] = [];
  for (const { target, outDir, files } of results) {
    const code = files.filter((f) => !f.path.endsWith('.map'));
    const total = code.reduce((sum, f) => sum + f.bytes, 0);
    lines.push(`${target.logicalId} (${target.method}) -> ${relative(cwd, outDir)}/  ${kib(total)}`);
    for (const f of code) lines.push(`  ${f.path}  ${kib(f.bytes)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cwd = process.cwd();
  const results = await buildTemplate(resolve(cwd, 'template.yaml'), resolve(cwd, 'build'));
  console.log(sizeReport(results, cwd));
}
