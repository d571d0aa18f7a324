/**
 * Learning a service's launch time from the group as evaluations see it (capacity/launchTiming.ts):
 * one observation per rise of desired capacity, timed between the middles of its bounds; sightings
 * seen twice or late teach nothing; a scale-in cancels; launches the group's activities time are
 * learned to the second and replace the estimates; the configured boot + warm-up stays until
 * MIN_LAUNCHES launches were seen.
 */
import { describe, expect, it } from '@jest/globals';
import {
  GIVE_UP_MS,
  launchAsked,
  launchInFlight,
  leadTimeOf,
  MIN_LAUNCHES,
  NO_LAUNCHES,
  observeFleet,
  RECENT_LAUNCHES,
  type LaunchTiming,
} from '@headroom/core/capacity/launchTiming.js';
import { aService } from './fixtures.js';

const MIN = 60_000;

/** Sightings [minute, desired, inService]; `asked` [minute, desired]: Headroom's own action. */
type Step = { at: number; desired: number; inService: number } | { askedAt: number; desired: number };
const seen = (minute: number, desired: number, inService: number): Step => ({
  at: minute * MIN,
  desired,
  inService,
});
const asked = (minute: number, desired: number): Step => ({ askedAt: minute * MIN, desired });

function run(steps: readonly Step[], from: LaunchTiming = NO_LAUNCHES): LaunchTiming {
  let timing = from;
  let inService = 0;
  for (const step of steps) {
    if ('askedAt' in step) {
      timing = launchAsked(timing, step.askedAt, step.desired, inService);
    } else {
      timing = observeFleet(timing, step);
      inService = step.inService;
    }
  }
  return timing;
}

describe('observeFleet / launchAsked: one observation per rise', () => {
  it.each([
    [
      'own action, seen every 5 minutes: between the middles of (0,0] and (5,10]',
      [seen(0, 3, 3), asked(0, 5), seen(5, 5, 3), seen(10, 5, 5)],
      [450],
    ],
    [
      'a rise first seen at a sighting: its start is the middle of (0,1]',
      [seen(0, 3, 3), seen(1, 5, 3), seen(2, 5, 4), seen(4, 5, 4), seen(5, 5, 5)],
      [240],
    ],
    [
      'the same minute twice and a late one teach nothing more',
      [seen(0, 3, 3), asked(0, 5), seen(4, 5, 3), seen(5, 5, 5), seen(5, 5, 5), seen(3, 6, 3), seen(6, 5, 5)],
      [270],
    ],
    [
      'a scale-in while waiting cancels the rise: no observation',
      [seen(0, 3, 3), asked(0, 5), seen(2, 3, 3), seen(8, 3, 3)],
      [],
    ],
    [
      'a scale-in part way keeps the launches still asked for',
      [seen(0, 3, 3), asked(0, 6), seen(2, 4, 3), seen(4, 4, 4)],
      [180],
    ],
    [
      'a second rise mid-wait is timed on its own',
      [seen(0, 3, 3), asked(0, 5), seen(5, 5, 4), asked(5, 7), seen(6, 7, 5), seen(9, 7, 6), seen(10, 7, 7)],
      [330, 270],
    ],
    [
      'a failed launch the group replaces is a longer lead time, kept',
      [seen(0, 3, 3), asked(0, 4), seen(5, 4, 3), seen(10, 4, 3), seen(11, 4, 3), seen(12, 4, 4)],
      [690],
    ],
    [
      'a shortfall already there at the first sighting is not timed (its start is unknown)',
      [seen(0, 5, 3), seen(1, 5, 5)],
      [],
    ],
    [
      'and its end starts no wait of its own',
      [seen(0, 5, 3), seen(1, 5, 4), seen(2, 5, 5), seen(3, 5, 5)],
      [],
    ],
    [
      'a rise above an untimed shortfall is timed from its own start',
      [seen(0, 5, 3), asked(1, 6), seen(2, 6, 3), seen(3, 6, 6)],
      [90],
    ],
    [
      'a sighting gap too wide to tell (a calm read 40 minutes later) is dropped',
      [seen(0, 3, 3), asked(0, 5), seen(5, 5, 3), seen(45, 5, 5)],
      [],
    ],
  ] as const)('%s', (_name, steps, expected) => {
    const timing = run(steps);
    expect(timing.recentSeconds).toEqual(expected);
    expect(launchInFlight(timing)).toBe(false);
  });

  it('a launch that never serves is given up after GIVE_UP_MS, not kept as a lead time', () => {
    const waiting = run([seen(0, 3, 3), asked(0, 4), seen(5, 4, 3)]);
    expect(launchInFlight(waiting)).toBe(true);
    const stillWaiting = observeFleet(waiting, { at: GIVE_UP_MS, desired: 4, inService: 3 });
    expect(launchInFlight(stillWaiting)).toBe(true);
    const givenUp = observeFleet(stillWaiting, { at: GIVE_UP_MS + MIN, desired: 4, inService: 3 });
    expect(launchInFlight(givenUp)).toBe(false);
    expect(givenUp.recentSeconds).toEqual([]);
    // When it finally serves, nothing is timed from a start nobody saw.
    const served = observeFleet(givenUp, { at: GIVE_UP_MS + 2 * MIN, desired: 4, inService: 4 });
    expect(served.recentSeconds).toEqual([]);
    expect(served.untimedUpTo).toBeUndefined();
  });

  it('keeps only the latest RECENT_LAUNCHES observations', () => {
    let timing = run([seen(0, 1, 1)]);
    for (let i = 0; i < RECENT_LAUNCHES + 5; i++) {
      const t = 10 * (i + 1);
      timing = run([asked(t, 2), seen(t + 1 + (i % 3), 2, 2), seen(t + 5, 1, 1)], timing);
    }
    expect(timing.recentSeconds).toHaveLength(RECENT_LAUNCHES);
  });
});

