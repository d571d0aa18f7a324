/** What capacity costs: instance-hours × price, EC2-style per-second billing with a 60 s minimum per launch. */

/** AWS prices a month as 730 hours (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
/** Per-second billing charges at least this much for each launch. */
export const MINIMUM_BILLED_SECONDS = 60;

export function instanceHoursCostUsd(instanceHours: number, pricePerInstanceHourUsd: number): number {
  return instanceHours * pricePerInstanceHourUsd;
}

/** Change in monthly cost if `to` instances were held for a month instead of `from` (negative saves). */
export function monthlyCostDeltaUsd(from: number, to: number, pricePerInstanceHourUsd: number): number {
  return roundCents((to - from) * HOURS_PER_MONTH * pricePerInstanceHourUsd);
}

/** Billed seconds of instances that ran the given seconds each: per-second, at least 60 s a launch. */
export function billedInstanceSeconds(runSeconds: readonly number[]): number {
  return runSeconds.reduce((total, seconds) => total + Math.max(MINIMUM_BILLED_SECONDS, seconds), 0);
}

/**
 * Cost of a fleet from its totals: `instanceSeconds` run over `launches` launches. The 60 s minimum
 * is applied to the totals, which is exact whenever no instance ran less than a minute on top of
 * the others (as in a simulation stepped by minutes); with per-instance lifetimes at hand, use
 * billedInstanceSeconds instead.
 */
export function fleetCostUsd(
  instanceSeconds: number,
  launches: number,
  pricePerInstanceHourUsd: number,
): number {
  if (instanceSeconds < 0 || launches < 0) {
    throw new RangeError(
      `fleetCostUsd: instanceSeconds (${instanceSeconds}) and launches (${launches}) must not be negative`,
    );
  }
  const billed = Math.max(instanceSeconds, launches * MINIMUM_BILLED_SECONDS);
  return (billed / 3600) * pricePerInstanceHourUsd;
}

function roundCents(usd: number): number {
  // `+ 0` turns -0 into 0 so that "no change" prints as $0.00.
  return Math.round(usd * 100) / 100 + 0;
}
