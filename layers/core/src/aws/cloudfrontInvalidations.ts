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

export class CloudFrontInvalidations implements CdnInvalidations {
  constructor(private readonly client: CloudFrontClient) {}

  async inProgress(distributionId: string): Promise<InProgress> {
    const ids: string[] = [];
    for await (const page of paginateListInvalidations(
      { client: this.client },
      { DistributionId: distributionId },
    )) {
      for (const item of page.InvalidationList?.Items ?? [])
        if (item.Status === 'InProgress' && item.Id) ids.push(item.Id);
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
