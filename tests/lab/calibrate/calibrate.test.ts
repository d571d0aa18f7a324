import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate, readK6Summary, readSeries } from '@headroom/lab/calibrate/calibrate';
import { fitBoot, fitLatency, fitLine } from '@headroom/lab/calibrate/fit';
import { runCli } from '../cli/runCli.js';
import { writeWorldExports } from './worldExport.js';

jest.setTimeout(180_000);
const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-'));

describe('fits', () => {
  it('a line, with R²', () => {
    const fit = fitLine([1, 2, 3, 4], [3, 5, 7, 9.5]);
    expect(fit.slope).toBeCloseTo(2.15, 2);
    expect(fit.r2).toBeGreaterThan(0.99);
    expect(() => fitLine([1, 1, 1], [1, 2, 3])).toThrow('every point has the same load');
  });

  it('p99 = L0 / (1 − r/μ) recovered from points on that curve', () => {
    const samples = [1, 2, 4, 6, 8].map((r) => ({ at: r, perInstanceRps: r, p99Ms: 50 / (1 - r / 10) }));
    const fit = fitLatency(samples)!;
    expect(fit.unloadedP99Ms).toBeCloseTo(50, 6);
    expect(fit.serviceRateRps).toBeCloseTo(10, 6);
    expect(fit.r2).toBeCloseTo(1, 6);
  });

  it('boot + warm-up as the median lag from a raise of desired to in service', () => {
    const m = (pairs: [number, number][]) => new Map(pairs.map(([t, v]) => [t * 60_000, v]));
    const desired = m([
      [0, 2],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 6],
      [5, 6],
      [6, 6],
      [7, 6],
    ]);
    const inService = m([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 4],
      [4, 4],
      [5, 4],
      [6, 4],
      [7, 6],
    ]);
    expect(fitBoot(desired, inService)).toEqual({ seconds: 180, scaleOuts: 2 });
  });
});

describe('calibrate on the simulated account (per-instance capacity known: 10 requests/s)', () => {
  const exports = join(dir, 'world');
  let mu = 0;
  beforeAll(async () => {
    mu = await writeWorldExports(exports, 3);
  });

  it('finds the capacity from CPU within 2 %, says how well each fit fits', () => {
    const model = calibrate({
      requests: readSeries(join(exports, 'requests.json')),
      instances: readSeries(join(exports, 'inservice.json')),
      p99: readSeries(join(exports, 'p99.json')),
      cpu: readSeries(join(exports, 'cpu.json')),
      desired: readSeries(join(exports, 'desired.json')),
      p99ToMs: 1000,
      sloP99Ms: 500,
    });
    expect(model.periods).toBe(864);
    expect(model.fits.cpu!.r2).toBeGreaterThan(0.99);
    expect(Math.abs(model.perInstanceRps - mu) / mu).toBeLessThan(0.02);
    expect(model.fits.boot!.scaleOuts).toBeGreaterThan(0);
  });

  it('reads a k6 summary export of one instance; asks for p(99) when it is missing', () => {
    const k6 = join(dir, 'k6.json');
    writeFileSync(
      k6,
      JSON.stringify({
        metrics: { http_reqs: { count: 6000, rate: 8 }, http_req_duration: { med: 40, 'p(99)': 200 } },
      }),
    );
    expect(readK6Summary(k6, 50)).toEqual({
      file: k6,
      rps: 8,
      p99Ms: 200,
      serviceRateRps: 8 / (1 - 50 / 200),
    });
    writeFileSync(
      k6,
      JSON.stringify({ metrics: { http_reqs: { rate: 8 }, http_req_duration: { 'p(95)': 150 } } }),
    );
    expect(() => readK6Summary(k6, undefined)).toThrow(
      "has no p(99): run k6 with --summary-trend-stats 'avg,min,med,max,p(95),p(99)'",
    );
  });

  it('headroom calibrate writes the model; backtest --model replays a trace as recorded against it', async () => {
    const model = join(dir, 'model.json');
    const c = await runCli([
      'calibrate',
      '--requests',
      join(exports, 'requests.json'),
      '--instances',
      join(exports, 'inservice.json'),
      '--cpu',
      join(exports, 'cpu.json'),
      '--out',
      model,
    ]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^CPU fit cpu % = .* R² 0\.99\d on 864 periods\.$/m);
    expect(JSON.parse(readFileSync(model, 'utf8'))).toMatchObject({
      kind: 'headroom-service-model',
      capacityFrom: 'cpu',
    });

    const services = join(dir, 'services.json');
    writeFileSync(
      services,
      JSON.stringify([
        { autoScalingGroup: 'web-asg', serviceId: 'web', min: 2, max: 40, pricePerHourUsd: 0.0832 },
      ]),
    );
    const b = await runCli([
      'backtest',
      '--trace',
      join(exports, 'requests.json'),
      '--service',
      services,
      '--model',
      model,
      '--no-progress',
      '--report',
      join(dir, 'bt.html'),
      '--json',
      join(dir, 'bt.json'),
    ]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('Service web (');
    expect(b.stdout).toContain('2–40 instances, $0.0832 per instance-hour');
    expect(b.stdout).toMatch(/Service model: 10\.\d\d requests\/s per instance \(from the cpu fit\)/);
    const records = JSON.parse(readFileSync(join(dir, 'bt.json'), 'utf8')) as {
      policy: string;
      costUsd: number;
      instanceHours: number;
    }[];
    const oracle = records.find((r) => r.policy === 'oracle')!;
    expect(oracle.costUsd).toBeCloseTo(oracle.instanceHours * 0.0832, 1);
  });
});
