/** The hard limits every decision obeys: the [min, max] band and the largest step one action may take. */
import type { CapacityLimits } from '../model/service.js';

/**
 * Largest change one action may make from `current`: the smaller of the percent and the instance
 * limit, rounded down so it never exceeds either, but at least one instance so a small fleet can move.
 */
export function stepLimit(current: number, limits: CapacityLimits): number {
  const byPct = Math.floor((Math.max(current, 0) * limits.maxStepPct) / 100);
  return Math.max(1, Math.min(byPct, limits.maxStepInstances));
}

/** Moves from `current` toward `wanted` by at most one step. */
export function limitToStep(current: number, wanted: number, limits: CapacityLimits): number {
  const step = stepLimit(current, limits);
  return Math.min(current + step, Math.max(current - step, wanted));
}

/** [min, max] is a hard limit: it wins over the step limit when the fleet starts outside it. */
export function clampToLimits(wanted: number, limits: Pick<CapacityLimits, 'min' | 'max'>): number {
  return Math.min(limits.max, Math.max(limits.min, wanted));
}

/** Step first, then [min, max]: the result is what one action may ask for. */
export function withinLimits(current: number, wanted: number, limits: CapacityLimits): number {
  return clampToLimits(limitToStep(current, wanted, limits), limits);
}
