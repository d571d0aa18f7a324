/** CdnInvalidations over CloudFront: ListInvalidations and GetInvalidation to count what is in progress, CreateInvalidation. */
import {
  CreateInvalidationCommand,
  GetInvalidationCommand,
  paginateListInvalidations,
  TooManyInvalidationsInProgress,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { isWildcard, type InProgress, type PlannedInvalidation } from '../cdn/coalesce.js';
import { InvalidationsBusyError, type CdnInvalidations } from '../cdn/ports.js';

/**
 * How long an invalidation can stay in progress, as far as the history is read: ListInvalidations
 * returns the newest first, and invalidations complete in minutes, so once a page reaches back
 * further than this nothing older is still in progress. Should one be, CreateInvalidation answers
 * TooManyInvalidationsInProgress and the request is deferred (InvalidationsBusyError), not lost.
 */
export const MAX_IN_PROGRESS_MS = 60 * 60 * 1000;
/** ListInvalidations' largest page. */
const INVALIDATIONS_PER_PAGE = 100;

export interface CloudFrontInvalidationsOptions {
  /** Epoch ms now; the history is read back to MAX_IN_PROGRESS_MS before it. */
  now?: () => number;
}

export class CloudFrontInvalidations implements CdnInvalidations {
  constructor(
    private readonly client: CloudFrontClient,
    private readonly options: CloudFrontInvalidationsOptions = {},
  ) {}

  async inProgress(distributionId: string): Promise<InProgress> {
    const ids: string[] = [];
    const since = (this.options.now ?? Date.now)() - MAX_IN_PROGRESS_MS;
    for await (const page of paginateListInvalidations(
      { client: this.client, pageSize: INVALIDATIONS_PER_PAGE },
      { DistributionId: distributionId },
    )) {
      const items = page.InvalidationList?.Items ?? [];
      for (const item of items) if (item.Status === 'InProgress' && item.Id) ids.push(item.Id);
      // Newest first: a page that reaches past the window is the last one needed.
      const oldest = items.at(-1)?.CreateTime;
      if (oldest !== undefined && oldest.getTime() < since) break;
    }
    // The list carries no paths; each invalidation in progress is read for its count.
    const counts = { paths: 0, wildcards: 0 };
    for (const id of ids) {
      const out = await this.client.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
      );
      for (const path of out.Invalidation?.InvalidationBatch?.Paths?.Items ?? []) {
        if (isWildcard(path)) counts.wildcards += 1;
        else counts.paths += 1;
      }
    }
    return counts;
  }

  async create(invalidation: PlannedInvalidation): Promise<{ id: string; status: string }> {
    try {
      const out = await this.client.send(
        new CreateInvalidationCommand({
          DistributionId: invalidation.distributionId,
          InvalidationBatch: {
            CallerReference: invalidation.callerReference,
            Paths: { Quantity: invalidation.paths.length, Items: invalidation.paths },
          },
        }),
      );
      return { id: out.Invalidation?.Id ?? '', status: out.Invalidation?.Status ?? 'unknown' };
    } catch (error) {
      if (error instanceof TooManyInvalidationsInProgress) throw new InvalidationsBusyError(error.message);
      throw error;
    }
  }
}
