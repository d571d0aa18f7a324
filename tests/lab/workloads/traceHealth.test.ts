import { describe, expect, it } from '@jest/globals';
import { toTrace } from '@headroom/lab/workloads/traceReader';
import { checkTrustworthy, describeTrace, readingLines } from '@headroom/lab/workloads/traceHealth';

const MIN = 60_000;
const points = (values: number[], stepMs = 5 * MIN, start = Date.UTC(2024, 0, 1)) =>
  values.map((value, i) => ({ at: start + i * stepMs, value, where: i + 2 }));
const daily = (n: number) => Array.from({ length: n }, (_, i) => 100 + 50 * Math.sin(i / 10));

describe('describeTrace', () => {
  it('says the step, column, rows, reordering, gaps and the share of minutes filled', () => {
    const raw = points(daily(100));
    const kept = [...raw.slice(0, 40), ...raw.slice(70)]; // 30 intervals missing in one gap
    const shuffled = [kept[1]!, kept[0]!, ...kept.slice(2)];
    const reading = describeTrace(toTrace(shuffled, 'a.csv'), 'a.csv', 'value');
    expect(reading).toMatchObject({
      stepSeconds: 300,
      column: 'value',
      rows: 70,
      intervals: 100,
      rowsReordered: true,
      gaps: 1,
      filledIntervals: 30,
      outlierCount: 0,
    });
    expect(reading.filledShare).toBeCloseTo(0.3, 10);
    const lines = readingLines(reading).join('\n');
    expect(lines).toContain(
      '70 rows of column "value", step 300 s, 2024-01-01 00:00 to 2024-01-01 08:15 UTC',
    );
    expect(lines).toContain('Rows reordered: yes (sorted by time)');
    expect(lines).toContain('Gaps: 1, 30 intervals filled with the last value (30.0 % of the minutes)');
    expect(() => checkTrustworthy(reading)).not.toThrow();
  });
});

describe('checkTrustworthy', () => {
  it('refuses two rows a year apart with the numbers', () => {
    const trace = toTrace(
      [
        { at: Date.UTC(2014, 0, 1), value: 5, where: 2 },
        { at: Date.UTC(2015, 0, 1), value: 7, where: 3 },
      ],
      'year.csv',
    );
    expect(() => checkTrustworthy(describeTrace(trace, 'year.csv'))).toThrow(
      'year.csv: 2 rows 365.0 days apart: the step between rows is 365.0 days, at most 1.0 day',
    );
  });

  it('refuses a trace that is mostly filled gaps unless allowed', () => {
    const raw = points(daily(100));
    const reading = describeTrace(toTrace([...raw.slice(0, 20), ...raw.slice(80)], 'g.csv'), 'g.csv');
    expect(() => checkTrustworthy(reading)).toThrow(
      'g.csv: 60.0 % of the intervals (60 of 100, in 1 gaps) would be filled with a carried value, more than 50.0 %; pass --allow-gaps',
    );
    expect(() => checkTrustworthy(reading, { allowGaps: true })).not.toThrow();
  });

  it('refuses a value over 100 × the 99th percentile unless allowed, and lists it', () => {
    const values = daily(300);
    values[123] = 1e300;
    const reading = describeTrace(toTrace(points(values), 'o.csv'), 'o.csv');
    expect(reading.outlierCount).toBe(1);
    expect(reading.outliers[0]).toEqual({ at: Date.UTC(2024, 0, 1) + 123 * 5 * MIN, value: 1e300 });
    expect(() => checkTrustworthy(reading)).toThrow(
      /1 value\(s\) above 100 × the 99th percentile \(1\d\d\.\d\).*1\.000e\+300 at 2024-01-01 10:15 UTC.*--allow-outliers/,
    );
    expect(() => checkTrustworthy(reading, { allowOutliers: true })).not.toThrow();
  });

  it('keeps a bursty but real load (a spike 30 × the 99th percentile)', () => {
    const values = daily(300);
    values[10] = 30 * 150;
    expect(describeTrace(toTrace(points(values), 'b.csv'), 'b.csv').outlierCount).toBe(0);
  });
});
