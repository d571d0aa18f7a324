/**
 * Builds a ServiceModel from CloudWatch exports (request count, p99, CPU, instances in service,
 * optionally desired capacity) and a k6 summary export run against one instance.
 */
import { readFileSync } from 'node:fs';
import { parseCloudWatchJson, TraceError } from '../workloads/traceFormats.js';
import { fitBoot, fitCpu, fitLatency, rpsAtSlo, type Sample } from './fit.js';
import type { K6Fit, ServiceModel } from './model.js';

/** `FILE` or `FILE#ID`: a CloudWatch export and, when it holds several results, which one. */
export function readSeries(spec: string): Map<number, number> {
  const hash = spec.lastIndexOf('#');
  const [file, id] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TraceError(
      file,
      undefined,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return new Map(parseCloudWatchJson(text, file, { id }).map((p) => [p.at, p.value]));
}

function medianStep(times: readonly number[]): number {
  const steps = times
    .slice(1)
    .map((t, i) => t - (times[i] as number))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)] ?? 60_000;
}

function numberAt(obj: unknown, path: readonly string[]): number | undefined {
  let at: unknown = obj;
  for (const key of path)
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
}

/** A k6 summary (`--summary-export`, or handleSummary's JSON with `values`): rate and p99 of one instance. */
export function readK6Summary(file: string, unloadedP99Ms: number | undefined): K6Fit {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TraceError(file, undefined, `not a readable k6 summary (${(e as Error).message})`);
  }
  const metric = (name: string, stat: string) =>
    numberAt(doc, ['metrics', name, stat]) ?? numberAt(doc, ['metrics', name, 'values', stat]);
  const rps = metric('http_reqs', 'rate');
  const p99 = metric('http_req_duration', 'p(99)');
  if (rps === undefined)
    throw new TraceError(file, 'metrics.http_reqs.rate', 'missing: not a k6 summary export');
  if (p99 === undefined)
    throw new TraceError(
      file,
      'metrics.http_req_duration',
      "has no p(99): run k6 with --summary-trend-stats 'avg,min,med,max,p(95),p(99)'",
    );
  const l0 = unloadedP99Ms ?? metric('http_req_duration', 'med') ?? p99 / 2;
  const serviceRateRps = p99 > l0 ? rps / (1 - l0 / p99) : rps;
  return { file, rps, p99Ms: p99, serviceRateRps };
}

export interface CalibrateInput {
  requests: Map<number, number>;
  instances: Map<number, number>;
  p99?: Map<number, number>;
  cpu?: Map<number, number>;
  desired?: Map<number, number>;
  /** Multiply p99 values by this to get ms (1000 for seconds, as ALB TargetResponseTime). */
  p99ToMs: number;
  sloP99Ms: number;
  k6File?: string;
}

export function calibrate(input: CalibrateInput): ServiceModel {
  const times = [...input.requests.keys()].sort((a, b) => a - b);
  const periodMs = medianStep(times);
  const samples: Sample[] = [];
  for (const at of times) {
    const inService = input.instances.get(at);
    if (inService === undefined || inService <= 0) continue;
    const p99 = input.p99?.get(at);
    const cpu = input.cpu?.get(at);
    samples.push({
      at,
      perInstanceRps: (input.requests.get(at) as number) / (periodMs / 1000) / inService,
      ...(p99 !== undefined ? { p99Ms: p99 * input.p99ToMs } : {}),
      ...(cpu !== undefined ? { cpuPct: cpu } : {}),
    });
  }
  if (samples.length < 3)
    throw new TraceError(
      'calibrate',
      undefined,
      `only ${samples.length} periods have both a request count and instances in service (timestamps must match)`,
    );
  const latency = fitLatency(samples);
  const cpu = fitCpu(samples);
  const boot = input.desired ? fitBoot(input.desired, input.instances) : undefined;
  const k6 = input.k6File ? readK6Summary(input.k6File, latency?.unloadedP99Ms) : undefined;
  const pick: [ServiceModel['capacityFrom'], number][] = [];
  if (latency && latency.r2 >= 0.5) pick.push(['latency', latency.serviceRateRps]);
  if (k6) pick.push(['k6', k6.serviceRateRps]);
  if (cpu) pick.push(['cpu', cpu.capacityRps]);
  if (latency && latency.r2 < 0.5) pick.push(['latency', latency.serviceRateRps]);
  const chosen = pick[0];
  if (!chosen)
    throw new TraceError(
      'calibrate',
      undefined,
      'no fit: give --p99 or --cpu exports whose values grow with the load, or --k6',
    );
  return {
    kind: 'headroom-service-model',
    sloP99Ms: input.sloP99Ms,
    perInstanceRps: chosen[1],
    capacityFrom: chosen[0],
    ...(latency ? { rpsAtSlo: rpsAtSlo(latency, input.sloP99Ms) } : {}),
    ...(boot ? { bootSeconds: boot.seconds } : {}),
    fits: {
      ...(cpu ? { cpu } : {}),
      ...(latency ? { latency } : {}),
      ...(boot ? { boot } : {}),
      ...(k6 ? { k6 } : {}),
    },
    periodSeconds: periodMs / 1000,
    periods: samples.length,
  };
}
