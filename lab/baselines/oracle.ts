/**
 * The oracle: perfect foresight of d(t), the same boot + warm-up delay as everyone else. An
 * instance asked for at t serves from t + lead, and one removed at t stops serving at t, so
 * the least capacity that is never short is the highest demand over [t, t + lead]. It sets the
 * cost every other policy is compared with.
 */
import type { PolicyObservation, ScalingPolicy } from '@headroom/core/model/replay.js';

const MINUTE_MS = 60_000;

export interface OracleSetup {
  /** d(t) for each minute of the trace, the first at startAt. */
  demand: readonly number[];
  startAt: number;
  /** Boot + warm-up, seconds. */
  leadSeconds: number;
}

export function oraclePolicy({ demand, startAt, leadSeconds }: OracleSetup): ScalingPolicy {
  // One extra minute: an instance that becomes ready inside a minute serves from the next one.
  const leadMinutes = Math.ceil(leadSeconds / 60) + 1;
  return {
    name: 'oracle',
    decide({ at, fleet }: PolicyObservation): number {
      const minute = Math.floor((at - startAt) / MINUTE_MS);
      let need = 0;
      for (let i = Math.max(0, minute); i <= minute + leadMinutes && i < demand.length; i++) {
        need = Math.max(need, demand[i] ?? 0);
      }
      return Math.min(fleet.max, Math.max(fleet.min, need));
    },
  };
}
