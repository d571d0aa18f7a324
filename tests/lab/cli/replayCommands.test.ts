import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { RunSummary } from '@headroom/core';
import type { ReportData } from '@headroom/lab/cli/report/html';
import { runCli, type CliResult } from './runCli.js';

// Each test starts the CLI as a child process (tsx compiles on start), on a machine other work shares.
jest.setTimeout(180_000);

const RECORD_FIELDS = [
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

function embeddedData(html: string): ReportData {
  const match = /<script id="report-data" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('report has no embedded chart data');
  return JSON.parse(match[1]) as ReportData;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as RunSummary[];
const dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));

describe('headroom simulate --days 2', () => {
  let result: CliResult;
  const report = join(dir, 'sim.html');
  const json = join(dir, 'out', 'sim.json');

  beforeAll(async () => {
    result = await runCli(['simulate', '--days', '2', '--seed', '7', '--report', report, '--json', json]);
  });

  it('exits 0 and prints the summary table, the speed and the paths it wrote', () => {
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^policy\s+SLO\s+cost/m);
    expect(result.stdout).toMatch(/^headroom\s+[\d,]+\s+[\d,.]+/m);
    expect(result.stdout).toMatch(
      /Replayed 2,880 simulated minutes in [\d.]+ s \([\d,]+ simulated minutes per second\)/,
    );
    expect(result.stdout).toContain(`Report: ${report}`);
    expect(result.stdout).toContain(`JSON: ${json}`);
  });

  it('prints plain progress lines when stderr is not a terminal', () => {
    expect(result.stderr).toMatch(/^progress 100%: 2,880\/2,880 simulated minutes \(headroom\)$/m);
  });

  it('writes one benchmark record for the policy', () => {
    const records = readJson(json);
    expect(records).toHaveLength(1);
    const [record] = records;
    for (const field of RECORD_FIELDS) expect(record).toHaveProperty(field);
    expect(record!.policy).toBe('headroom');
    expect(Object.keys(record!)).toEqual(RECORD_FIELDS);
    expect(record!.instanceHours).toBeGreaterThan(0);
  });

  it('writes a report holding the chart data of the run', () => {
    expect(existsSync(report)).toBe(true);
    const data = embeddedData(readFileSync(report, 'utf8'));
    expect(data.traces).toHaveLength(1);
    expect(data.traces[0]!.minutes).toBe(2880);
    expect(data.traces[0]!.x).toHaveLength(2000);
    expect(data.traces[0]!.policies.map((p) => p.policy)).toEqual(['headroom']);
    expect(Math.max(...data.traces[0]!.load.map((v) => v ?? 0))).toBeGreaterThan(0);
  });

  it('gives the same records for the same seed', async () => {
    const again = join(dir, 'again.json');
    const r = await runCli([
      'simulate',
      '--days',
      '2',
      '--seed',
      '7',
      '--no-progress',
      '--report',
      join(dir, 'again.html'),
      '--json',
      again,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const strip = (rs: RunSummary[]) => rs.map(({ simulatedMinutesPerSecond: _s, ...rest }) => rest);
    expect(strip(readJson(again))).toEqual(strip(readJson(json)));
  });
});

describe('headroom backtest', () => {
  const trace = join(dir, 'small.csv');
  const rows = ['timestamp,value'];
  // Two days at 5 minutes: a daily cycle with one gap of 15 minutes (three missing rows).
  for (let i = 0; i < 576; i++) {
    if (i >= 200 && i < 203) continue;
    const t = new Date(Date.UTC(2014, 3, 10) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(`${t},${Math.round(100 + 80 * Math.sin((2 * Math.PI * i) / 288))}`);
  }

  it('replays a small trace through every policy and writes the records and the report', async () => {
    writeFileSync(trace, `${rows.join('\n')}\n`);
    const json = join(dir, 'bt.json');
    const report = join(dir, 'bt.html');
    const r = await runCli([
      'backtest',
      '--trace',
      trace,
      '--peak-instances',
      '10',
      '--json',
      json,
      '--report',
      report,
      '--no-progress',
    ]);
    expect(r.stderr).not.toContain('unexpected failure');
    expect(r.code).toBe(0);
    const records = readJson(json);
    const policies = records.map((x) => x.policy);
    expect(policies).toEqual(expect.arrayContaining(['headroom', 'aws-combined', 'oracle']));
    expect(new Set(policies).size).toBe(policies.length);
    for (const record of records) {
      // A backtest's records also say how the trace was read.
      expect(Object.keys(record)).toEqual([...RECORD_FIELDS, 'trace_reading']);
      expect(record.trace).toContain('small');
      expect((record as unknown as Record<string, unknown>)['trace_reading']).toMatchObject({
        stepSeconds: 300,
        column: 'value',
        gaps: 1,
        filledIntervals: 3,
        outlierCount: 0,
      });
    }
    const data = embeddedData(readFileSync(report, 'utf8'));
    expect(data.traces[0]!.policies.map((p) => p.policy)).toEqual(policies);
    expect(r.stdout).toMatch(/^oracle\s+/m);
  });

  it('stops on a malformed row with exit 1 and a file:line message, without a stack trace', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'timestamp,value\n2014-04-10 00:00:00,5\n2014-04-10 00:05:00,12\n2014-04-10 00:10:00,twelve\n',
    );
    const r = await runCli(['backtest', '--trace', bad, '--no-progress', '--report', join(dir, 'bad.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:4:`);
    expect(r.stderr).toContain('"twelve" is not a number');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'bad.html'))).toBe(false);
  });

  it('names a missing trace file with exit 1', async () => {
    const missing = join(dir, 'nope.csv');
    const r = await runCli(['backtest', '--trace', missing, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
