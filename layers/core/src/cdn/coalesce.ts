/**
 * CloudFront invalidations for deploys, coalesced. Requests that arrive within one window for one
 * distribution become one invalidation; many files under one directory become `dir/*`, and a
 * very large deploy becomes `/*`. CloudFront allows 3,000 file paths and 15 wildcard paths in
 * progress per distribution (independently); what does not fit now is deferred, not dropped.
 * The CallerReference is a hash of the content, so a retried request is the same invalidation.
 */
import { createHash } from 'node:crypto';

export const MAX_IN_PROGRESS_PATHS = 3000;
export const MAX_IN_PROGRESS_WILDCARDS = 15;

export interface InvalidationRequest {
  distributionId: string;
  /** Begins with '/'; may end with '*'. */
  path: string;
  /** The deploy or object event it came from; part of the CallerReference. */
  sourceId: string;
  /** Epoch ms the request was made. */
  at: number;
}

export interface InProgress {
  /** File paths and wildcard paths of invalidations still in progress on the distribution. */
  paths: number;
  wildcards: number;
}

export interface CoalesceOptions {
  windowSeconds: number;
  /** More files than this under one directory become `dir/*`. */
  directoryThreshold: number;
  /** More paths than this in one invalidation become `/*`. */
  totalThreshold: number;
}

export const DEFAULT_COALESCE_OPTIONS: CoalesceOptions = {
  windowSeconds: 60,
  directoryThreshold: 10,
  totalThreshold: 100,
};

export interface PlannedInvalidation {
  distributionId: string;
  /** Start of the window, epoch ms. */
  windowStart: number;
  paths: string[];
  callerReference: string;
  /** The requests it covers. */
  requests: InvalidationRequest[];
}

export interface CoalesceResult {
  invalidations: PlannedInvalidation[];
  /** Requests that do not fit the in-progress limits now; to be sent again later. */
  deferred: InvalidationRequest[];
}

export const isWildcard = (path: string): boolean => path.endsWith('*');

export function coalesceInvalidations(
  requests: readonly InvalidationRequest[],
  inProgress: ReadonlyMap<string, InProgress>,
  options: CoalesceOptions = DEFAULT_COALESCE_OPTIONS,
): CoalesceResult {
  const invalidations: PlannedInvalidation[] = [];
  const deferred: InvalidationRequest[] = [];
  const room = new Map<string, InProgress>();
  for (const [key, group] of groupBy(requests, (r) => `${r.distributionId}\n${windowStart(r.at, options)}`)) {
    const [distributionId = '', start = '0'] = key.split('\n');
    const used = room.get(distributionId) ?? inProgress.get(distributionId) ?? { paths: 0, wildcards: 0 };
    const asked = group.map((r) => r.path);
    const fitted = fitLimits(collapse(asked, options), asked, used);
    room.set(distributionId, {
      paths: used.paths + fitted.files,
      wildcards: used.wildcards + fitted.wildcards,
    });
    const covered = group.filter((r) => fitted.paths.some((p) => covers(p, r.path)));
    deferred.push(...group.filter((r) => !covered.includes(r)));
    if (fitted.paths.length === 0) continue;
    invalidations.push({
      distributionId,
      windowStart: Number(start),
      paths: fitted.paths,
      callerReference: callerReference(distributionId, fitted.paths, covered),
      requests: covered,
    });
  }
  return { invalidations, deferred };
}

export function windowStart(at: number, options: Pick<CoalesceOptions, 'windowSeconds'>): number {
  const ms = options.windowSeconds * 1000;
  return Math.floor(at / ms) * ms;
}

/** `a/*` covers everything under `a/`; a file path covers only itself. */
export function covers(pattern: string, path: string): boolean {
  return isWildcard(pattern) ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

/** Unique paths, those under a wildcard dropped, crowded directories and very large sets collapsed. */
export function collapse(paths: readonly string[], options: CoalesceOptions): string[] {
  let set = withoutCovered([...new Set(paths)]);
  const files = set.filter((p) => !isWildcard(p));
  for (const [dir, inDir] of groupBy(files, parentOf)) {
    if (inDir.length > options.directoryThreshold) set = withoutCovered([...set, `${dir}*`]);
  }
  if (set.length > options.totalThreshold) return ['/*'];
  return set.sort();
}

function withoutCovered(paths: readonly string[]): string[] {
  const wildcards = paths.filter(isWildcard);
  return paths.filter((p) => !wildcards.some((w) => w !== p && covers(w, p)));
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/**
 * What fits the distribution's room: wildcards first (each clears many files). When the
 * wildcards do not fit their own limit, one `/*` does the work of all of them if a slot is left;
 * with no wildcard slot at all, the files asked for go one by one.
 */
function fitLimits(
  paths: string[],
  asked: readonly string[],
  used: InProgress,
): { paths: string[]; files: number; wildcards: number } {
  const wildcardRoom = Math.max(0, MAX_IN_PROGRESS_WILDCARDS - used.wildcards);
  const fileRoom = Math.max(0, MAX_IN_PROGRESS_PATHS - used.paths);
  let wildcards = paths.filter(isWildcard);
  let files = paths.filter((p) => !isWildcard(p));
  if (wildcards.length > wildcardRoom && wildcardRoom > 0) {
    wildcards = ['/*'];
    files = [];
  } else if (wildcardRoom === 0) {
    files = [...new Set(asked.filter((p) => !isWildcard(p)))].sort();
  }
  const keptWildcards = wildcards.slice(0, wildcardRoom);
  const keptFiles = files.filter((f) => !keptWildcards.some((w) => covers(w, f))).slice(0, fileRoom);
  return {
    paths: [...keptWildcards, ...keptFiles].sort(),
    files: keptFiles.length,
    wildcards: keptWildcards.length,
  };
}

/** Same distribution, paths and source events → same reference: CloudFront then returns the first invalidation. */
export function callerReference(
  distributionId: string,
  paths: readonly string[],
  requests: readonly InvalidationRequest[],
): string {
  const sources = [...new Set(requests.map((r) => r.sourceId))].sort();
  const text = [distributionId, ...[...paths].sort(), '--', ...sources].join('\n');
  return `headroom-${createHash('sha256').update(text).digest('hex').slice(0, 48)}`;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
