import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demandFor } from '@headroom/lab/world/queueing';
import {
  TraceError,
  peakLoadFor,
  readTraceFile,
  scaleToPeak,
  toMinuteLoad,
  toTrace,
} from '@headroom/lab/workloads/traceReader';
import { parseTimestamp } from '@headroom/lab/workloads/traceFormats';

let dir = '';

function fixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function thrown(f: () => unknown): TraceError {
  try {
    f();
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-trace-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = (s: string): number => Date.parse(`${s}Z`);

describe('parseTimestamp', () => {
  it('reads naive timestamps as UTC and keeps explicit zones', () => {
    expect(parseTimestamp('2014-07-01 00:30:00')).toBe(Date.UTC(2014, 6, 1, 0, 30));
    expect(parseTimestamp('2008-01-30')).toBe(Date.UTC(2008, 0, 30));
    expect(parseTimestamp('2024-01-01T01:00:00+01:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('2014-02-30 00:00:00')).toBeNaN();
    expect(parseTimestamp('2014-13-01 00:00:00')).toBeNaN();
    expect(parseTimestamp('2014-01-01 24:00:00')).toBeNaN();
    expect(parseTimestamp('yesterday')).toBeNaN();
  });
});

describe('timestamp,value CSV', () => {
  it('reads a clean file and detects a 5-minute interval', () => {
    const path = fixture(
      'clean.csv',
      'timestamp,value\n2014-04-10 00:00:00,10\n2014-04-10 00:05:00,20.5\n2014-04-10 00:10:00,30\n',
    );
    const trace = readTraceFile(path);
    expect(trace).toEqual({
      name: 'clean.csv',
      start: T('2014-04-10T00:00:00'),
      intervalMs: 300_000,
      values: [10, 20.5, 30],
      gaps: [],
      duplicates: [],
      wasUnsorted: false,
    });
  });

  it('names file, line and problem for a bad value, a bad timestamp and a short row', () => {
    const bad = ['timestamp,value', '2014-04-10 00:00:00,1', '2014-04-10 00:05:00,abc'].join('\n');
    expect(thrown(() => readTraceFile(fixture('trace.csv', bad))).message).toBe(
      `${join(dir, 'trace.csv')}:3: value "abc" is not a number`,
    );
    const e = thrown(() => readTraceFile(fixture('ts.csv', 'timestamp,value\n2014-13-01 00:00:00,1\n')));
    expect([e.where, e.problem]).toEqual([
      2,
      'timestamp "2014-13-01 00:00:00" is not a date (expected YYYY-MM-DD HH:MM:SS)',
    ]);
    expect(
      thrown(() =>
        readTraceFile(fixture('short.csv', 'timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00\n')),
      ).where,
    ).toBe(3);
    expect(
      thrown(() => readTraceFile(fixture('neg.csv', 'timestamp,value\n2014-04-10 00:00:00,-1\n'))).problem,
    ).toMatch(/negative/);
    expect(
      thrown(() => readTraceFile(fixture('empty.csv', 'timestamp,value\n2014-04-10 00:00:00,\n'))).problem,
    ).toBe('value is empty');
    expect(thrown(() => readTraceFile(join(dir, 'missing.csv'))).problem).toMatch(
      /cannot read the file \(ENOENT\)/,
    );
  });

  it('fills gaps with the last value and reports them, never as zero load', () => {
    const rows = [
      'timestamp,value',
      '2014-04-10 00:00:00,5',
      '2014-04-10 00:05:00,7',
      '2014-04-10 00:20:00,9',
      '2014-04-10 00:25:00,3',
    ];
    const trace = readTraceFile(fixture('gaps.csv', rows.join('\n')));
    expect(trace.values).toEqual([5, 7, 7, 7, 9, 3]);
    expect(trace.gaps).toEqual([
      { from: T('2014-04-10T00:10:00'), to: T('2014-04-10T00:15:00'), missing: 2 },
    ]);
  });

  it('sorts unsorted rows, says so, and reports duplicates keeping the last', () => {
    const rows = [
      'timestamp,value',
      '2014-04-10 00:10:00,3',
      '2014-04-10 00:00:00,1',
      '2014-04-10 00:05:00,2',
      '2014-04-10 00:05:00,22',
    ];
    const trace = readTraceFile(fixture('unsorted.csv', rows.join('\n')));
    expect(trace.wasUnsorted).toBe(true);
    expect(trace.values).toEqual([1, 22, 3]);
    expect(trace.duplicates).toEqual([{ at: T('2014-04-10T00:05:00'), rows: [4, 5] }]);
  });

  it('needs two distinct times to know the interval', () => {
    expect(
      thrown(() => readTraceFile(fixture('one.csv', 'timestamp,value\n2014-04-10 00:00:00,1\n'))).problem,
    ).toMatch(/at least two rows/);
  });
});

describe('other CSV shapes', () => {
  it('datacenter aggregate without timestamps: row i at i × step, column by name', () => {
    const path = fixture('agg.csv', 'avg_cpu,avg_mem\n0.5,0.1\n0.25,0.1\n0.75,0.2\n');
    const trace = readTraceFile(path, { startAt: 1_000_000, stepSeconds: 300 });
    expect([trace.start, trace.intervalMs, trace.values]).toEqual([1_000_000, 300_000, [0.5, 0.25, 0.75]]);
    expect(readTraceFile(path, { column: 'avg_mem' }).values).toEqual([0.1, 0.1, 0.2]);
    expect(thrown(() => readTraceFile(path, { column: 'nope' })).message).toMatch(
      /column "nope" not found; columns are avg_cpu, avg_mem/,
    );
  });

  it('takes the step from a datacenter aggregate file name when not given', () => {
    const trace = readTraceFile(fixture('usage_grouped_30_seconds.csv', 'cpu_util_percent\n1\n2\n'));
    expect(trace.intervalMs).toBe(30_000);
  });

  it('Azure aggregate: a seconds timestamp column', () => {
    const trace = readTraceFile(
      fixture('azure.csv', 'timestamp,cpu_usage,assigned_mem\n0,10,1\n300,20,1\n900,40,1\n'),
    );
    expect([trace.intervalMs, trace.values, trace.gaps.length]).toEqual([300_000, [10, 20, 20, 40], 1]);
  });

  it('Prophet ds,y with quoted header and dates', () => {
    const trace = readTraceFile(fixture('wp.csv', '"ds","y"\n"2008-01-31",6.1\n"2008-01-30",5.9\n'));
    expect([trace.intervalMs, trace.values, trace.wasUnsorted]).toEqual([86_400_000, [5.9, 6.1], true]);
  });
});

describe('CloudWatch GetMetricData JSON', () => {
  const page = (times: string[], values: unknown[]) => ({
    MetricDataResults: [
      { Id: 'requests', Label: 'RequestCount', Timestamps: times, Values: values, StatusCode: 'Complete' },
    ],
  });

  it('reads newest-first results and merges paginated responses', () => {
    const pages = [
      page(['2024-05-01T00:04:00+00:00', '2024-05-01T00:03:00+00:00'], [40, 30]),
      page(['2024-05-01T00:02:00+00:00', '2024-05-01T00:00:00+00:00'], [20, 0]),
    ];
    const trace = readTraceFile(fixture('export.json', JSON.stringify(pages)), { id: 'requests' });
    expect(trace.intervalMs).toBe(60_000);
    expect(trace.values).toEqual([0, 0, 20, 30, 40]);
    expect(trace.gaps).toEqual([
      { from: T('2024-05-01T00:01:00'), to: T('2024-05-01T00:01:00'), missing: 1 },
    ]);
  });

  it('names the JSON path of a bad value and refuses a missing result', () => {
    const bad = page(['2024-05-01T00:01:00Z', '2024-05-01T00:00:00Z'], [1, 'x']);
    expect(thrown(() => readTraceFile(fixture('bad.json', JSON.stringify(bad)))).message).toBe(
      `${join(dir, 'bad.json')}: MetricDataResults[0].Values[1]: value "x" is not a number`,
    );
    expect(
      thrown(() => readTraceFile(fixture('ok.json', JSON.stringify(bad)), { id: 'other' })).problem,
    ).toMatch(/no result with Id or Label "other"/);
    expect(thrown(() => readTraceFile(fixture('no.json', '{"Foo":1}'))).problem).toMatch(
      /not a GetMetricData response/,
    );
    expect(thrown(() => readTraceFile(fixture('broken.json', '{'))).problem).toMatch(/not valid JSON/);
  });
});

describe('toMinuteLoad', () => {
  const trace = toTrace(
    [
      { at: 0, value: 1, where: 2 },
      { at: 300_000, value: 2, where: 3 },
    ],
    'two.csv',
  );

  it('holds each value through its interval by default, or interpolates linearly', () => {
    const held = toMinuteLoad(trace, { peakInstances: 20, muPerInstance: 10, sloP99Ms: 500 });
    expect(held.load.map((x) => x / held.scale)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    const linear = toMinuteLoad(trace, {
      peakInstances: 20,
      muPerInstance: 10,
      sloP99Ms: 500,
      interpolation: 'linear',
    });
    expect(linear.load.map((x) => x / linear.scale)).toEqual([1, 1.2, 1.4, 1.6, 1.8, 2, 2, 2, 2, 2]);
  });

  it('scales so that the peak minute needs exactly the stated instances', () => {
    const { load } = toMinuteLoad(trace, { peakInstances: 20, muPerInstance: 10, sloP99Ms: 500 });
    const peak = Math.max(...load);
    expect(demandFor(peak / 60, 10, 500)).toBe(20);
    expect(demandFor((peak * 1.001) / 60, 10, 500)).toBe(21);
    expect(peakLoadFor(20, 10, 500)).toBeCloseTo(peak, 6);
  });

  it('scaleToPeak does the same for any per-minute series, such as a generated one', () => {
    const { load, scale } = scaleToPeak([100, 400, 200], {
      peakInstances: 8,
      muPerInstance: 10,
      sloP99Ms: 500,
    });
    expect(load[1]).toBeCloseTo(peakLoadFor(8, 10, 500), 6);
    expect(load[0]).toBeCloseTo(100 * scale, 9);
    expect(() => scaleToPeak([0, 0], { peakInstances: 8, muPerInstance: 10, sloP99Ms: 500 })).toThrow(
      /every value is 0/,
    );
  });

  it('averages intervals finer than a minute', () => {
    const fine = toTrace(
      [0, 1, 2, 3].map((i) => ({ at: i * 30_000, value: i + 1, where: i + 2 })),
      'fine.csv',
    );
    const { load, scale } = toMinuteLoad(fine, { peakInstances: 5, muPerInstance: 10, sloP99Ms: 500 });
    expect(load).toHaveLength(2);
    expect((load[0] as number) / scale).toBeCloseTo(1.5, 12);
    expect((load[1] as number) / scale).toBeCloseTo(3.5, 12);
  });

  it('reports gaps as timeline events and refuses an all-zero trace', () => {
    const gappy = toTrace(
      [
        { at: 0, value: 1, where: 2 },
        { at: 60_000, value: 1, where: 3 },
        { at: 240_000, value: 2, where: 4 },
      ],
      'g.csv',
    );
    expect(toMinuteLoad(gappy, { peakInstances: 5, muPerInstance: 10, sloP99Ms: 500 }).gapEvents).toEqual([
      { at: 120_000, kind: 'gap', label: '2 missing intervals filled with the last value' },
    ]);
    const zeros = toTrace(
      [
        { at: 0, value: 0, where: 2 },
        { at: 60_000, value: 0, where: 3 },
      ],
      'z.csv',
    );
    expect(() => toMinuteLoad(zeros, { peakInstances: 5, muPerInstance: 10, sloP99Ms: 500 })).toThrow(
      /every value is 0/,
    );
  });
});

/** A NAB-format file (`timestamp,value`, local "YYYY-MM-DD HH:MM:SS"), as the benchmark traces are. */
function nabFile(name: string, start: number, stepMs: number, values: number[]): string {
  const stamp = (at: number) => new Date(at).toISOString().slice(0, 19).replace('T', ' ');
  const rows = values.map((v, i) => `${stamp(start + i * stepMs)},${v}`);
  return fixture(name, `timestamp,value\n${rows.join('\n')}\n`);
}

// The real traces (../shared/data/traces) are not part of a clone; `npm run bench` reads them. These
// files have the same shape: NYC taxi (30 minutes, 10,320 rows, no gaps) and an ELB count with holes.
describe('NAB-format traces', () => {
  it('reads a 30-minute trace like NYC taxi: no gaps, peak scaled to 20 instances', () => {
    const values = Array.from({ length: 10320 }, (_, i) =>
      Math.round(15000 + 10000 * Math.sin((i / 48) * 2 * Math.PI)),
    );
    const trace = readTraceFile(nabFile('nyc_taxi.csv', Date.UTC(2014, 6, 1), 30 * 60_000, values));
    expect(trace.intervalMs).toBe(30 * 60_000);
    expect(trace.values).toHaveLength(10320);
    expect(trace.start).toBe(Date.UTC(2014, 6, 1));
    expect(trace.gaps).toEqual([]);
    const { load } = toMinuteLoad(trace, { peakInstances: 20, muPerInstance: 10, sloP99Ms: 500 });
    expect(load).toHaveLength(10320 * 30);
    const peak = load.reduce((a, b) => Math.max(a, b), 0);
    expect(demandFor(peak / 60, 10, 500)).toBe(20);
  });

  it('reports the gaps of a 5-minute ELB request count with missing rows', () => {
    const start = Date.UTC(2014, 3, 10, 0, 4);
    const text = ['timestamp,value'];
    for (let i = 0; i < 100; i++) {
      if (i >= 40 && i < 43) continue;
      text.push(
        `${new Date(start + i * 300_000).toISOString().slice(0, 19).replace('T', ' ')},${50 + (i % 7)}.0`,
      );
    }
    const trace = readTraceFile(fixture('elb_request_count.csv', `${text.join('\n')}\n`));
    expect(trace.intervalMs).toBe(300_000);
    expect(trace.gaps.length).toBeGreaterThan(0);
  });
});
