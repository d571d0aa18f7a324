/**
 * The replay's Headroom is the deployed one: its guardrails (cooldown, the daily budget of
 * DEFAULTS) bind in a replay as in Lambda, and an approval request is answered only after the
 * approval delay, as a person would.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULTS, type KpiSample } from '@headroom/core';
import { deployedHeadroom } from '@headroom/lab/world/deployedHeadroom.js';
import { makeService } from './fixtures.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9);
const service = makeService({
  mode: 'apply',
  capacity: { min: 1, max: 50, maxStepPct: 100, maxStepInstances: 50 },
});

/** A fleet of `size` at a calm 8 % CPU, whose desired capacity changes only when the policy says. */
async function calmFleet(minutes: number, approvalDelayMinutes?: number) {
  const headroom = deployedHeadroom(
    service,
    approvalDelayMinutes === undefined ? {} : { approvalDelayMinutes },
  );
  const history: KpiSample[] = [];
  let size = 10;
  const changes: { minute: number; to: number }[] = [];
  const asked: number[] = [];
  for (let m = 1; m <= minutes; m++) {
    const at = T0 + m * MINUTE;
    history.push({ at, requestsPerMinute: 300, cpuPct: 8, p99LatencyMs: 120, errorRatePct: 0 });
    const fleet = {
      groupName: service.autoScalingGroupName,
      desired: size,
      inService: size,
      warmingUp: 0,
      min: 1,
      max: 50,
    };
    const desired = await headroom.decide({ at, fleet, latest: history.at(-1)!, history });
    const outcome = headroom.lastReport()?.services[0]?.record?.outcome;
    if (outcome === 'approval-required') asked.push(m);
    if (desired !== size) {
      changes.push({ minute: m, to: desired });
      size = desired;
    }
  }
  return { changes, asked };
}

describe('deployed Headroom in a replay', () => {
  it('takes a scale-in that needs approval only after the approval delay (default 15 minutes)', async () => {
    expect(DEFAULTS.replayApprovalDelayMinutes).toBe(15);
    const { changes, asked } = await calmFleet(40);
    // 10 instances at 8 % CPU want about 2 at 70 %: removing 80 % of the fleet needs a person.
    expect(asked.length).toBeGreaterThan(0);
    const first = asked[0]!;
    expect(changes[0]).toEqual({ minute: first + 15, to: expect.any(Number) });
    expect(changes[0]!.to).toBeLessThan(10);
  });

  it('answers sooner with a shorter approval delay', async () => {
    const { changes, asked } = await calmFleet(30, 5);
    expect(changes[0]?.minute).toBe(asked[0]! + 5);
  });
});