describe("observeFleet: launches timed by the group's scaling activities", () => {
  const timed = (startedMin: number, servingSec: number) => ({
    startedAt: startedMin * MIN,
    servingAt: startedMin * MIN + servingSec * 1000,
  });

  it('learns each timed launch to the second, once, however often its activity is seen again', () => {
    const a = timed(0, 214);
    const b = timed(0, 251);
    let timing = run([seen(0, 3, 3), asked(0, 5)]);
    timing = observeFleet(timing, { at: 5 * MIN, desired: 5, inService: 5, launches: [a, b] });
    expect(timing.recentSeconds).toEqual([214, 251]);
    // The next sightings read the same activities (and a repeated minute teaches nothing).
    timing = observeFleet(timing, { at: 10 * MIN, desired: 5, inService: 5, launches: [a, b] });
    timing = observeFleet(timing, {
      at: 10 * MIN,
      desired: 5,
      inService: 5,
      launches: [a, b, timed(6, 300)],
    });
    expect(timing.recentSeconds).toEqual([214, 251]);
    expect(timing.timedUntil).toBe(b.servingAt);
    expect(launchInFlight(timing)).toBe(false);
  });

  it('drops the between-sightings estimates once launches come timed, and makes no more of them', () => {
    // Two rises timed between sightings five minutes apart: 450 s each, against a true ~210 s.
    let timing = run([
      seen(0, 3, 3),
      asked(0, 5),
      seen(5, 5, 3),
      seen(10, 5, 5),
      asked(20, 7),
      seen(25, 7, 5),
      seen(30, 7, 7),
    ]);
    expect(timing.recentSeconds).toEqual([450, 450]);
    timing = observeFleet(timing, {
      at: 35 * MIN,
      desired: 7,
      inService: 7,
      launches: [timed(20, 208), timed(20, 212)],
    });
    expect(timing.recentSeconds).toEqual([208, 212]);
    // A later rise whose activities are not read when it serves adds no estimate between sightings.
    timing = run([asked(40, 9), seen(45, 9, 7), seen(50, 9, 9)], timing);
    expect(timing.recentSeconds).toEqual([208, 212]);
  });

  it('leaves a launch not serving yet (warm-up still running) for a later sighting', () => {
    let timing = run([seen(0, 3, 3), asked(0, 4)]);
    const warming = timed(0, 400);
    timing = observeFleet(timing, { at: 5 * MIN, desired: 4, inService: 3, launches: [warming] });
    expect(timing.recentSeconds).toEqual([]);
    timing = observeFleet(timing, { at: 10 * MIN, desired: 4, inService: 4, launches: [warming] });
    expect(timing.recentSeconds).toEqual([400]);
  });
});

describe('leadTimeOf: the configured boot + warm-up until enough launches were seen', () => {
  const service = aService();
  const configured = service.timing.bootSeconds + service.timing.warmupSeconds;
  const timing = (recentSeconds: number[]): LaunchTiming => ({ ...NO_LAUNCHES, recentSeconds });

  it.each([
    ['nothing seen', undefined, configured, false],
    ['fewer than MIN_LAUNCHES', timing([100, 120].slice(0, MIN_LAUNCHES - 1)), configured, false],
    ['three launches: the highest is their 90th percentile', timing([100, 140, 120]), 140, true],
    ['ten launches: the 9th smallest', timing([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), 90, true],
  ] as const)('%s', (_name, seen, seconds, learned) => {
    const lead = leadTimeOf(seen, service);
    expect(lead).toMatchObject({ seconds, learned });
    expect(lead.explanation).toContain(learned ? 'learned' : 'as configured');
  });
});

describe('converging on a known launch-time distribution', () => {
  /** A seeded generator (mulberry32): the same draws every run. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([1, 2, 3, 4, 5])(
    'seed %i: launches of 150–330 s, 4 % failing (+ a boot), seen every minute: p90 within 45 s of 317 s',
    (seed) => {
      const draw = random(seed);
      const service = aService();
      let timing = run([seen(0, 2, 2)]);
      let minute = 0;
      for (let i = 0; i < 40; i++) {
        minute += 30;
        let seconds = 150 + 180 * draw();
        if (draw() < 0.04) seconds += 120;
        timing = launchAsked(timing, minute * MIN, 3, 2);
        // Seen each minute until it serves; some minutes' runs are missed.
        for (let m = 1; m <= 20; m++) {
          if (draw() < 0.1) continue;
          const served = m * 60 >= seconds;
          timing = observeFleet(timing, { at: (minute + m) * MIN, desired: 3, inService: served ? 3 : 2 });
          if (served) break;
        }
        timing = observeFleet(timing, { at: (minute + 25) * MIN, desired: 2, inService: 2 });
      }
      const lead = leadTimeOf(timing, service);
      expect(lead.learned).toBe(true);
      expect(Math.abs(lead.seconds - 317)).toBeLessThanOrEqual(45);
    },
  );
});
