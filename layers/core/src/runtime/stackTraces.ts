/**
 * Stack traces of a bundled function, mapped to its TypeScript (and node_modules) sources when a
 * trace is printed, not when the function starts. Node's `--enable-source-maps` reads, parses and
 * indexes a bundle's map while the bundle loads: 15 to 25 ms of every cold start for a map that most
 * containers never need. Here the map (`<bundle>.map`, as esbuild names it) is read the first time a
 * trace that passes through the bundle is formatted, typically an error being logged, and then kept.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';

type CallSite = NodeJS.CallSite;

/** A bundle's map, and the directory its sources share (the one the build ran in). */
interface Mapped {
  map: SourceMap;
  root: string;
}

/** Per generated file: its map, or null when it has none (or an unreadable one). */
const maps = new Map<string, Mapped | null>();

/**
 * The longest directory prefix every source shares, e.g. `../../../tmp/tmpab12/`: stripped, the
 * sources read as in the repository (`functions/…`, `layers/core/src/…`, `node_modules/…`),
 * wherever the build ran.
 */
export function sharedDirectory(sources: readonly string[]): string {
  let prefix = sources[0]?.slice(0, sources[0].lastIndexOf('/') + 1) ?? '';
  for (const source of sources) {
    while (!source.startsWith(prefix))
      prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  }
  return prefix;
}

function mapOf(file: string): Mapped | null {
  let mapped = maps.get(file);
  if (mapped === undefined) {
    try {
      const payload = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload;
      mapped = { map: new SourceMap(payload), root: sharedDirectory(payload.sources) };
    } catch {
      mapped = null;
    }
    maps.set(file, mapped);
  }
  return mapped;
}

interface Position {
  source: string;
  line: number;
  column: number;
  name?: string;
}

function originalOf({ map, root }: Mapped, line: number, column: number): Position | undefined {
  const entry = map.findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return undefined;
  // Node returns the original identifier too; its type declarations leave it out.
  const { name } = entry as { name?: string };
  return {
    source: entry.originalSource.startsWith(root)
      ? entry.originalSource.slice(root.length)
      : entry.originalSource,
    line: entry.originalLine + 1,
    column: entry.originalColumn + 1,
    ...(name === undefined ? {} : { name }),
  };
}

/**
 * The original name of a frame's function: the name the map gives the start of its body, else the
 * name at the position of the call in its caller (as Node's own mapping does), else V8's.
 */
function nameOf(map: Mapped, site: CallSite, caller: CallSite | undefined): string {
  const line = site.getEnclosingLineNumber();
  const column = site.getEnclosingColumnNumber();
  const enclosing = line === null || column === null ? undefined : originalOf(map, line, column);
  if (enclosing?.name !== undefined) return enclosing.name;
  const callerLine = caller?.getLineNumber() ?? null;
  const callerColumn = caller?.getColumnNumber() ?? null;
  const called =
    caller?.getFileName() === site.getFileName() && callerLine !== null && callerColumn !== null
      ? originalOf(map, callerLine, callerColumn)
      : undefined;
  return called?.name ?? site.getFunctionName() ?? '<anonymous>';
}

/** One `    at …` line; a frame outside any mapped file is printed as V8 prints it. */
export function frameLine(site: CallSite, caller?: CallSite): string {
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const map = file?.startsWith('/') && line !== null && column !== null ? mapOf(file) : null;
  const at = map === null ? undefined : originalOf(map, line!, column!);
  if (at === undefined) return `    at ${site.toString()}`;
  const kind = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  return `    at ${kind}${nameOf(map!, site, caller)} (${at.source}:${at.line}:${at.column})`;
}

function heading(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/**
 * Installs the mapping in a Lambda function (each handler calls this as it loads), unless Node maps
 * traces itself (`NODE_OPTIONS=--enable-source-maps`). Elsewhere (tests, the lab) nothing changes.
 */
export function mapStackTracesWhenPrinted(env: NodeJS.ProcessEnv = process.env): void {
  if (env.AWS_LAMBDA_FUNCTION_NAME === undefined || process.sourceMapsEnabled) return;
  Error.prepareStackTrace = (error, sites) =>
    [heading(error), ...sites.map((site, i) => frameLine(site, sites[i + 1]))].join('\n');
}
