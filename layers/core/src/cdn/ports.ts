/** Ports of the invalidation flow: CloudFront itself, the monthly path count, and the queue deferred requests wait on. */
import type { InProgress, InvalidationRequest, PlannedInvalidation } from './coalesce.js';

export interface CdnInvalidations {
  /** File and wildcard paths of the distribution's invalidations still in progress. */
  inProgress(distributionId: string): Promise<InProgress>;
  /** Creates the invalidation; the same CallerReference twice returns the first one. */
  create(invalidation: PlannedInvalidation): Promise<{ id: string; status: string }>;
}

/** CloudFront refused because too many invalidations are in progress; the requests wait. */
export class InvalidationsBusyError extends Error {
  override readonly name = 'InvalidationsBusyError';
}

export interface PathLedger {
  /** Adds paths to the month's count; returns the count before. */
  add(month: string, paths: number): Promise<number>;
}

export interface DeferredInvalidations {
  defer(requests: readonly InvalidationRequest[], delaySeconds: number): Promise<void>;
}
