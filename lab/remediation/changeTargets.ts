/** ChangeTargets in memory, for the simulation and tests: the first target kept for a change wins. */
import type { ChangeTarget, ChangeTargets } from '@headroom/core/remediation/ports.js';

export class InMemoryChangeTargets implements ChangeTargets {
  readonly kept = new Map<string, ChangeTarget>();

  async get(changeId: string): Promise<ChangeTarget | undefined> {
    const found = this.kept.get(changeId);
    return found && structuredClone(found);
  }

  async keep(changeId: string, target: ChangeTarget): Promise<ChangeTarget> {
    if (!this.kept.has(changeId)) this.kept.set(changeId, structuredClone(target));
    return structuredClone(this.kept.get(changeId) ?? target);
  }
}
