/**
 * Every problem of a ServicesJson file or a group's `headroom:*` tags, not just the first: the
 * advisor's own parser is asked about each key on its own, then about the entry without its bad
 * keys (for rules across keys: min above max, an objective without its tier), then about ids.
 */
import {
  ConfigError,
  JSON_GROUP_KEY,
  parseServiceConfig,
  parseServicesJson,
  TAG_PREFIX,
} from '@headroom/core/config/serviceConfig.js';
import type { ManagedService } from '@headroom/core/model/service.js';

export interface Checked {
  services: ManagedService[];
  problems: string[];
}

/** Problems that involve several keys; the per-key pass leaves them to the whole-entry pass. */
const ACROSS_KEYS = /is greater than|is not positive|is set without/;

function problemOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

function checkEntry(
  source: string,
  entry: Record<string, unknown>,
  parse: (e: Record<string, unknown>) => ManagedService,
): Checked {
  const problems: string[] = [];
  const good: Record<string, unknown> = {};
  const fixed = Object.entries(entry).filter(([k]) => k === JSON_GROUP_KEY);
  for (const [key, value] of Object.entries(entry)) {
    if (key === JSON_GROUP_KEY) continue;
    const problem = problemOf(() => parse(Object.fromEntries([...fixed, [key, value]])));
    if (problem !== undefined && !ACROSS_KEYS.test(problem)) problems.push(problem);
    else good[key] = value;
  }
  // Rules across keys, one at a time: each found is named, its key set aside, and the rest re-checked.
  let service: ManagedService | undefined;
  for (let round = 0; round <= Object.keys(good).length; round++) {
    let failure: unknown;
    try {
      service = parse({ ...Object.fromEntries(fixed), ...good });
      break;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      failure = e;
    }
    const error = failure as ConfigError;
    if (!problems.includes(error.message)) problems.push(error.message);
    if (!(error.key in good)) break;
    delete good[error.key];
  }
  return {
    services: service && problems.length === 0 ? [service] : [],
    problems: problems.map((p) => p.replace(/^services\[0\]/, source)),
  };
}

export function checkServicesJson(text: string): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { services: [], problems: [`not valid JSON (${(e as Error).message})`] };
  }
  if (!Array.isArray(parsed))
    return { services: [], problems: ['not an array of services (ServicesJson is a JSON array)'] };
  const all: Checked = { services: [], problems: [] };
  parsed.forEach((entry: unknown, i) => {
    const source = `services[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      all.problems.push(`${source}: entry ${JSON.stringify(entry)} is not an object`);
      return;
    }
    const checked = checkEntry(
      source,
      entry as Record<string, unknown>,
      (e) => parseServicesJson(JSON.stringify([e]))[0]!,
    );
    all.services.push(...checked.services);
    all.problems.push(...checked.problems);
  });
  // Ids as the entries spell them (serviceId, else the group), valid entries or not.
  const seen = new Map<string, number[]>();
  parsed.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) return;
    const e = entry as Record<string, unknown>;
    const id = String(e['serviceId'] ?? e[JSON_GROUP_KEY] ?? '');
    if (id !== '') seen.set(id, [...(seen.get(id) ?? []), i]);
  });
  for (const [id, at] of seen)
    if (at.length > 1)
      all.problems.push(`services[${at.join('], services[')}]: service id "${id}" is used more than once`);
  return all;
}

/** Tags of one group: a JSON object `{ "headroom:mode": "apply", … }` or describe-tags output. */
export function checkTags(tags: Record<string, string>, group: string): Checked {
  const entry: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tags)) if (k.startsWith(TAG_PREFIX)) entry[k] = v;
  return checkEntry(`asg "${group}"`, entry, (e) =>
    parseServiceConfig(
      `asg "${group}"`,
      Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)])),
      group,
    ),
  );
}
