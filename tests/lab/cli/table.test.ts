import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { RunSummary } from '@headroom/core';
import { formatSummaryTable, writeRecordsJson } from '@headroom/lab/cli/table';

const summary = (trace: string, policy: string, slo: number, hours: number): RunSummary => ({
  trace,
  policy,
  minutes: 1440,
  sloViolationMinutes: slo,
  instanceHours: hours,
  costUsd: hours * 0.0416,
  thetaU: 0.125,
  thetaO: 1.5,
  tauU: 2.25,
  tauO: 61.5,
  instability: 4,
  scalingActions: 37,
  simulatedMinutesPerSecond: 123_456.7,
});

describe('formatSummaryTable', () => {
  it('prints one aligned table per trace with headers, units and formatted numbers', () => {
    const text = formatSummaryTable([
      summary('nab/elb', 'headroom', 3, 240.04),
      summary('nab/elb', 'aws-target-tracking', 1234, 1002.5),
      summary('taxi', 'headroom', 0, 12),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('nab/elb');
    expect(lines[1]).toMatch(/^policy\s+SLO\s+cost\s+cost\s+θU\s+θO\s+τU\s+τO\s+instab\.\s+actions\s+speed$/);
    expect(lines[2]).toMatch(/^\s+min\s+inst-h\s+USD\s+inst\s+inst\s+%\s+%\s+%\s+min\/s$/);
    expect(lines[4]).toMatch(
      /^headroom\s+3\s+240\.0\s+9\.99\s+0\.13\s+1\.50\s+2\.3\s+61\.5\s+4\.0\s+37\s+123,457$/,
    );
    expect(lines[5]).toMatch(/^aws-target-tracking\s+1,234\s+1,002\.5\s+41\.70\s/);
    // Right-aligned numbers end in the same column on every row.
    const sloEnd = (line: string, value: string) => line.indexOf(value) + value.length;
    expect(sloEnd(lines[4]!, ' 3 ')).toBe(sloEnd(lines[5]!, '1,234 '));
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
    expect(lines[7]).toBe('taxi');
  });
});

describe('writeRecordsJson', () => {
  it('writes the records as a JSON array, creating the folder', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'headroom-table-')), 'deep', 'out.json');
    const records = [summary('t', 'headroom', 1, 2)];
    writeRecordsJson(file, records);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(records);
  });
});
