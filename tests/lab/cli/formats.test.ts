import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import type { RunSummary } from '@headroom/core';
import { runCli } from './runCli.js';

// Each test starts the CLI as a child process (tsx compiles on start), on a machine other work shares.
jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), 'headroom-formats-'));
const START = Date.UTC(2024, 4, 6);

/** A GetMetricData response as AWS returns it: newest first, one result with Id and Label. */
function cloudWatchExport(points: number): string {
  const timestamps: string[] = [];
  const values: number[] = [];
  for (let i = points - 1; i >= 0; i--) {
    timestamps.push(new Date(START + i * 300_000).toISOString().replace('.000Z', 'Z'));
    values.push(Math.round(500 + 400 * Math.sin((2 * Math.PI * i) / 288)));
  }
  return JSON.stringify({
    MetricDataResults: [
      // A second result the --column option must skip: a flat series would give other records.
      {
        Id: 'cpu',
        Label: 'CPUUtilization',
        Timestamps: timestamps,
        Values: values.map(() => 50),
        StatusCode: 'Complete',
      },
      {
        Id: 'requests',
        Label: 'RequestCount',
        Timestamps: timestamps,
        Values: values,
        StatusCode: 'Complete',
      },
    ],
    Messages: [],
  });
}

describe('headroom backtest --format', () => {
  it('reads a CloudWatch export, picking the result by Id with --column', async () => {
    const file = join(dir, 'export.json');
    writeFileSync(file, cloudWatchExport(288));
    const json = join(dir, 'cw.json');
    const r = await runCli([
      'backtest',
      '--trace',
      file,
      '--format',
      'cloudwatch-json',
      '--column',
      'requests',
      '--peak-instances',
      '8',
      '--no-progress',
      '--report',
      join(dir, 'cw.html'),
      '--json',
      json,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const records = JSON.parse(readFileSync(json, 'utf8')) as RunSummary[];
    expect(records.map((x) => x.trace)).toEqual(records.map(() => 'export'));
    // The static-mean fleet is below the peak's 8 only because the chosen series swings.
    expect(records.find((x) => x.policy === 'static-mean')?.sloViolationMinutes).toBeGreaterThan(0);
    expect(records.find((x) => x.policy === 'static-peak')?.instanceHours).toBeCloseTo((8 * 288 * 5) / 60, 0);
  });

  it('names the JSON path of a bad value in a CloudWatch export', async () => {
    const file = join(dir, 'bad-export.json');
    writeFileSync(
      file,
      JSON.stringify({
        MetricDataResults: [{ Id: 'm', Timestamps: ['2024-05-06T00:00:00Z'], Values: ['high'] }],
      }),
    );
    const r = await runCli(['backtest', '--trace', file, '--no-progress', '--report', join(dir, 'x.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `headroom: ${file}: MetricDataResults[0].Values[0]: value "high" is not a number\n`,
    );
  });

  it('reads a datacenter aggregate by row number and step, with the value column by name', async () => {
    const file = join(dir, 'cluster_grouped_600_seconds.csv');
    const rows = ['cpu_util_percent,mem_util_percent'];
    for (let i = 0; i < 300; i++) rows.push(`${(40 + 20 * Math.sin(i / 20)).toFixed(2)},55`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    const json = join(dir, 'dc.json');
    const r = await runCli([
      'backtest',
      '--trace',
      file,
      '--format',
      'datacenter',
      '--no-progress',
      '--report',
      join(dir, 'dc.html'),
      '--json',
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cluster_grouped_600_seconds$/m);
    const html = readFileSync(join(dir, 'dc.html'), 'utf8');
    expect(html).toContain('step 600 s');
    expect(html).toContain('(300 intervals)');
    expect(r.stdout).toContain('300 rows of column "cpu_util_percent", step 600 s');
    expect(html).toContain('3,000 minutes');
  });

  it('refuses two rows a year apart with the numbers, after saying how it read them', async () => {
    const file = join(dir, 'year.csv');
    writeFileSync(file, 'timestamp,value\n2014-01-01 00:00:00,5\n2015-01-01 00:00:00,7\n');
    const r = await runCli(['backtest', '--trace', file, '--no-progress', '--report', join(dir, 'y.html')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '2 rows of column "value", step 31536000 s, 2014-01-01 00:00 to 2015-01-01 00:00 UTC',
    );
    expect(r.stderr).toBe(
      `headroom: ${file}: 2 rows 365.0 days apart: the step between rows is 365.0 days, at most 1.0 day is a load history a per-minute replay can follow\n`,
    );
    expect(existsSync(join(dir, 'y.html'))).toBe(false);
  });
});
