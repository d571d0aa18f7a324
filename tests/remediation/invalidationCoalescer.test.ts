/** The invalidation coalescer and its cost, by table. */
import { describe, expect, it } from '@jest/globals';
import {
  callerReference,
  coalesceInvalidations,
  collapse,
  DEFAULT_COALESCE_OPTIONS,
  MAX_IN_PROGRESS_PATHS,
  MAX_IN_PROGRESS_WILDCARDS,
  type InProgress,
  type InvalidationRequest,
} from '@headroom/core/cdn/coalesce';
import { billingMonth, invalidationCost } from '@headroom/core/cdn/cost';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const req = (path: string, sourceId = 'deploy-1', at = T0, distributionId = 'E1'): InvalidationRequest => ({
  distributionId,
  path,
  sourceId,
  at,
});
const files = (dir: string, n: number) => Array.from({ length: n }, (_, i) => `${dir}f${i}.js`);
const none = new Map<string, InProgress>();

describe('collapse', () => {
  it.each([
    ['duplicates go', ['/a.html', '/a.html'], ['/a.html']],
    ['paths under a requested wildcard go', ['/img/*', '/img/a.png', '/b.css'], ['/b.css', '/img/*']],
    ['ten files in one directory stay files', files('/js/', 10), files('/js/', 10).sort()],
    ['eleven become the directory wildcard', files('/js/', 11), ['/js/*']],
    [
      'a crowded directory does not pull in its neighbours',
      [...files('/js/', 11), '/index.html'],
      ['/index.html', '/js/*'],
    ],
    ['more than 100 paths become /*', Array.from({ length: 101 }, (_, i) => `/d${i}/page.html`), ['/*']],
  ])('%s', (_, paths, expected) => {
    expect(collapse(paths, DEFAULT_COALESCE_OPTIONS)).toEqual(expected);
  });
});

describe('coalesceInvalidations', () => {
  it('makes one invalidation per distribution and window', () => {
    const { invalidations, deferred } = coalesceInvalidations(
      [
        req('/a.html'),
        req('/b.html', 'deploy-2', T0 + 30_000),
        req('/c.html', 'deploy-3', T0 + 61_000),
        req('/a.html', 'deploy-1', T0, 'E2'),
      ],
      none,
    );
    expect(invalidations.map((i) => [i.distributionId, i.windowStart - T0, i.paths])).toEqual([
      ['E1', 0, ['/a.html', '/b.html']],
      ['E1', 60_000, ['/c.html']],
      ['E2', 0, ['/a.html']],
    ]);
    expect(deferred).toEqual([]);
  });

  it.each<[string, InProgress, string[], string[], number]>([
    // name, in progress, asked, invalidated, deferred count
    ['room for everything', { paths: 0, wildcards: 0 }, ['/a', '/b'], ['/a', '/b'], 0],
    [
      'files beyond 3,000 in progress wait',
      { paths: MAX_IN_PROGRESS_PATHS - 1, wildcards: 0 },
      ['/a', '/b'],
      ['/a'],
      1,
    ],
    ['no file room at all', { paths: MAX_IN_PROGRESS_PATHS, wildcards: 0 }, ['/a'], [], 1],
    [
      'wildcards beyond 15 in progress become one /*',
      { paths: 0, wildcards: MAX_IN_PROGRESS_WILDCARDS - 1 },
      ['/x/*', '/y/*'],
      ['/*'],
      0,
    ],
    [
      'no wildcard room: a wildcard waits',
      { paths: 0, wildcards: MAX_IN_PROGRESS_WILDCARDS },
      ['/x/*', '/a'],
      ['/a'],
      1,
    ],
    [
      'no wildcard room: a crowded directory goes file by file',
      { paths: 0, wildcards: MAX_IN_PROGRESS_WILDCARDS },
      files('/js/', 12),
      files('/js/', 12).sort(),
      0,
    ],
  ])('%s', (_, inProgress, asked, invalidated, deferredCount) => {
    const { invalidations, deferred } = coalesceInvalidations(
      asked.map((p) => req(p)),
      new Map([['E1', inProgress]]),
    );
    expect(invalidations.flatMap((i) => i.paths)).toEqual(invalidated);
    expect(deferred).toHaveLength(deferredCount);
    // Nothing is lost: every request is either in an invalidation or deferred.
    expect(invalidations.flatMap((i) => i.requests).length + deferred.length).toBe(asked.length);
  });

  it('counts what one window used against the next window of the same distribution', () => {
    const first = Array.from({ length: 10 }, (_, i) => req(`/p${i}`, 'd1', T0));
    const second = [req('/q', 'd2', T0 + 60_000)];
    const { invalidations, deferred } = coalesceInvalidations(
      [...first, ...second],
      new Map([['E1', { paths: MAX_IN_PROGRESS_PATHS - 10, wildcards: 0 }]]),
    );
    expect(invalidations).toHaveLength(1);
    expect(deferred.map((r) => r.path)).toEqual(['/q']);
  });
});

describe('callerReference', () => {
  it.each([
    ['the same content, in any order', ['/b', '/a'], ['d1', 'd2'], ['/a', '/b'], ['d2', 'd1'], true],
    ['other paths', ['/a'], ['d1'], ['/b'], ['d1'], false],
    ['the same paths from a later deploy', ['/a'], ['d1'], ['/a'], ['d2'], false],
  ])('%s → same reference: %s', (_, pathsA, sourcesA, pathsB, sourcesB, same) => {
    const a = callerReference(
      'E1',
      pathsA,
      sourcesA.map((s) => req('/a', s)),
    );
    const b = callerReference(
      'E1',
      pathsB,
      sourcesB.map((s) => req('/a', s)),
    );
    expect(a === b).toBe(same);
    expect(a).toMatch(/^headroom-[0-9a-f]{48}$/);
  });
});

describe('invalidationCost', () => {
  it.each([
    [0, 10, { pathsThisMonth: 10, billablePaths: 0, costUsd: 0 }],
    [995, 10, { pathsThisMonth: 1005, billablePaths: 5, costUsd: 0.025 }],
    [1000, 200, { pathsThisMonth: 1200, billablePaths: 200, costUsd: 1 }],
    [5000, 1, { pathsThisMonth: 5001, billablePaths: 1, costUsd: 0.005 }],
  ])('%i paths before, %i now', (before, now, expected) => {
    expect(invalidationCost(before, now)).toEqual(expected);
  });

  it('bills by UTC month', () => {
    expect(billingMonth(Date.UTC(2026, 10, 30, 23, 59))).toBe('2026-11');
    expect(billingMonth(Date.UTC(2026, 11, 1, 0, 0))).toBe('2026-12');
  });
});
