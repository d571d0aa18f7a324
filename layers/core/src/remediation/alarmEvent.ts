/**
 * The event that starts remediation: EventBridge's "CloudWatch Alarm State Change" into ALARM, for
 * an alarm whose name says which managed service it watches (`<prefix><serviceId>-<what>`).
 */
import * as z from 'zod';
import type { ManagedService } from '../model/service.js';

export const alarmStateChangeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({
      value: z.literal('ALARM', { error: 'remediation starts only on a change into ALARM' }),
      reason: z.string().default(''),
    }),
  }),
});

export type AlarmStateChange = z.infer<typeof alarmStateChangeSchema>;

export interface AlarmSummary {
  name: string;
  /** The EventBridge event id: the origin of every change id this alarm leads to. */
  eventId: string;
  /** Epoch ms of the state change. */
  at: number;
  reason: string;
}

/** The event is not a CloudWatch alarm state change into ALARM; names the field that is wrong. */
export class AlarmEventError extends Error {
  override readonly name = 'AlarmEventError';
}

/** The alarm names no managed service; it is kept in the dead-letter queue for a person. */
export class UnknownAlarmError extends Error {
  override readonly name = 'UnknownAlarmError';
}

/** Alarms named `…-db-idle` or `…-cache-idle` say a tier has more replicas than it needs. */
export function idleTierOfAlarm(alarmName: string): 'database' | 'cache' | undefined {
  if (alarmName.endsWith('-db-idle')) return 'database';
  if (alarmName.endsWith('-cache-idle')) return 'cache';
  return undefined;
}

export function readAlarmEvent(event: unknown): AlarmSummary {
  const parsed = alarmStateChangeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new AlarmEventError(`not a CloudWatch alarm state change into ALARM: ${problems}`);
  }
  const { id, time, detail } = parsed.data;
  return { name: detail.alarmName, eventId: id, at: Date.parse(time), reason: detail.state.reason };
}

/** The service the alarm watches: the longest service id that follows the prefix and ends at a '-' or the name's end. */
export function serviceOfAlarm(
  alarmName: string,
  prefix: string,
  services: readonly ManagedService[],
): ManagedService {
  if (!alarmName.startsWith(prefix)) {
    throw new UnknownAlarmError(`alarm "${alarmName}" does not start with the configured prefix "${prefix}"`);
  }
  const rest = alarmName.slice(prefix.length);
  const matches = services
    .filter((s) => rest === s.id || rest.startsWith(`${s.id}-`))
    .sort((a, b) => b.id.length - a.id.length);
  const service = matches[0];
  if (service === undefined) {
    const known = services.map((s) => s.id).join(', ') || 'none';
    throw new UnknownAlarmError(`alarm "${alarmName}" names no managed service (managed: ${known})`);
  }
  return service;
}
