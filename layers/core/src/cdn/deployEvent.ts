/**
 * What the invalidation queue carries: a deploy event from the advisor's bus, an S3 object-created
 * event for the configured bucket (both as EventBridge delivers them), or requests deferred earlier.
 */
import * as z from 'zod';
import type { InvalidationRequest } from './coalesce.js';

/** CloudFront paths begin with '/'; '*' may only end one. */
const cdnPath = z
  .string()
  .regex(/^\/[^*\s]*\*?$/, "must begin with '/', have no spaces, and use '*' only at the end")
  .max(4000);

export const deployEventSchema = z.object({
  id: z.string().min(1),
  /** The sending account, logged when the event is refused. */
  account: z.string().optional(),
  source: z.literal('headroom.deploy'),
  'detail-type': z.literal('Deployment Completed'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    distributionId: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a CloudFront distribution id'),
    paths: z.array(cdnPath).min(1).max(3000),
  }),
});

export const objectCreatedSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1) }),
  }),
});

export const deferredSchema = z.object({
  kind: z.literal('deferred'),
  requests: z
    .array(
      z.object({
        distributionId: z.string().min(1),
        path: cdnPath,
        sourceId: z.string().min(1),
        at: z.number().int(),
      }),
    )
    .min(1),
});

export const invalidationMessageSchema = z.union([deployEventSchema, objectCreatedSchema, deferredSchema]);
export type InvalidationMessage = z.infer<typeof invalidationMessageSchema>;

/** Which distribution serves the configured bucket's objects. */
export interface BucketOrigin {
  bucket: string;
  distributionId: string;
}

export class InvalidationMessageError extends Error {
  override readonly name = 'InvalidationMessageError';
}

export function requestsOf(
  message: InvalidationMessage,
  origin: BucketOrigin | undefined,
): InvalidationRequest[] {
  if ('kind' in message) return message.requests;
  const at = Date.parse(message.time);
  if (message.source === 'headroom.deploy') {
    const { distributionId, paths } = message.detail;
    return paths.map((path) => ({ distributionId, path, sourceId: message.id, at }));
  }
  const { bucket, object } = message.detail;
  if (origin === undefined || bucket.name !== origin.bucket) {
    throw new InvalidationMessageError(
      `object created in bucket "${bucket.name}", which is not the configured origin bucket`,
    );
  }
  return [
    {
      distributionId: origin.distributionId,
      path: `/${encodeURI(object.key).replace(/\*/g, '%2A')}`,
      sourceId: message.id,
      at,
    },
  ];
}
