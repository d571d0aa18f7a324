/**
 * From load to instances, with Headroom's own capacity model (capacity/queueModel.ts, never the
 * simulated world's): the capacity for a load is the smallest fleet whose believed p99 meets the SLO. Each
 * instance's service rate is read from the KPIs: at CPU u on n in-service instances serving λ,
 * one instance serves λ / (n·u) per second at full CPU.
 */
import { instancesForSlo } from '../capacity/queueModel.js';

/** Samples above this CPU are left out: a saturated fleet sheds load, so λ over-reads the rate. */
const MAX_CPU_FOR_RATE_PCT = 95;
const MIN_CPU_FOR_RATE_PCT = 5;

/** One minute's reading with the fleet size it was measured on (the policy remembers these). */
export interface RateReading {
  requestsPerMinute?: number;
  cpuPct?: number;
  inService: number;
}

/** Median per-instance service rate, requests per second; undefined when no reading can tell. */
export function serviceRateOf(readings: readonly RateReading[]): number | undefined {
  const rates: number[] = [];
  for (const r of readings) {
    if (r.inService <= 0 || r.requestsPerMinute === undefined || r.cpuPct === undefined) continue;
    if (r.cpuPct < MIN_CPU_FOR_RATE_PCT || r.cpuPct > MAX_CPU_FOR_RATE_PCT) continue;
    rates.push(r.requestsPerMinute / 60 / (r.inService * (r.cpuPct / 100)));
  }
  if (rates.length === 0) return undefined;
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

/**
 * Requests per minute that CPU u on n in-service instances of this rate serves: serviceRateOf
 * turned around. The evaluate flow reads CPU on every read but the request count only on full
 * reads, so this gives the need now between them. At saturation CPU caps the estimate at the
 * fleet's capacity; the latency and error SLOs, read on every read too, take over there.
 */
export function loadFromCpu(cpuPct: number, inService: number, ratePerInstance: number): number {
  return (Math.max(0, cpuPct) / 100) * Math.max(0, inService) * ratePerInstance * 60;
}

/** Instances whose modelled p99 meets the SLO at this load (requests per minute). */
export function capacityForLoad(loadPerMinute: number, ratePerInstance: number, sloP99Ms: number): number {
  if (!(loadPerMinute > 0)) return 0;
  return instancesForSlo(loadPerMinute / 60, ratePerInstance, sloP99Ms);
}
