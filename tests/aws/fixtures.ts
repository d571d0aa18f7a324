/** Services and recorded-shape AWS responses for the adapter tests. */
import { parseServiceConfig, type ManagedService, type ServiceTiers } from '@headroom/core';

export function aService(name: string, tiers: ServiceTiers = {}): ManagedService {
  const service = parseServiceConfig('test', { 'headroom:managed': 'true' }, name);
  return { ...service, tiers };
}

/** 2026-11-24T10:00:00Z */
export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
export const MINUTE = 60_000;

/** A GetMetricData result entry as the SDK returns it: Timestamps are Dates, newest first. */
export function metricResult(
  id: string,
  points: [at: number, value: number][],
  statusCode: 'Complete' | 'PartialData' | 'InternalError' = 'Complete',
) {
  const newestFirst = [...points].sort((a, b) => b[0] - a[0]);
  return {
    Id: id,
    Label: id,
    Timestamps: newestFirst.map(([at]) => new Date(at)),
    Values: newestFirst.map(([, v]) => v),
    StatusCode: statusCode,
    Messages:
      statusCode === 'InternalError' ? [{ Code: 'InternalError', Value: 'Internal service error' }] : [],
  };
}

export const metadata = {
  httpStatusCode: 200,
  requestId: '4f9c6f2e-8f3a-4b7e-9a57-2d1c0b8e5a11',
  attempts: 1,
  totalRetryDelay: 0,
};
