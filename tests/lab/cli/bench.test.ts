import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import type { FrontierRecord } from '@headroom/lab/bench/frontierRecords';
import { runCli } from './runCli.js';

// Each test starts the CLI as a child process (tsx compiles on start), on a machine other work shares.
jest.setTimeout(240_000);

/** A day at 5 minutes of a daily cycle, in each benchmark trace's own layout (small, so the run is quick). */
const ROWS = 288;
const level = (i: number) => (50 + 40 * Math.sin((2 * Math.PI * i) / 288)).toFixed(2);
const stamp = (i: number) =>
  new Date(Date.UTC(2014, 3, 10) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
const rows = (header: string, row: (i: number) => string) =>
  `${header}\n${Array.from({ length: ROWS }, (_, i) => row(i)).join('\n')}\n`;

const TRACES: Record<string, string> = {
  'nab/realAWSCloudwatch/elb_request_count_8c0756.csv': rows(
    'timestamp,value',
    (i) => `${stamp(i)},${level(i)}`,
  ),
  'nab/realKnownCause/nyc_taxi.csv': rows('timestamp,value', (i) => `${stamp(i)},${level(i + 40)}`),
  'nab/realTweets/Twitter_volume_AAPL.csv': rows('timestamp,value', (i) => `${stamp(i)},${level(i + 80)}`),
  'nab/realTweets/Twitter_volume_GOOG.csv': rows('timestamp,value', (i) => `${stamp(i)},${level(i + 120)}`),
  'datacenter_aggregates/azure_v2/vm_cpu_readings_month_aggregated_cpu_mem.csv': rows(
    'timestamp,cpu_usage,assigned_mem',
    (i) => `${i * 300},${level(i)},0.5`,
  ),
  'datacenter_aggregates/google2019/instance_usage_grouped_300_seconds_month.csv': rows(
    'avg_cpu,avg_mem,avg_assigned_mem,avg_cycles_per_instruction',
    (i) => `${level(i)},0.3,0.4,1.2`,
  ),
  'datacenter_aggregates/alibaba2018/machine_usage_days_1_to_8_grouped_300_seconds.csv': rows(
    'cpu_util_percent,mem_util_percent,net_in,net_out,disk_io_percent',
    (i) => `${level(i)},80,40,40,5`,
  ),
};

describe('headroom bench', () => {
  it('runs the frontier of every trace on worker threads and writes frontier.json, the verdict and the report', async () => {
    const root = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
    for (const [file, content] of Object.entries(TRACES)) {
      mkdirSync(dirname(join(root, 'traces', file)), { recursive: true });
      writeFileSync(join(root, 'traces', file), content);
    }
    const out = join(root, 'results');
    const r = await runCli(
      ['bench', '--traces', join(root, 'traces'), '--out', out, '--workers', '2'],
      170_000,
    );
    expect(r.stderr).not.toContain('unexpected failure');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^nyc_taxi: done \(\d+ of 294 runs, [\d.]+ s\)$/m);
    const records = JSON.parse(readFileSync(join(out, 'frontier.json'), 'utf8')) as FrontierRecord[];
    // 7 traces × 2 sizes × (3 baselines × 5 targets + 4 Headroom settings + the oracle).
    expect(records).toHaveLength(294);
    expect(new Set(records.map((x) => `${x.trace} ${x.peakInstances}`)).size).toBe(14);
    expect(r.stdout).toMatch(/^\| alibaba2018_cpu \| 100 \| slow-api \| \d+ of 15 \|/m);
    expect(r.stdout).toMatch(/^k8s-hpa: [\d,]+ simulated minutes\/s/m);
    expect(r.stdout).toMatch(/in [\d.]+ s wall, [\d.]+ s CPU, 2 worker threads \(target < 180 s\)/);
    expect(r.stdout).toContain(`JSON: ${join(out, 'frontier.json')}`);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('## Verdict');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
      'Twitter_volume_GOOG · peak 100 instances',
    );
  });

  it('names the missing traces, where they come from and --traces, with exit 1 and nothing written', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'headroom-bench-empty-'));
    const r = await runCli(['bench', '--traces', empty, '--out', join(empty, 'out'), '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`7 of 7 benchmark traces are missing under ${empty}`);
    expect(r.stderr).toContain(
      'nab/realAWSCloudwatch/elb_request_count_8c0756.csv  from https://github.com/numenta/NAB',
    );
    expect(r.stderr).toContain('--traces DIR');
    expect(r.stderr).not.toContain('unexpected failure');
    expect(existsSync(join(empty, 'out'))).toBe(false);
  });
});
