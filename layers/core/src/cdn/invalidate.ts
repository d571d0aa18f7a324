/**
 * The invalidation use case: requests of one window in, coalesced invalidations created within
 * CloudFront's limits, the rest deferred, each invalidation's cost counted against the month.
 */
import {
  coalesceInvalidations,
  DEFAULT_COALESCE_OPTIONS,
  type CoalesceOptions,
  type InProgress,
  type InvalidationRequest,
} from './coalesce.js';
import { billingMonth, invalidationCost, type InvalidationCost } from './cost.js';
import {
  InvalidationsBusyError,
  type CdnInvalidations,
  type DeferredInvalidations,
  type PathLedger,
} from './ports.js';

export interface InvalidatePorts {
  cdn: CdnInvalidations;
  ledger: PathLedger;
  deferrals: DeferredInvalidations;
  /** Read right before any invalidation is created: when on, none is, and the messages come back. */
  killSwitch: { isKillSwitchOn(): Promise<boolean> };
}

/** The kill switch stopped the window's invalidations; its messages stay on the queue (then its DLQ). */
export class InvalidationsStoppedError extends Error {
  override readonly name = 'InvalidationsStopped';
}

export interface CreatedInvalidation {
  distributionId: string;
  id: string;
  paths: string[];
  callerReference: string;
  cost: InvalidationCost;
}

export interface InvalidateResult {
  created: CreatedInvalidation[];
  deferred: InvalidationRequest[];
  /** Requests whose invalidation failed for another reason; their messages must come back. */
  failed: { requests: InvalidationRequest[]; error: Error }[];
}

/** Five minutes: invalidations usually finish within that, freeing room under the limits. */
export const DEFER_SECONDS = 300;

export async function invalidateForDeploys(
  requests: readonly InvalidationRequest[],
  ports: InvalidatePorts,
  now: number,
  options: CoalesceOptions = DEFAULT_COALESCE_OPTIONS,
): Promise<InvalidateResult> {
  if (requests.length > 0 && (await ports.killSwitch.isKillSwitchOn())) {
    const error = new InvalidationsStoppedError('the kill switch is on; no invalidation was created');
    return { created: [], deferred: [], failed: [{ requests: [...requests], error }] };
  }
  // A distribution CloudFront does not know (or will not show) fails its own requests only.
  const unreadable: InvalidateResult['failed'] = [];
  const inProgress = new Map<string, InProgress>();
  for (const distributionId of new Set(requests.map((r) => r.distributionId))) {
    try {
      inProgress.set(distributionId, await ports.cdn.inProgress(distributionId));
    } catch (error) {
      unreadable.push({
        requests: requests.filter((r) => r.distributionId === distributionId),
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }
  const readable = requests.filter((r) => inProgress.has(r.distributionId));
  const plan = coalesceInvalidations(readable, inProgress, options);
  const result: InvalidateResult = { created: [], deferred: [...plan.deferred], failed: unreadable };
  for (const invalidation of plan.invalidations) {
    try {
      const { id } = await ports.cdn.create(invalidation);
      const before = await ports.ledger.add(billingMonth(now), invalidation.paths.length);
      const { distributionId, paths, callerReference } = invalidation;
      result.created.push({
        distributionId,
        id,
        paths,
        callerReference,
        cost: invalidationCost(before, paths.length),
      });
    } catch (error) {
      if (error instanceof InvalidationsBusyError) result.deferred.push(...invalidation.requests);
      else
        result.failed.push({
          requests: invalidation.requests,
          error: error instanceof Error ? error : new Error(String(error)),
        });
    }
  }
  if (result.deferred.length > 0) await ports.deferrals.defer(result.deferred, DEFER_SECONDS);
  return result;
}
