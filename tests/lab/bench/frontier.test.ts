import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult, TimelinePoint } from '@headroom/core';
import {
  countFlaps,
  FRONTIER_FIELDS,
  type FrontierRecord,
  toFrontierRecord,
} from '@headroom/lab/bench/frontierRecords';
import { frontierVerdicts, pointBeats } from '@headroom/lab/bench/frontierVerdict';
import { frontierPoints } from '@headroom/lab/bench/frontierPoints';
import { PreparedTraces, runFrontierJob } from '@headroom/lab/bench/frontierJobs';
import { frontierJobs, runFrontier } from '@headroom/lab/bench/frontierRun';
import { HourlyGate } from '@headroom/lab/bench/sharedRefits';
import { runBench } from '@headroom/lab/bench/runner';
import { readTraceFile } from '@headroom/lab/workloads/traceReader';

const record = (
  policy: string,
  setting: string,
  slo: number,
  cost: number,
  over: Partial<FrontierRecord> = {},
): FrontierRecord => ({
  trace: 't',
  peakInstances: 20,
  profile: 'p',
  policy,
  setting,
  default: false,
  sloViolationMinutes: slo,
  instanceHours: cost * 25,
  costUsd: cost,
  scalingActions: 10,
  instability: 1,
  flaps: 0,
  ...over,
});

describe('flaps: a scale-in undone by a scale-out within 10 minutes, by table', () => {
  it.each<[string, number[], number]>([
    ['never scales in', [2, 3, 4, 4, 5], 0],
    ['in then out the next minute', [5, 4, 5], 1],
    ['in then out 10 minutes later: a flap', [5, 4, ...Array<number>(9).fill(4), 5], 1],
    ['in then out 11 minutes later: not a flap', [5, 4, ...Array<number>(10).fill(4), 5], 0],
    ['two scale-ins undone by one scale-out: two flaps', [6, 5, 4, 6], 2],
    ['one scale-in, then two scale-outs: one flap', [6, 5, 6, 7], 1],
    ['in, out, in, out: two flaps', [5, 4, 5, 4, 5], 2],
    ['scale-ins only', [9, 8, 7, 6], 0],
    ['empty and single minute', [], 0],
  ])('%s', (_, desired, expected) => {
    expect(countFlaps(desired)).toBe(expected);
  });
});

describe('frontier records', () => {
  it('carry exactly the fields of issue 11, in its order, rounded, with flaps from the desired capacity', () => {
    const timeline = [5, 4, 5, 5].map((desired, i) => ({ at: i * 60_000, desired }) as TimelinePoint);
    const run: RunResult = {
      summary: {
        trace: 'nyc',
        policy: 'k8s-hpa',
        minutes: 4,
        sloViolationMinutes: 3,
        instanceHours: 1.23456,
        costUsd: 0.051358,
        thetaU: 0,
        thetaO: 0,
        tauU: 0,
        tauO: 0,
        instability: 12.34567,
        scalingActions: 2,
        simulatedMinutesPerSecond: 10,
      },
      timeline,
      events: [],
    };
    const r = toFrontierRecord(run, {
      peakInstances: 100,
      profile: 'slow-api',
      setting: 'target=50',
      default: false,
    });
    expect(Object.keys(r)).toEqual([...FRONTIER_FIELDS]);
    expect(r).toEqual({
      trace: 'nyc',
      peakInstances: 100,
      profile: 'slow-api',
      policy: 'k8s-hpa',
      setting: 'target=50',
      default: false,
      sloViolationMinutes: 3,
      instanceHours: 1.23,
      costUsd: 0.05,
      scalingActions: 2,
      instability: 12.346,
      flaps: 1,
    });
  });
});

describe('the rule: Headroom beats a baseline point (c, s), by table (baseline c = 100, s = 100)', () => {
  it.each<[string, number, number, boolean]>([
    ['same cost, half the SLO minutes', 100, 50, true],
    ['same cost, one minute more than half', 100, 51, false],
    ['cheaper and half the minutes', 90, 10, true],
    ['85 % of the cost, as many minutes', 85, 100, true],
    ['85.1 % of the cost, as many minutes', 85.1, 100, false],
    ['85 % of the cost, one minute more', 85, 101, false],
    ['more cost, no minutes', 100.01, 0, false],
    ['much cheaper, many more minutes', 10, 1000, false],
  ])('%s', (_, cost, slo, expected) => {
    expect(
      pointBeats({ costUsd: cost, sloViolationMinutes: slo }, { costUsd: 100, sloViolationMinutes: 100 }),
    ).toBe(expected);
  });

  it('a baseline with no SLO minutes is beaten only by no minutes at 85 % of its cost or less (half of none is no gain)', () => {
    const baseline = { costUsd: 100, sloViolationMinutes: 0 };
    expect(pointBeats({ costUsd: 85, sloViolationMinutes: 0 }, baseline)).toBe(true);
    expect(pointBeats({ costUsd: 99, sloViolationMinutes: 0 }, baseline)).toBe(false);
  });
});

