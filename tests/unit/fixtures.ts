/** A managed service with round numbers, for the unit tests to vary. */
import { parseServiceConfig, type ManagedService } from '@headroom/core';

export function aService(tags: Record<string, string> = {}): ManagedService {
  return parseServiceConfig('test', { 'headroom:min': '1', 'headroom:max': '50', ...tags }, 'web');
}
