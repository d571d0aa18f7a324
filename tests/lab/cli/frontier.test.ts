import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FRONTIER_FIELDS, type FrontierRecord } from '@headroom/lab/bench/frontierRecords';
import { frontierPoints } from '@headroom/lab/bench/frontierPoints';
import { runCli, type CliResult } from './runCli.js';

// Each test starts the CLI as a child process (tsx compiles on start), on a machine other work shares.
jest.setTimeout(240_000);

const dir = mkdtempSync(join(tmpdir(), 'headroom-frontier-cli-'));
const trace = join(dir, 'checkout-api.csv');
const points = frontierPoints();

beforeAll(() => {
  // A day of 5-minute request counts with a daily cycle, as a team's own export would be.
  const rows = ['timestamp,value'];
  for (let i = 0; i < 288; i++) {
    const at = new Date(Date.UTC(2026, 2, 2) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(`${at},${Math.round(400 + 300 * Math.sin((2 * Math.PI * i) / 288))}`);
  }
  writeFileSync(trace, `${rows.join('\n')}\n`);
});

describe('headroom backtest --frontier', () => {
  let result: CliResult;
  const json = join(dir, 'out', 'frontier.json');
  const report = join(dir, 'frontier.html');

  beforeAll(async () => {
    result = await runCli([
      'backtest',
      '--trace',
      trace,
      '--frontier',
      '--json',
      json,
      '--report',
      report,
      '--no-progress',
    ]);
  });

  it('writes the records of frontier.json for both fleet sizes, every point, with exactly its fields', () => {
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    const records = JSON.parse(readFileSync(json, 'utf8')) as FrontierRecord[];
    expect(records).toHaveLength(2 * points.length);
    expect(records.every((r) => Object.keys(r).join() === FRONTIER_FIELDS.join())).toBe(true);
    expect(new Set(records.map((r) => r.peakInstances))).toEqual(new Set([20, 100]));
    expect(new Set(records.map((r) => `${r.trace} ${r.profile}`))).toEqual(
      new Set(['checkout-api fast-api']),
    );
    expect(records.filter((r) => r.default).map((r) => `${r.policy} ${r.peakInstances}`)).toEqual([
      'headroom 20',
      'headroom 100',
    ]);
  });

  it('prints the verdict per size, the speed per policy and the paths it wrote', () => {
    expect(result.stdout).toMatch(
      /^\| checkout-api \| 20 \| fast-api \| \d+ of 15 \| (pass|\*\*MISS\*\*) \| [\d.]+ \|/m,
    );
    expect(result.stdout).toMatch(/^\| checkout-api \| 100 \| fast-api \| \d+ of 15 \|/m);
    expect(result.stdout).toMatch(/^headroom: [\d,]+ simulated minutes\/s/m);
    expect(result.stdout).toContain(`JSON: ${json}`);
    expect(readFileSync(report, 'utf8')).toContain('checkout-api · peak 100 instances');
  });

  it('runs one size with --peak-instances, against the named profile', async () => {
    const one = join(dir, 'one.json');
    const r = await runCli([
      'backtest',
      '--trace',
      trace,
      '--frontier',
      '--peak-instances',
      '30',
      '--profile',
      'cpu-heavy',
      '--json',
      one,
      '--report',
      join(dir, 'one.html'),
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    const records = JSON.parse(readFileSync(one, 'utf8')) as FrontierRecord[];
    expect(records.map((x) => x.peakInstances)).toEqual(points.map(() => 30));
    expect(new Set(records.map((x) => x.profile))).toEqual(new Set(['cpu-heavy']));
  });
});
