/**
 * What the simulated resources actually saw: every change that took effect (a group's capacity
 * moved, a replica was created or deleted, a cache's replica count moved), with its cause (the
 * decision, change or approval the harness was running) and whether the kill switch was on. The
 * soak's counts come from here, not from what the code under test says it did.
 */
export interface Effect {
  at: number;
  cause: string;
  resource: string;
  /** Instances or replicas moved. */
  size: number;
  killSwitch: boolean;
}

export class EffectLedger {
  readonly effects: Effect[] = [];
  /** What each cause may change of one resource (default 1: a decision moves a group once; a change: |delta| replicas). */
  private readonly allowed = new Map<string, number>();
  /** Set by the harness around each invocation. */
  cause = 'unknown';

  private clock: { now(): number } = { now: () => 0 };
  private killSwitch: () => boolean = () => false;

  /** The soak gives the ledger its clock and its kill switch. */
  attach(clock: { now(): number }, killSwitch: () => boolean): void {
    this.clock = clock;
    this.killSwitch = killSwitch;
  }

  /** The kill switch as the world has it now, for the workers that must read it before a write. */
  isKillSwitchOn(): boolean {
    return this.killSwitch();
  }

  allow(cause: string, size: number): void {
    this.allowed.set(cause, size);
  }

  record(resource: string, size: number): void {
    if (size === 0) return;
    this.effects.push({
      at: this.clock.now(),
      cause: this.cause,
      resource,
      size,
      killSwitch: this.killSwitch(),
    });
  }

  /** Causes whose effect on a resource went beyond what was decided: applied twice (or more). */
  appliedTwice(): string[] {
    const done = new Map<string, { cause: string; size: number }>();
    for (const e of this.effects) {
      const key = `${e.cause} on ${e.resource}`;
      done.set(key, { cause: e.cause, size: (done.get(key)?.size ?? 0) + e.size });
    }
    return [...done].filter(([, d]) => d.size > (this.allowed.get(d.cause) ?? 1)).map(([key]) => key);
  }

  afterKillSwitch(): Effect[] {
    return this.effects.filter((e) => e.killSwitch);
  }
}
