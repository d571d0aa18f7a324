/**
 * The service state item stays one DynamoDB write unit (1 KB) with what evaluate learns of launch
 * times in it (capacity/launchTiming.ts), so learning them adds no write and no write unit: the
 * item is written every evaluation anyway, and the bill charges one unit for it.
 */
import { describe, expect, test } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_WORKLOAD } from '@headroom/lab/bill/advisorMonthlyBill';
import { writeUnits } from '@headroom/lab/bill/dynamoUnits';
import { MAX_WAITS, RECENT_LAUNCHES } from '@headroom/core/capacity/launchTiming';
import type { ServiceState } from '@headroom/core/ports/index';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

/**
 * DynamoDB's item size (developer guide, "Item sizes"): names and strings by UTF-8 length, a
 * number about one byte per two significant digits plus one, a list or map 3 bytes plus 1 per
 * element and its elements' sizes.
 */
function sizeOf(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.BOOL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + sizeOf(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  throw new Error(`no size rule for ${JSON.stringify(value)}`);
}
const itemSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((n, [name, v]) => n + Buffer.byteLength(name) + sizeOf(v), 0);

describe('the service state item', () => {
  test('is one write unit at its fullest as deployed: every launch slot used', () => {
    const state: ServiceState = {
      serviceId: 'checkout-api-production-eu-west-1',
      version: 123_456,
      lastActionAt: T0 - 120_000,
      actionsDay: 20_416,
      actionsToday: 17,
      // One a hot read (the read plan reads a hot service every 5 minutes) over the 900 s
      // stabilisation window. (Evaluated every minute, without the read plan, the window keeps 15
      // and the item, launch slots full, reaches 1,050 bytes: two write units.)
      recentRecommendations: Array.from({ length: 3 }, (_, i) => ({
        at: T0 - i * 300_000,
        desired: 140 + i,
      })),
      lastNotice: { at: T0 - 300_000, type: 'ApprovalRequested', desired: 131 },
      lastReadAt: T0,
      hot: true,
      hotBecause: 'CPU 65 % within 10 points of its 70 % target',
      launches: {
        recentSeconds: Array.from({ length: RECENT_LAUNCHES }, (_, i) => 215 + 37 * i),
        waits: Array.from({ length: MAX_WAITS }, (_, i) => ({
          startedAfter: T0 - (i + 2) * 300_000,
          startedBy: T0 - (i + 1) * 300_000,
          from: 120 + 5 * i,
          target: 125 + 5 * i,
          pendingAt: T0,
        })),
        untimedUpTo: 118,
        seenAt: T0,
      },
    };
    const item = marshall({ ...state, pk: `service#${state.serviceId}`, sk: 'state' });
    const bytes = itemSize(item);
    expect(bytes).toBeLessThanOrEqual(1024);
    expect(writeUnits(bytes)).toBe(1);
    expect(bytes).toBeLessThanOrEqual(DEFAULT_WORKLOAD.stateItemBytes);
  });
});
