/**
 * Every deployment default in one place. The evaluate function reads them when its environment
 * leaves a value out, template.yaml states them as its Parameter defaults (a test checks the two
 * agree), and the replay (`headroom simulate`, `backtest`, `bench`) runs with them, so what is
 * replayed is what is deployed.
 */
export const DEFAULTS = {
  /** Template `Mode`: services that set no mode are advised, not acted on. */
  mode: 'advise',
  /** Template `KillSwitch`. */
  killSwitch: 'off',
  /** Template `EvaluateSchedule`: how often the evaluate function runs (and the replay decides). */
  evaluateSchedule: 'rate(1 minute)',
  /** Template `ForecastSchedule`: how often the forecast is refitted (and the capacity relearned). */
  forecastSchedule: 'rate(1 hour)',
  /**
   * Template `DailyActionBudget`: most capacity changes applied per service per UTC day. 100, not
   * 20: at 20 the budget ran out by midday on a daily cycle and left the afternoon's rise unserved
   * (benchmark, NYC taxi at peak 20: 87,974 SLO minutes at 20 a day, 22,366 at 100, for 5 % more
   * instance-hours; docs/benchmark-results.md).
   */
  dailyActionBudget: 100,
  /** Template `DecisionRetentionDays`. */
  decisionRetentionDays: 90,
  /** Minutes of KPIs each evaluation reads at least (WINDOW_MINUTES). */
  windowMinutes: 15,
  /** A scale-in by more than this percent of the current capacity waits for a person's approval. */
  approvalScaleInPct: 50,
  /** An unchanged recommendation or approval request is published again after this long. */
  repeatNoticeAfterMinutes: 60,
  /** In a replay, a person answers an approval request this many minutes after it is asked. */
  replayApprovalDelayMinutes: 15,
} as const;
