/** results.md of the frontier: the verdict table, then every point of every trace and size. */
import { FLEET_SIZES } from './benchProfiles.js';
import { BASELINE_TARGETS_PCT, FRONTIER_MIN_CAPACITY, HEADROOM_POINTS } from './frontierPoints.js';
import type { FrontierRecord } from './frontierRecords.js';
import {
  beaten,
  COMPARED_POLICIES,
  type FrontierVerdict,
  frontierVerdicts,
  VERDICT_RULE,
} from './frontierVerdict.js';

export interface FrontierRunStats {
  wallSeconds: number;
  cpuSeconds: number;
  workers: number;
  simulatedMinutes: number;
  /** Simulated minutes per second of a worker's time, per policy. */
  speeds: readonly PolicySpeed[];
}

export interface PolicySpeed {
  policy: string;
  minutes: number;
  /** Wall time of its replays, summed over the threads that ran them. */
  seconds: number;
  /** CPU time of those threads during its replays (0 where Node cannot tell). */
  cpuSeconds: number;
}

const mark = (ok: boolean) => (ok ? 'pass' : '**MISS**');
const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

const perSecond = (minutes: number, seconds: number) =>
  Math.round(seconds > 0 ? minutes / seconds : 0).toLocaleString('en-US');

/** Per policy: simulated minutes per second of its threads' wall time, and per second of their CPU. */
export function speedLines(speeds: readonly PolicySpeed[]): string[] {
  return speeds.map(
    (s) =>
      `${s.policy}: ${perSecond(s.minutes, s.seconds)} simulated minutes/s ` +
      `(${s.minutes.toLocaleString('en-US')} minutes in ${s.seconds.toFixed(1)} s of worker wall time; ` +
      `${perSecond(s.minutes, s.cpuSeconds)} per CPU-second, ${s.cpuSeconds.toFixed(1)} s of CPU)`,
  );
}

export function verdictRow(v: FrontierVerdict): string {
  return (
    `| ${v.trace} | ${v.peakInstances} | ${v.profile} | ${v.beaten} of ${v.compared} | ${mark(v.allBeaten)} | ` +
    `${ratio(v.defaultOverOracle)} | ${mark(v.withinOracle)} |`
  );
}

export const VERDICT_HEADER = [
  `| trace | peak instances | profile | baseline points beaten | all beaten | default × oracle inst-h | ≤ ${VERDICT_RULE.oracleRatio} |`,
  '|---|--:|---|--:|---|--:|---|',
];

export function frontierMarkdown(records: readonly FrontierRecord[], stats: FrontierRunStats): string {
  const verdicts = frontierVerdicts(records);
  const beatenTotal = verdicts.reduce((sum, v) => sum + v.beaten, 0);
  const comparedTotal = verdicts.reduce((sum, v) => sum + v.compared, 0);
  const lines = [
    '# Benchmark results: the frontier',
    '',
    `Every trace at two fleet sizes (its peak minute needs ${FLEET_SIZES.join(' or ')} instances), every policy at each ` +
      `of its settings, minimum capacity ${FRONTIER_MIN_CAPACITY} for all. aws-target-tracking, aws-combined and k8s-hpa at ` +
      `target utilisations ${BASELINE_TARGETS_PCT.join(', ')} % with their documented defaults otherwise; Headroom at ` +
      `${HEADROOM_POINTS.map((s) => `${s.setting}${s.default ? ' (default)' : ''}`).join(', ')} ` +
      '(the risk knob: the business cost of a minute over the SLO, against the instance-hour price); the oracle.',
    '',
    `The rule: Headroom beats a baseline point (cost c, SLO minutes s) when one of its points has cost ≤ c and SLO ` +
      `minutes ≤ ${VERDICT_RULE.sloShare}·s, or SLO minutes ≤ s and cost ≤ ${VERDICT_RULE.costShare}·c. Target: every ` +
      `${COMPARED_POLICIES.join(', ')} point beaten on every trace at both sizes, and Headroom's default within ` +
      `${VERDICT_RULE.oracleRatio} × the oracle's instance-hours. Headroom's own settings (and its defaults) were tuned ` +
      'on these same traces.',
    '',
    `Run: ${stats.simulatedMinutes.toLocaleString('en-US')} simulated minutes in ${stats.wallSeconds.toFixed(1)} s wall ` +
      `(${stats.cpuSeconds.toFixed(1)} s CPU, ${stats.workers} worker thread${stats.workers === 1 ? '' : 's'}). ` +
      `Target < ${VERDICT_RULE.benchSeconds} s: ${mark(stats.wallSeconds < VERDICT_RULE.benchSeconds)}.`,
    '',
    ...speedLines(stats.speeds).map((l) => `- ${l}`),
    '',
    '## Verdict',
    '',
    `Baseline points beaten: ${beatenTotal} of ${comparedTotal}; default within ${VERDICT_RULE.oracleRatio} × oracle on ` +
      `${verdicts.filter((v) => v.withinOracle).length} of ${verdicts.length} trace × size.`,
    '',
    ...VERDICT_HEADER,
    ...verdicts.map(verdictRow),
    '',
  ];
  for (const v of verdicts) {
    const group = records.filter(
      (r) => r.trace === v.trace && r.peakInstances === v.peakInstances && r.profile === v.profile,
    );
    const headroom = group.filter((r) => r.policy === 'headroom');
    lines.push(`## ${v.trace}, peak ${v.peakInstances} instances (${v.profile})`, '');
    lines.push(
      '| policy | setting | SLO-violation min | instance-h | × oracle | cost $ | actions | instability % | flaps | beaten |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
    );
    for (const r of group) {
      const compared = (COMPARED_POLICIES as readonly string[]).includes(r.policy);
      const verdict = compared ? (beaten(headroom, r) ? 'yes' : '**no**') : r.default ? 'default' : '';
      lines.push(
        `| ${r.policy} | ${r.setting} | ${r.sloViolationMinutes} | ${r.instanceHours.toFixed(1)} | ` +
          `${v.oracle ? ratio(r.instanceHours / v.oracle.instanceHours) : '–'} | ${r.costUsd.toFixed(2)} | ` +
          `${r.scalingActions} | ${r.instability.toFixed(2)} | ${r.flaps} | ${verdict} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
