/** results.md: the table per trace, the elastic speedup, and each target passed or missed. */
import {
  BENCH_INTERPOLATION_NOTE,
  BENCH_MU_PER_INSTANCE,
  BENCH_PEAK_INSTANCES,
  BENCH_SERVICE,
} from './benchSetup.js';
import type { BenchRecord } from './records.js';
import { TARGETS, traceVerdicts } from './targets.js';

const mark = (ok: boolean) => (ok ? 'pass' : '**MISS**');
const fixed = (x: number, digits: number) => x.toFixed(digits);

export interface RunStats {
  wallSeconds: number;
  cpuSeconds: number;
  simulatedMinutes: number;
}

export function resultsMarkdown(records: readonly BenchRecord[], stats: RunStats): string {
  const verdicts = traceVerdicts(records);
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Service: M/M/c, ${BENCH_MU_PER_INSTANCE} requests/s per instance, p99 SLO ${BENCH_SERVICE.slo.p99LatencyMs} ms, ` +
      `boot ${BENCH_SERVICE.timing.bootSeconds} s + warm-up ${BENCH_SERVICE.timing.warmupSeconds} s, ` +
      `CPU target ${BENCH_SERVICE.slo.cpuTargetPct} % for the AWS policies, ` +
      `$${BENCH_SERVICE.pricePerInstanceHourUsd}/instance-hour. Each trace is scaled so that its peak minute needs ` +
      `${BENCH_PEAK_INSTANCES} instances, ${BENCH_INTERPOLATION_NOTE}; gaps carry the last value.`,
    '',
    `Run: ${stats.simulatedMinutes.toLocaleString('en-US')} simulated minutes in ${fixed(stats.wallSeconds, 1)} s wall ` +
      `(${fixed(stats.cpuSeconds, 1)} s CPU). Target < ${TARGETS.benchSeconds} s: ${mark(stats.wallSeconds < TARGETS.benchSeconds)}.`,
    '',
  ];
  for (const trace of [...new Set(records.map((r) => r.trace))]) {
    const oracle = records.find((r) => r.trace === trace && r.policy === 'oracle');
    lines.push(`## ${trace}`, '');
    lines.push(
      '| policy | SLO-violation min | instance-h | × oracle | cost $ | θU | θO | τU % | τO % | instability % | actions |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of records.filter((x) => x.trace === trace)) {
      const ratio =
        oracle && oracle.instanceHours > 0 ? fixed(r.instanceHours / oracle.instanceHours, 3) : '–';
      lines.push(
        `| ${r.policy} | ${r.sloViolationMinutes} | ${fixed(r.instanceHours, 1)} | ${ratio} | ${fixed(r.costUsd, 2)} | ` +
          `${fixed(r.thetaU, 3)} | ${fixed(r.thetaO, 3)} | ${fixed(r.tauU, 2)} | ${fixed(r.tauO, 2)} | ` +
          `${fixed(r.instability, 2)} | ${r.scalingActions} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Targets',
    '',
    `| trace | headroom SLO min | aws-combined SLO min | ≤ ${TARGETS.sloShareOfCombined}× | headroom inst-h | aws-combined inst-h | ≤ | × oracle | ≤ ${TARGETS.costRatioToOracle} | elastic speedup vs aws-combined |`,
    '|---|--:|--:|---|--:|--:|---|--:|---|--:|',
  );
  for (const v of verdicts) {
    lines.push(
      `| ${v.trace} | ${v.headroom.sloViolationMinutes} | ${v.combined.sloViolationMinutes} | ${mark(v.sloHalved)} | ` +
        `${fixed(v.headroom.instanceHours, 1)} | ${fixed(v.combined.instanceHours, 1)} | ${mark(v.noMoreInstanceHours)} | ` +
        `${fixed(v.headroom.instanceHours / v.oracle.instanceHours, 3)} | ${mark(v.withinOracleCost)} | ${fixed(v.speedup, 2)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
