/**
 * One size of `npm run bench:scale`, in a process of its own (the handlers keep module state, as
 * a Lambda container does): `tsx --expose-gc lab/scale/size.ts N` prints one JSON record.
 */
import { recordBaseline, runScale, handlerEnvironment, START, type Handlers } from './scaleRun.js';
import { scaleRecord } from './scaleRecord.js';

const services = Number(process.argv[2]);
if (!Number.isInteger(services) || services < 1) {
  throw new Error(`usage: size.ts SERVICES (a whole number ≥ 1), got ${process.argv[2]}`);
}
const ticks = Number(process.argv[3] ?? 45);

async function load(flow: 'evaluate' | 'forecast', path: string): Promise<Record<string, unknown>> {
  Object.assign(process.env, handlerEnvironment(flow));
  return (await import(path)) as Record<string, unknown>;
}

const evaluate = await load('evaluate', '../../functions/evaluate/handler.js');
const forecast = await load('forecast', '../../functions/forecast/handler.js');
const handlers = {
  evaluate: evaluate['handler'],
  evaluateShard: evaluate['shardHandler'],
  forecast: forecast['handler'],
  forecastShard: forecast['shardHandler'],
} as Handlers;
// The handlers' SDK clients read their shared config files on first use: real I/O the simulated
// clock does not wait for, which could let a Lambda timeout fire first. One small run a day
// earlier warms them, as a warm container would be.
await runScale(handlers, { services: 1, ticks: 1, skipForecast: true, start: START - 86_400_000 });
recordBaseline();
const result = await runScale(handlers, { services, ticks, measureMemory: true });
process.stdout.write(`${JSON.stringify(scaleRecord(services, result))}\n`);
