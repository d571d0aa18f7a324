/**
 * The body of one shard's queue message, and its check on the way in: a worker acts on the
 * services the planner discovered, so a message that does not have their shape is refused with
 * the field that is wrong (and goes to the dead-letter queue after its retries).
 */
import * as z from 'zod';
import { MODES } from '../model/service.js';
import type { Shard } from './shardPlan.js';

const count = z.number().finite();
const ServiceSchema = z.object({
  id: z.string().min(1),
  autoScalingGroupName: z.string().min(1),
  mode: z.enum(MODES as [string, ...string[]]),
  slo: z.object({
    p99LatencyMs: count,
    errorRatePct: count,
    cpuTargetPct: count,
    dbConnectionsMaxPct: count.optional(),
    cacheHitRatioMinPct: count.optional(),
    cdnHitRatioMinPct: count.optional(),
  }),
  capacity: z.object({ min: count, max: count, maxStepPct: count, maxStepInstances: count }),
  timing: z.object({
    bootSeconds: count,
    warmupSeconds: count,
    cooldownSeconds: count,
    scaleInStabilizationSeconds: count,
  }),
  pricePerInstanceHourUsd: count,
  slowMinuteCostUsd: count,
  tiers: z.object({
    loadBalancer: z.string().optional(),
    targetGroup: z.string().optional(),
    dbInstanceId: z.string().optional(),
    dbMaxConnections: count.optional(),
    cacheReplicationGroupId: z.string().optional(),
    cdnDistributionId: z.string().optional(),
  }),
});

const ShardSchema = z.object({
  flow: z.enum(['evaluate', 'forecast']),
  index: z.number().int().min(0),
  of: z.number().int().min(1),
  runAt: z.number().int(),
  services: z.array(ServiceSchema),
});

export class ShardMessageError extends Error {
  override readonly name = 'ShardMessageError';
}

export function shardMessageBody(shard: Shard): string {
  return JSON.stringify(shard);
}

/** The shard in a queue message body; throws ShardMessageError naming each field that is wrong. */
export function readShardMessage(body: string): Shard {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ShardMessageError(`shard message is not JSON: ${(error as Error).message}`);
  }
  const result = ShardSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new ShardMessageError(`shard message is malformed: ${issues.join('; ')}`);
  }
  return result.data as Shard;
}
