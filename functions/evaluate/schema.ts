/**
 * The event EventBridge Scheduler sends: template.yaml's Input with the scheduler's context
 * attributes filled in (all strings, attempt number included).
 */
// The namespace import lets esbuild tree-shake zod (the named `z` export drags in every locale).
import * as z from 'zod';

export const ScheduledRunSchema = z.object({
  scheduledTime: z.iso.datetime({ offset: true }),
  scheduleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule\/.+/, 'is not a schedule ARN'),
  executionId: z.string().min(1),
  attemptNumber: z
    .string()
    .regex(/^[1-9]\d*$/, 'is not a positive whole number')
    .transform(Number),
});

export type ScheduledRun = z.infer<typeof ScheduledRunSchema>;

/** The scheduled event does not match the schema; the message names each field that is wrong. */
export class ScheduledEventError extends Error {
  override readonly name = 'ScheduledEventError';
}

interface Issue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** "attemptNumber: is not a positive whole number; scheduleArn: …", from Standard Schema issues. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
      return `${path || '(event)'}: ${issue.message}`;
    })
    .join('; ');
}
