/**
 * The columns of a summary, shared by the terminal table and the HTML report so the two never
 * disagree on what a number means or how many decimals it gets.
 */
import type { RunSummary } from '@headroom/core/model/replay.js';

export interface SummaryColumn {
  header: string;
  /** Shown under the header; empty when the header says it all. */
  unit: string;
  /** Right-aligned (numbers) or left-aligned (names). */
  align: 'left' | 'right';
  /** What the column means, for the report's legend and the docs. */
  meaning: string;
  format(summary: RunSummary): string;
}

const fixed = (digits: number) => (v: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const num = (
  header: string,
  unit: string,
  meaning: string,
  pick: (s: RunSummary) => number,
  format: (v: number) => string,
): SummaryColumn => ({ header, unit, align: 'right', meaning, format: (s) => format(pick(s)) });

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { header: 'policy', unit: '', align: 'left', meaning: 'Scaling policy replayed.', format: (s) => s.policy },
  num(
    'SLO',
    'min',
    'Minutes with modelled p99 over the SLO or errors.',
    (s) => s.sloViolationMinutes,
    fixed(0),
  ),
  num('cost', 'inst-h', 'Instance-hours paid for.', (s) => s.instanceHours, fixed(1)),
  num('cost', 'USD', 'Instance-hours × price.', (s) => s.costUsd, fixed(2)),
  num('θU', 'inst', 'Mean instances missing per minute (under-provisioning).', (s) => s.thetaU, fixed(2)),
  num('θO', 'inst', 'Mean surplus instances per minute (over-provisioning).', (s) => s.thetaO, fixed(2)),
  num('τU', '%', 'Share of time under-provisioned.', (s) => s.tauU, fixed(1)),
  num('τO', '%', 'Share of time over-provisioned.', (s) => s.tauO, fixed(1)),
  num('instab.', '%', 'Share of steps where supply moves against demand.', (s) => s.instability, fixed(1)),
  num('actions', '', 'Scaling actions taken.', (s) => s.scalingActions, fixed(0)),
  num(
    'speed',
    'min/s',
    'Simulated minutes per second of wall time.',
    (s) => s.simulatedMinutesPerSecond,
    fixed(0),
  ),
];
