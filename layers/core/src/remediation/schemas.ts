/**
 * What the change queues carry, checked field by field: a message that does not match is an error
 * naming the field, and stays on its queue until SQS moves it to the dead-letter queue.
 */
import * as z from 'zod';
import type { CacheChange, ReplicaChange, ResourceChange } from './changes.js';
import type { FollowUp } from './ports.js';
import type { FleetScale } from './plan.js';

/** The SQS deduplication id allows 128 characters; the idempotency key is the same id. */
const id = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8 to 128 letters, digits, - or _');
const delta = z
  .number()
  .int()
  .refine((n) => n !== 0 && Math.abs(n) <= 5, 'must be a non-zero integer of at most 5 replicas');

const base = {
  id,
  serviceId: z.string().min(1),
  resourceId: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'must be an RDS or ElastiCache identifier'),
  delta,
  requestedAt: z.number().int().nonnegative(),
  reason: z.string(),
};

export const replicaChangeSchema = z.object({
  kind: z.literal('db-read-replicas'),
  ...base,
}) satisfies z.ZodType<ReplicaChange>;
export const cacheChangeSchema = z.object({
  kind: z.literal('cache-replicas'),
  ...base,
}) satisfies z.ZodType<CacheChange>;
export const resourceChangeSchema = z.discriminatedUnion('kind', [
  replicaChangeSchema,
  cacheChangeSchema,
]) satisfies z.ZodType<ResourceChange>;

export const followUpSchema = z.object({
  change: resourceChangeSchema,
  watch: z.array(z.string().min(1)),
  target: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  startedAt: z.number().int().nonnegative(),
}) satisfies z.ZodType<FollowUp>;

export type ParsedChange = z.infer<typeof resourceChangeSchema>;

/** One planned fleet change, as the workflow hands it to the scaling step. */
export const fleetScaleSchema = z.object({
  groupName: z.string().min(1),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
}) satisfies z.ZodType<FleetScale>;
