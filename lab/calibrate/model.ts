/**
 * The service model `headroom calibrate` writes and `backtest --model` reads: per-instance
 * capacity, latency against utilisation and boot + warm-up, with how well each was fitted.
 */
import { readFileSync } from 'node:fs';
import type { BootFit, CpuFit, LatencyFit } from './fit.js';

export interface K6Fit {
  file: string;
  /** Requests per second the single instance served during the test. */
  rps: number;
  p99Ms: number;
  /** Service rate implied by that point and the unloaded p99: μ = r / (1 − L0/p99). */
  serviceRateRps: number;
}

export interface ServiceModel {
  kind: 'headroom-service-model';
  sloP99Ms: number;
  /** Requests per second one instance serves (the service rate the replay uses). */
  perInstanceRps: number;
  /** Which fit gave perInstanceRps. */
  capacityFrom: 'latency' | 'k6' | 'cpu';
  /** Requests per second per instance at which p99 reaches the SLO (from the latency fit), when known. */
  rpsAtSlo?: number;
  /** Seconds from a scale-out to the new instance serving; undefined when not measured. */
  bootSeconds?: number;
  fits: { cpu?: CpuFit; latency?: LatencyFit; boot?: BootFit; k6?: K6Fit };
  /** Period of the CloudWatch export, seconds, and how many periods were aligned. */
  periodSeconds?: number;
  periods?: number;
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readServiceModel(path: string): ServiceModel {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelError(`${path}: not a readable JSON service model (${(e as Error).message})`);
  }
  const model = doc as Partial<ServiceModel>;
  if (
    model.kind !== 'headroom-service-model' ||
    !(typeof model.perInstanceRps === 'number' && model.perInstanceRps > 0)
  )
    throw new ModelError(
      `${path}: not a service model written by 'headroom calibrate' (kind, perInstanceRps)`,
    );
  return model as ServiceModel;
}

const r2 = (x: number) => x.toFixed(3);

/** How well the model fits, in a few lines for the terminal and the report. */
export function modelLines(m: ServiceModel): string[] {
  const { cpu, latency, boot, k6 } = m.fits;
  return [
    `Service model: ${m.perInstanceRps.toFixed(2)} requests/s per instance (from the ${m.capacityFrom} fit)` +
      (m.rpsAtSlo !== undefined
        ? `, p99 reaches the ${m.sloP99Ms} ms SLO at ${m.rpsAtSlo.toFixed(2)} requests/s per instance`
        : '') +
      '.',
    latency
      ? `Latency fit p99 = ${latency.unloadedP99Ms.toFixed(1)} ms / (1 − r / ${latency.serviceRateRps.toFixed(2)}): R² ${r2(latency.r2)} on ${latency.points} periods.`
      : 'Latency fit: none (no p99 export, or p99 did not grow with load).',
    cpu
      ? `CPU fit cpu % = ${cpu.intercept.toFixed(1)} + ${cpu.slope.toFixed(3)} × r (100 % at ${cpu.capacityRps.toFixed(2)} requests/s): R² ${r2(cpu.r2)} on ${cpu.points} periods.`
      : 'CPU fit: none.',
    boot
      ? `Boot + warm-up: ${boot.seconds} s (median of ${boot.scaleOuts} scale-outs, to the export's period).`
      : 'Boot + warm-up: not measured (give --desired with --instances); the replay uses the default.',
    ...(k6
      ? [
          `k6 (${k6.file}): one instance served ${k6.rps.toFixed(2)} requests/s at p99 ${k6.p99Ms.toFixed(1)} ms, so μ ≈ ${k6.serviceRateRps.toFixed(2)}.`,
        ]
      : []),
  ];
}
