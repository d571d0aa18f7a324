/**
 * The simulated Auto Scaling group: instances launch, boot, warm up, then serve. Instances are
 * kept in the order they become ready, so the ones in service are always a prefix of the list;
 * terminating the last to be ready first (the ones still warming, if any) is a pop. By default
 * every launch takes the same boot + warm-up; `launchDelayMs` makes each launch draw its own (a
 * failed launch included: the group replaces it, so its instance serves one more boot later).
 *
 * Billing: per second from launch (booting included, as EC2 bills from `running`, and boot here
 * includes the OS start), with a 60 s minimum per launch. Instances present when the simulation
 * starts are billed from the start, with no minimum.
 */

export interface FleetSetup {
  bootSeconds: number;
  warmupSeconds: number;
  /** Instances already in service at `startAt`. */
  initialInService: number;
  startAt: number;
  /** Milliseconds from launch to serving, drawn per launch (default boot + warm-up). */
  launchDelayMs?: () => number;
}

const MINIMUM_BILLED_MS = 60_000;
/** DescribeScalingActivities' page: the 50 latest. */
const COMPLETED_LAUNCHES_KEPT = 50;

export class SimFleet {
  private readonly readyDelayMs: number;
  private readonly bootMs: number;
  private readonly launchDelayMs: (() => number) | undefined;
  private readonly readyAt: number[] = [];
  private readonly billedFrom: number[] = [];
  private readonly billedAtLeastUntil: number[] = [];
  private ready = 0;
  private closedBilledMs = 0;
  /** Launches since the start (initial instances excluded). */
  launches = 0;
  /**
   * The latest launches that came to serve, oldest first, as the group's scaling activities time
   * them in an account. A launch that failed and was replaced is timed from its first attempt here
   * (the world draws its delay whole); an account's activities time the replacement from its own start.
   */
  readonly completedLaunches: { startedAt: number; servingAt: number }[] = [];
  lastActivityAt: number | undefined;

  constructor(setup: FleetSetup) {
    for (const [name, value] of Object.entries(setup)) {
      if (typeof value === 'function') continue;
      if (!(Number.isFinite(value) && value >= 0))
        throw new RangeError(`fleet ${name} must be ≥ 0, got ${value}`);
    }
    if (!Number.isInteger(setup.initialInService)) {
      throw new RangeError(`fleet initialInService must be an integer, got ${setup.initialInService}`);
    }
    this.bootMs = setup.bootSeconds * 1000;
    this.readyDelayMs = (setup.bootSeconds + setup.warmupSeconds) * 1000;
    this.launchDelayMs = setup.launchDelayMs;
    for (let i = 0; i < setup.initialInService; i++) {
      this.readyAt.push(setup.startAt);
      this.billedFrom.push(setup.startAt);
      this.billedAtLeastUntil.push(setup.startAt);
    }
    this.ready = setup.initialInService;
  }

  /** Instances launched and not terminated: AWS's desired capacity once the group has settled. */
  get size(): number {
    return this.readyAt.length;
  }

  /** Instances that serve and count in the metric at the last `advanceTo`. */
  get inService(): number {
    return this.ready;
  }

  get warmingUp(): number {
    return this.readyAt.length - this.ready;
  }

  /** Instances past boot (InService in AWS terms) at `at`, warming or not. */
  bootedAt(at: number): number {
    let booted = this.ready;
    while (
      booted < this.readyAt.length &&
      (this.readyAt[booted] as number) - this.readyDelayMs + this.bootMs <= at
    ) {
      booted++;
    }
    return booted;
  }

  /** Moves instances whose boot and warm-up are over into service. */
  advanceTo(at: number): void {
    while (this.ready < this.readyAt.length && (this.readyAt[this.ready] as number) <= at) {
      const servingAt = this.readyAt[this.ready] as number;
      this.completedLaunches.push({ startedAt: this.billedFrom[this.ready] as number, servingAt });
      if (this.completedLaunches.length > COMPLETED_LAUNCHES_KEPT) this.completedLaunches.shift();
      this.ready++;
    }
  }

  /** Launches or terminates (newest first) to reach `desired` instances at `at`. */
  setDesired(desired: number, at: number): void {
    if (!Number.isInteger(desired) || desired < 0) {
      throw new RangeError(`desired capacity must be an integer ≥ 0, got ${desired}`);
    }
    if (desired === this.readyAt.length) return;
    this.lastActivityAt = at;
    while (this.readyAt.length < desired) {
      const readyAt = at + (this.launchDelayMs?.() ?? this.readyDelayMs);
      // Kept in ready order: a launch may be ready before one made earlier.
      let i = this.readyAt.length;
      while (i > this.ready && (this.readyAt[i - 1] as number) > readyAt) i--;
      this.readyAt.splice(i, 0, readyAt);
      this.billedFrom.splice(i, 0, at);
      this.billedAtLeastUntil.splice(i, 0, at + MINIMUM_BILLED_MS);
      this.launches++;
    }
    while (this.readyAt.length > desired) {
      this.readyAt.pop();
      const from = this.billedFrom.pop() as number;
      const atLeastUntil = this.billedAtLeastUntil.pop() as number;
      this.closedBilledMs += Math.max(at, atLeastUntil) - from;
    }
    if (this.ready > this.readyAt.length) this.ready = this.readyAt.length;
  }

  /** Billed instance-seconds up to `at`, running instances included. */
  instanceSeconds(at: number): number {
    let ms = this.closedBilledMs;
    for (let i = 0; i < this.billedFrom.length; i++) {
      ms += Math.max(at, this.billedAtLeastUntil[i] as number) - (this.billedFrom[i] as number);
    }
    return ms / 1000;
  }
}
