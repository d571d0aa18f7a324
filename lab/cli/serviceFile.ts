/**
 * Your service's settings for a replay, from the same sources the deployed advisor reads: a
 * ServicesJson file (the template parameter's array) or the `headroom:*` tags of its group, as a
 * JSON object of tags or as `aws autoscaling describe-tags` output. The product's own parser reads
 * them, so a file that works here works deployed.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, parseServiceConfig, parseServicesJson } from '@headroom/core/config/serviceConfig.js';
import type { ManagedService } from '@headroom/core/model/service.js';

export function tagsOf(doc: unknown): Record<string, string> | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  if (Array.isArray(record['Tags'])) {
    const tags: Record<string, string> = {};
    for (const t of record['Tags'] as unknown[]) {
      const { Key, Value } = (t ?? {}) as { Key?: unknown; Value?: unknown };
      if (typeof Key === 'string') tags[Key] = String(Value ?? '');
    }
    return tags;
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
}

/** The services a file describes (a ServicesJson array, or one group's tags). */
export function readServicesFile(path: string): ManagedService[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      path,
      'file',
      path,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (/^\s*\[/.test(text)) {
    try {
      return parseServicesJson(text);
    } catch (e) {
      // Name the file too: the parser names the entry and the key.
      if (e instanceof ConfigError) e.message = `${path}: ${e.message}`;
      throw e;
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, 'JSON', text.slice(0, 40), `is not valid JSON (${(e as Error).message})`);
  }
  const tags = tagsOf(doc);
  if (tags === undefined)
    throw new ConfigError(path, 'JSON', text.slice(0, 40), 'is neither a ServicesJson array nor tags');
  const group =
    (doc as { Tags?: { ResourceId?: string }[] }).Tags?.[0]?.ResourceId ??
    tags['headroom:service-id'] ??
    'service';
  return [parseServiceConfig(path, tags, group)];
}

/** The one service to replay: the only one in the file, or the one named by `id`. */
export function readServiceFile(path: string, id: string | undefined): ManagedService {
  const services = readServicesFile(path);
  const found =
    id === undefined ? (services.length === 1 ? services[0] : undefined) : services.find((s) => s.id === id);
  if (!found) {
    const ids = services.map((s) => s.id).join(', ');
    throw new ConfigError(
      path,
      'service',
      id ?? '',
      id === undefined
        ? `: the file has ${services.length} services (${ids}); choose one with --service-id`
        : `is not in the file (${ids})`,
    );
  }
  return found;
}

/** One line saying which settings the replay uses. */
export function serviceLine(s: ManagedService, from: string): string {
  return (
    `Service ${s.id} (${from}): p99 SLO ${s.slo.p99LatencyMs} ms, ${s.capacity.min}–${s.capacity.max} instances, ` +
    `$${s.pricePerInstanceHourUsd} per instance-hour, boot ${s.timing.bootSeconds} s + warm-up ${s.timing.warmupSeconds} s.`
  );
}
