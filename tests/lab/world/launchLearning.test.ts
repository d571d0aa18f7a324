/**
 * Headroom learns how long a launch takes from what its evaluations see of the group, as it learns
 * capacity: a week's replay of the deployed Headroom (evaluate every minute, forecast hourly) on a
 * world whose launches take a random boot + warm-up, some failing and replaced, unlike the
 * configured 180 + 120 s. The group's scaling activities time each launch, so the learned lead
 * time (the 90th percentile of 12 launches) ends within 30 s of the world's true 90th percentile,
 * read from the world's own draw, never from Headroom's config. (Timed only between sightings five
 * minutes apart, it was off by up to 72 s.)
 */
import { describe, expect, it } from '@jest/globals';
import { leadTimeOf } from '@headroom/core/capacity/launchTiming.js';
import { BENCH_SERVICE } from '@headroom/lab/bench/benchSetup.js';
import { launchSeconds } from '@headroom/lab/world/account.js';
import { deployedHeadroom } from '@headroom/lab/world/deployedHeadroom.js';
import { profileNamed, type ServiceProfile, shapeOf } from '@headroom/lab/world/profiles.js';
import { replay } from '@headroom/lab/world/replay.js';
import { generateWorkload } from '@headroom/lab/workloads/generator.js';
import { scaleToPeak } from '@headroom/lab/workloads/traceReader.js';

const T0 = Date.UTC(2026, 0, 5);

/** A world whose instances boot as slowly as a large Windows or JVM image: 8–12 minutes, then 1–2 of warm-up. */
const SLOW_BOOT: ServiceProfile = {
  ...profileNamed('slow-api'),
  bootSeconds: [480, 720],
  warmupSeconds: [60, 120],
};

/** The profile's true launch-time quantile, from 20,000 draws of the world's own launch. */
function trueQuantile(profile: ServiceProfile, q: number): number {
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const draws = Array.from({ length: 20_000 }, () => launchSeconds(profile, random));
  draws.sort((a, b) => a - b);
  return draws[Math.floor(q * draws.length)]!;
}

describe('learning the launch time in a replay, from what evaluate sees of the group', () => {
  it.each([
    // Evaluations see a group in flight every 5 minutes (the read plan's hot cadence), so a launch
    // is timed to within ±2.5 minutes: the learned lead moves in steps of 5 minutes (150 s, 450 s,
    // 750 s…), and the error stated is that half-step. Measured: slow-api and cpu-heavy 450 s
    // against a true 378 s, fast-api 150 s against 214 s, the slow boot 750 s against 791 s
    // (where the configured 300 s is 491 s off).
    ['slow-api', profileNamed('slow-api')],
    ['cpu-heavy', profileNamed('cpu-heavy')],
    ['fast-api', profileNamed('fast-api')],
    ['a slow boot (9–14 minutes)', SLOW_BOOT],
  ] as const)('%s: the learned lead is within 30 s of the true 90th percentile', async (name, profile) => {
    const service = BENCH_SERVICE;
    const { load } = scaleToPeak(
      generateWorkload({ seed: 3, startAt: T0, days: 7 }),
      { peakInstances: 20, muPerInstance: shapeOf(profile), sloP99Ms: service.slo.p99LatencyMs },
      name,
    );
    const headroom = deployedHeadroom(service);
    await replay({
      traceName: name,
      load,
      startAt: T0,
      service,
      policy: headroom,
      muPerInstance: 1,
      profile,
    });
    const launches = (await headroom.state.getServiceState(service.id))?.launches;
    const lead = leadTimeOf(launches, service);
    const truth = trueQuantile(profile, 0.9);
    expect(lead.learned).toBe(true);
    expect(Math.abs(lead.seconds - truth)).toBeLessThanOrEqual(30);
  });
});
