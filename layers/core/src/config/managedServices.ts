/**
 * The services the advisor manages: the groups discovered by their `headroom:*` tags, with the
 * config parameter's entries on top (an entry overrides the tags of the same service). A failed
 * discovery is reported through `fail`, and the configured services are still managed.
 */
import type { ManagedService } from '../model/service.js';
import type { FleetControl } from '../ports/index.js';

export interface ManagedServices {
  services: ManagedService[];
  /** Ids whose config entry replaced the tags a discovered group carries. */
  overridden: string[];
}

export async function managedServices(
  fleet: Pick<FleetControl, 'discover'>,
  configured: readonly ManagedService[] = [],
  fail: (stage: string, error: unknown) => void,
): Promise<ManagedServices> {
  let discovered: ManagedService[] = [];
  try {
    discovered = await fleet.discover();
  } catch (error) {
    fail('discover', error);
  }
  const byId = new Map(discovered.map((s) => [s.id, s]));
  const overridden: string[] = [];
  for (const entry of configured) {
    if (byId.has(entry.id)) overridden.push(entry.id);
    byId.set(entry.id, entry);
  }
  return { services: [...byId.values()], overridden };
}
