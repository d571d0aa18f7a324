/**
 * What each advisor event carries in its `detail`, as the notifier reads it. Producers (evaluate,
 * the remediation workflow) put these shapes on the bus; anything else is refused with the field
 * that is wrong, so a broken producer shows up in the dead-letter queue instead of as an empty
 * Slack message.
 */
import * as z from 'zod';
import { APPROVAL_ID_PATTERN } from './approval.js';
import type { ScalingDecision } from '../model/decision.js';
import type { AdvisorEvent, AdvisorEventType } from '../ports/index.js';

const decisionSchema = z.object({
  serviceId: z.string().min(1),
  at: z.number(),
  currentCapacity: z.number().int().min(0),
  desiredCapacity: z.number().int().min(0),
  action: z.enum(['scale-out', 'scale-in', 'hold']),
  rule: z.string(),
  reason: z.string(),
  evidence: z.record(z.string(), z.number()),
  monthlyCostDeltaUsd: z.number(),
  risk: z.enum(['low', 'medium', 'high']),
  confidence: z.number().min(0).max(1),
}) satisfies z.ZodType<ScalingDecision>;

/** Absent and null mean the same: Step Functions writes null for a missing path. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

/** Where the console links point; every event may carry them. */
const placeSchema = {
  autoScalingGroupName: optional(z.string().min(1)),
  alarmName: optional(z.string().min(1)),
};

/** The change proposed or made, when it is not a ScalingDecision (a replica, a cache node). */
const changeSchema = {
  summary: optional(z.string().min(1)),
  reason: optional(z.string()),
  evidence: optional(z.record(z.string(), z.number())),
  monthlyCostDeltaUsd: optional(z.number()),
  risk: optional(z.enum(['low', 'medium', 'high'])),
  confidence: optional(z.number().min(0).max(1)),
  tier: optional(z.string()),
};

export const decisionDetailSchema = z.object({
  decision: decisionSchema,
  outcome: optional(z.enum(['applied', 'recommended', 'blocked', 'unchanged', 'approval-required'])),
  guardrails: optional(z.array(z.string())),
  /** Set by the remediation workflow: what became of its plan (applied, advised, rejected, timed-out). */
  remediation: optional(z.string()),
  /** Set by the remediation workflow: the plan in one line, and the replica or cache changes it queued. */
  summary: optional(z.string()),
  changes: optional(z.array(z.object({ id: z.string().min(1), resourceId: z.string().min(1) }))),
  ...placeSchema,
});

const withChange = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object({ ...shape, decision: optional(decisionSchema), ...changeSchema, ...placeSchema })
    .refine(
      (d: { decision?: unknown; summary?: unknown }) => d.decision !== undefined || d.summary !== undefined,
      {
        message: 'needs a decision or a summary of the change',
      },
    );

export const approvalDetailSchema = withChange({
  approvalId: z.string().regex(APPROVAL_ID_PATTERN, 'letters, digits and . _ : - only, at most 128'),
  /** Step Functions task tokens are at most 2048 characters (SendTaskSuccess). */
  taskToken: z.string().min(1).max(2048),
  /** Epoch ms after which the workflow stops waiting (its timeout counts as rejected). */
  expiresAt: optional(z.number()),
});

export const failureDetailSchema = withChange({
  error: z.string().min(1),
  cause: optional(z.string()),
  approvalId: optional(z.string()),
});

export const completedDetailSchema = withChange({
  outcome: optional(z.string()),
  approvalId: optional(z.string()),
});

export type DecisionDetail = z.infer<typeof decisionDetailSchema>;
export type ApprovalDetail = z.infer<typeof approvalDetailSchema>;
export type FailureDetail = z.infer<typeof failureDetailSchema>;
export type CompletedDetail = z.infer<typeof completedDetailSchema>;

export type TypedAdvisorEvent =
  | { type: 'Recommendation' | 'ActionApplied'; event: AdvisorEvent; detail: DecisionDetail }
  | { type: 'ApprovalRequested'; event: AdvisorEvent; detail: ApprovalDetail }
  | { type: 'ActionFailed'; event: AdvisorEvent; detail: FailureDetail }
  | { type: 'RemediationCompleted'; event: AdvisorEvent; detail: CompletedDetail };

export class AdvisorEventError extends Error {
  override readonly name = 'AdvisorEventError';
}

function parseWith<T>(schema: z.ZodType<T>, event: AdvisorEvent): T {
  const result = schema.safeParse(event.detail);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `detail.${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new AdvisorEventError(`${event.type} event for service "${event.serviceId}": ${problems}`);
}

export function readAdvisorEvent(event: AdvisorEvent): TypedAdvisorEvent {
  switch (event.type) {
    case 'Recommendation':
    case 'ActionApplied':
      return { type: event.type, event, detail: parseWith(decisionDetailSchema, event) };
    case 'ApprovalRequested':
      return { type: event.type, event, detail: parseWith(approvalDetailSchema, event) };
    case 'ActionFailed':
      return { type: event.type, event, detail: parseWith(failureDetailSchema, event) };
    case 'RemediationCompleted':
      return { type: event.type, event, detail: parseWith(completedDetailSchema, event) };
    default: {
      const unknown: never = event.type;
      throw new AdvisorEventError(`unknown advisor event type "${String(unknown)}"`);
    }
  }
}

/** Every advisor event the notifier formats for Slack: the notifier rule must match each of them. */
export const ADVISOR_EVENT_TYPES: readonly AdvisorEventType[] = [
  'Recommendation',
  'ActionApplied',
  'ApprovalRequested',
  'ActionFailed',
  'RemediationCompleted',
];

const busDetailSchema = z.looseObject({ serviceId: z.string().min(1), at: z.number() });

/**
 * The inverse of the EventBridge publisher's entry: `detail-type` is the event type and the
 * detail is `{ serviceId, at, ...detail }`.
 */
export function advisorEventFromBus(detailType: string, detail: unknown): AdvisorEvent {
  const type = ADVISOR_EVENT_TYPES.find((t) => t === detailType);
  if (type === undefined) throw new AdvisorEventError(`unknown advisor event type "${detailType}"`);
  const parsed = busDetailSchema.safeParse(detail);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `detail.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AdvisorEventError(`${type} event: ${problems.join('; ')}`);
  }
  const { serviceId, at, ...rest } = parsed.data;
  return { type, serviceId, at, detail: rest };
}
