import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestTrace } from '@headroom/lab/bench/backtest';
import { toBenchRecord } from '@headroom/lab/bench/records';
import { TraceError, toTrace } from '@headroom/lab/workloads/traceReader';

const FIELDS = [
  'trace',
  'policy',
  'sloViolationMinutes',
  'instanceHours',
  'costUsd',
  'thetaU',
  'thetaO',
  'tauU',
  'tauO',
  'instability',
  'scalingActions',
  'simulatedMinutesPerSecond',
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
  // Three days of 5-minute load with a daily cycle, in NAB's timestamp,value format.
  const rows = ['timestamp,value'];
  for (let i = 0; i < 3 * 288; i++) {
    const at = new Date(Date.UTC(2026, 0, 5) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(`${at},${Math.round(100 + 80 * Math.sin((2 * Math.PI * i) / 288))}`);
  }
  writeFileSync(join(dir, 'daily.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'bad.csv'), 'timestamp,value\n2026-01-05 00:00:00,12\n2026-01-05 00:05:00,lots\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run records (simulate and backtest --json)', () => {
  it('carry exactly the fields benchmark.md lists, in its order, rounded', () => {
    const r = toBenchRecord({
      trace: 't',
      policy: 'p',
      minutes: 10,
      sloViolationMinutes: 3,
      instanceHours: 1.23456,
      costUsd: 0.051358,
      thetaU: 0.123456,
      thetaO: 2,
      thetaUPct: 4,
      thetaOPct: 5,
      tauU: 12.34567,
      tauO: 1,
      instability: 0.5,
      scalingActions: 4,
      simulatedMinutesPerSecond: 1234.6,
    });
    expect(Object.keys(r)).toEqual(FIELDS);
    expect(r).toMatchObject({
      instanceHours: 1.23,
      costUsd: 0.05,
      thetaU: 0.1235,
      tauU: 12.346,
      simulatedMinutesPerSecond: 1235,
    });
  });
});

describe('backtestTrace on small traces', () => {
  it('runs every policy on a user trace: static-peak and the oracle never miss the SLO', async () => {
    const result = await backtestTrace(join(dir, 'daily.csv'));
    expect(result.records.map((r) => r.policy)).toEqual([
      'static-peak',
      'static-mean',
      'aws-target-tracking',
      'aws-predictive',
      'aws-combined',
      'headroom',
      'oracle',
    ]);
    expect(result.records.every((r) => r.trace === 'daily')).toBe(true);
    const by = (p: string) => result.records.find((r) => r.policy === p);
    expect(by('static-peak')?.sloViolationMinutes).toBe(0);
    expect(by('oracle')?.sloViolationMinutes).toBe(0);
    expect(by('oracle')?.instanceHours).toBeLessThan(by('static-peak')?.instanceHours ?? 0);
  });

  it('takes a trace already read, marks its gaps on every run and reports progress per policy', async () => {
    const minute = 60_000;
    // Six hours at 5 minutes with one missing row at 01:00.
    const points = Array.from({ length: 72 }, (_, i) => ({
      at: i * 5 * minute,
      value: 100 + (i % 12) * 10,
      where: i + 2,
    }));
    const trace = toTrace(
      points.filter((_, i) => i !== 12),
      'mine.csv',
    );
    const progress: string[] = [];
    const result = await backtestTrace(trace, {
      policies: ['static-peak', 'oracle'],
      onProgress: (policy, done, total) => progress.push(`${policy} ${done}/${total}`),
    });
    expect(result.records.map((r) => `${r.trace} ${r.policy}`)).toEqual(['mine static-peak', 'mine oracle']);
    expect(result.gaps).toHaveLength(1);
    for (const run of result.runs) {
      expect(run.events.filter((e) => e.kind === 'gap')).toEqual([
        { at: 60 * minute, kind: 'gap', label: '1 missing interval filled with the last value' },
      ]);
      expect(run.events.map((e) => e.at)).toEqual([...run.events.map((e) => e.at)].sort((a, b) => a - b));
    }
    expect(progress).toEqual([
      `static-peak ${result.minutes}/${result.minutes}`,
      `oracle ${result.minutes}/${result.minutes}`,
    ]);
  });

  it('refuses a malformed trace with the file, line and value', async () => {
    await expect(backtestTrace(join(dir, 'bad.csv'))).rejects.toThrow(TraceError);
    await expect(backtestTrace(join(dir, 'bad.csv'))).rejects.toThrow(/bad\.csv.*3.*lots/);
  });
});
