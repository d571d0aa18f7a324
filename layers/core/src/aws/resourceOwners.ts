/**
 * ResourceOwners: which service a database, cache or distribution belongs to, by its
 * `headroom:service` tag (read over AWS by ownerReaders.ts). Answers are kept for a while per
 * container: ownership changes by a person's hand, and evaluate runs every minute.
 */
import type { ResourceOwners, TierKind } from '../config/managedServices.js';
import type { Clock } from '../ports/index.js';

/** Reads one kind's `headroom:service` tag; a function builds only the readers it needs (and so is granted only those calls). */
export type OwnerReader = (resourceId: string) => Promise<string | undefined>;

/**
 * ResourceOwners from the readers given; a kind without a reader has no owner (fails closed).
 * Answers are kept `keepMs` (default 10 minutes) per container; failures are not kept.
 */
export function keptOwners(
  readers: Partial<Record<TierKind, OwnerReader>>,
  clock: Clock,
  keepMs = 600_000,
): ResourceOwners {
  const kept = new Map<string, { at: number; service: string | undefined }>();
  return {
    serviceOf: async (kind, resourceId) => {
      const key = `${kind}/${resourceId}`;
      const now = clock.now();
      const hit = kept.get(key);
      if (hit !== undefined && now - hit.at < keepMs) return hit.service;
      const read = readers[kind];
      const service = read === undefined ? undefined : await read(resourceId);
      kept.set(key, { at: now, service });
      return service;
    },
  };
}

/** The account and partition template.yaml passes as ACCOUNT_ID and PARTITION. */
export function accountFromEnvironment(env: Readonly<Record<string, string | undefined>>): {
  accountId: string;
  partition: string;
} {
  const accountId = env.ACCOUNT_ID;
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new Error(`environment variable ACCOUNT_ID "${accountId ?? ''}" is not a 12-digit account id`);
  }
  return { accountId, partition: env.PARTITION || 'aws' };
}