describe('the verdict per trace and size', () => {
  it('counts the baseline points any Headroom point beats, and the default against the oracle', () => {
    const records = [
      record('aws-target-tracking', 'target=40', 10, 200),
      record('aws-target-tracking', 'target=80', 400, 100),
      record('k8s-hpa', 'target=50', 20, 100),
      record('aws-predictive', 'x', 0, 1),
      record('headroom', 'cheap', 150, 90),
      record('headroom', 'default', 8, 160, { default: true, instanceHours: 115 }),
      record('oracle', 'perfect foresight', 0, 80, { instanceHours: 100 }),
      record('aws-combined', 'target=50', 5, 100, { peakInstances: 100 }),
      record('headroom', 'default', 50, 100, { peakInstances: 100, default: true, instanceHours: 200 }),
      record('oracle', 'perfect foresight', 0, 80, { peakInstances: 100, instanceHours: 100 }),
    ];
    const [small, large] = frontierVerdicts(records);
    // target=40: default (8 min, $160 ≤ 0.85 × 200). target=80: cheap ($90, 150 ≤ 200). k8s-hpa: nothing.
    expect(small).toMatchObject({
      peakInstances: 20,
      compared: 3,
      beaten: 2,
      allBeaten: false,
      withinOracle: true,
    });
    expect(small?.unbeaten.map((r) => `${r.policy} ${r.setting}`)).toEqual(['k8s-hpa target=50']);
    expect(small?.defaultOverOracle).toBeCloseTo(1.15, 10);
    expect(large).toMatchObject({ peakInstances: 100, compared: 1, beaten: 0, withinOracle: false });
    expect(large?.defaultOverOracle).toBe(2);
  });
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-frontier-'));
  // A day of 5-minute load with a daily cycle, in NAB's timestamp,value format.
  const rows = ['timestamp,value'];
  for (let i = 0; i < 288; i++) {
    const at = new Date(Date.UTC(2026, 0, 5) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(`${at},${Math.round(100 + 80 * Math.sin((2 * Math.PI * i) / 288))}`);
  }
  writeFileSync(join(dir, 'daily.csv'), `${rows.join('\n')}\n`);
  // Two days and a half, bursty: the forecast is refitted (from 24 h of history) and trusted or not.
  const longer = ['timestamp,value'];
  for (let i = 0; i < 720; i++) {
    const at = new Date(Date.UTC(2026, 0, 5) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    const burst = i % 97 < 3 ? 150 : 0;
    longer.push(`${at},${Math.round(100 + 80 * Math.sin((2 * Math.PI * i) / 288)) + burst}`);
  }
  writeFileSync(join(dir, 'longer.csv'), `${longer.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the frontier on a small trace, in this thread', () => {
  it('runs every point at both sizes: one record each, the default only on Headroom, min 2 for all', async () => {
    const trace = readTraceFile(join(dir, 'daily.csv'));
    const run = await runFrontier([{ name: 'daily', trace }], { workers: 1, chartPoints: 200 });
    const points = frontierPoints();
    expect(run.records).toHaveLength(2 * points.length);
    expect(run.records.map((r) => `${r.peakInstances} ${r.policy} ${r.setting}`)).toEqual([
      ...points.map((p) => `20 ${p.policy} ${p.setting}`),
      ...points.map((p) => `100 ${p.policy} ${p.setting}`),
    ]);
    expect(run.records.filter((r) => r.default).map((r) => `${r.peakInstances} ${r.policy}`)).toEqual([
      '20 headroom',
      '100 headroom',
    ]);
    // The oracle can miss only before its first launch serves (boot + warm-up, 5 minutes, plus one).
    for (const size of [20, 100]) {
      const oracle = run.records.find((r) => r.policy === 'oracle' && r.peakInstances === size);
      expect(oracle?.sloViolationMinutes).toBeLessThanOrEqual(6);
    }
    const hours = (size: number) =>
      run.records.find((r) => r.policy === 'oracle' && r.peakInstances === size)?.instanceHours ?? 0;
    expect(hours(100)).toBeGreaterThan(4 * hours(20));
    expect(run.speeds.map((s) => s.policy).sort()).toEqual([
      'aws-combined',
      'aws-target-tracking',
      'headroom',
      'k8s-hpa',
      'oracle',
    ]);
    // Timelines for the report: one per policy per size.
    expect(
      run.charts.map((c) => `${c.peakInstances}: ${c.runs.map((r) => r.record.setting).join(', ')}`),
    ).toEqual(
      [20, 100].map((s) => `${s}: target=50, target=50, target=50, slow-minute=$10, perfect foresight`),
    );
  });

  it('runBench writes frontier.json with exactly the fields, results.md with the verdict, and the report', async () => {
    const out = join(dir, 'out');
    const outcome = await runBench({
      tracesDir: dir,
      outDir: out,
      now: () => 0,
      workers: 1,
      sizes: [20],
      traces: [{ name: 'daily', file: 'daily.csv' }],
    });
    const json = JSON.parse(readFileSync(outcome.files.json, 'utf8')) as Record<string, unknown>[];
    expect(json).toHaveLength(frontierPoints().length);
    expect(json.every((r) => Object.keys(r).join() === FRONTIER_FIELDS.join())).toBe(true);
    const md = readFileSync(outcome.files.markdown, 'utf8');
    const v = outcome.verdicts[0];
    expect(md).toContain(`| daily | 20 | fast-api | ${v?.beaten} of 15 |`);
    expect(md).toMatch(/^- headroom: [\d,]+ simulated minutes\/s/m);
    const html = readFileSync(outcome.files.html, 'utf8');
    expect(html).toContain('<svg class="frontier"');
    expect(html).toMatch(/<polyline [^>]*stroke="#1f77b4"/);
    expect((html.match(/<section id="trace-\d+" class="panel"/g) ?? []).length).toBe(5);
  });
});

describe("Headroom's settings side by side", () => {
  it('go as one job per trace and size, every other point as a job of its own', () => {
    const trace = readTraceFile(join(dir, 'daily.csv'));
    const jobs = frontierJobs([{ name: 'daily', trace }], { sizes: [20] });
    const headroom = jobs.filter((j) => j.points.some((p) => p.policy === 'headroom'));
    expect(headroom).toHaveLength(1);
    expect(headroom[0]?.points.every((p) => p.policy === 'headroom')).toBe(true);
    expect(jobs.filter((j) => j !== headroom[0]).every((j) => j.points.length === 1)).toBe(true);
    expect(jobs.flatMap((j) => j.points)).toHaveLength(frontierPoints().length);
    // The costliest job first.
    expect(jobs[0]).toBe(headroom[0]);
  });

  it('give exactly the records each setting gives replayed alone (the shared refit changes nothing)', async () => {
    const trace = readTraceFile(join(dir, 'longer.csv'));
    const points = frontierPoints().filter((p) => p.policy === 'headroom');
    const job = { id: 0, traceName: 'longer', trace, peakInstances: 20, chartPoints: 0 };
    const prepared = new PreparedTraces();
    const together = await runFrontierJob({ ...job, points }, prepared);
    const alone = [];
    for (const point of points) alone.push(...(await runFrontierJob({ ...job, points: [point] }, prepared)));
    expect(together.map((r) => r.record)).toEqual(alone.map((r) => r.record));
    // Not all alike: the settings do differ, so equality above is not by accident.
    expect(new Set(alone.map((r) => r.record.instanceHours)).size).toBeGreaterThan(1);
  });

  it('on worker threads (the bundled worker) give the records of this thread', async () => {
    const trace = readTraceFile(join(dir, 'daily.csv'));
    const inThread = await runFrontier([{ name: 'daily', trace }], { workers: 1, sizes: [20] });
    const inWorkers = await runFrontier([{ name: 'daily', trace }], { workers: 2, sizes: [20] });
    expect(inWorkers.records).toEqual(inThread.records);
  });
});

describe('HourlyGate', () => {
  it('opens an hour once every running replay has reached it, and a replay that ends stops counting', async () => {
    const gate = new HourlyGate(3);
    const opened: string[] = [];
    const a = gate.arrive(1).then(() => opened.push('a'));
    const b = gate.arrive(1).then(() => opened.push('b'));
    await Promise.resolve();
    expect(opened).toEqual([]);
    gate.leave();
    await Promise.all([a, b]);
    expect(opened).toEqual(['a', 'b']);
  });

  it('lets go of an hour one replay skipped when it arrives at a later one', async () => {
    const gate = new HourlyGate(2);
    let first = false;
    const waiting = gate.arrive(1).then(() => {
      first = true;
    });
    const later = gate.arrive(2);
    await waiting;
    expect(first).toBe(true);
    const other = gate.arrive(2);
    await Promise.all([later, other]);
  });
});
