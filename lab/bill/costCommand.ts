/**
 * `headroom cost --services N --schedule RATE`: prints Headroom's own monthly AWS bill. Parsing
 * lives here with the model so the CLI's command file only forwards to it.
 */
import { parseCommandArgs, UsageError, oneOf, wholeNumber } from '../cli/args.js';
import { advisorMonthlyBill, type AdvisorBill } from './advisorMonthlyBill.js';
import { everyTickPlan, ticksBetweenReads, type MetricReadPlan } from '@headroom/core/evaluate/readPlan.js';

export const COST_HELP = `Usage: headroom cost --services N --schedule RATE [options]

Models Headroom's own monthly AWS bill in us-east-1 (Lambda, GetMetricData, DynamoDB, Scheduler,
EventBridge, SQS, Step Functions, CloudWatch metrics, alarms and logs) from public prices and the
calls the advisor makes. Prices and assumptions: lab/bill/.

Options:
  --services N          managed services (default 100)
  --schedule RATE       evaluate schedule: 'rate(1 minute)', 'rate(5 minutes)' or minutes (default 1)
  --kpis N              CloudWatch metrics behind one service's KPIs (default 4: CPU, p99, 5XX, requests)
  --reads PLAN          adaptive (default: calm services every 40 min, hot ones every 5) or every-tick
  --calm-every MIN      minutes between reads of a calm service (adaptive plan)
  --hot-share PCT       percent of services that are hot at a time (adaptive plan, default 5)
  --free-tier           subtract the account's always-free allowances
  --json                print the bill as JSON on standard output (also '--json -')
  -h, --help            this help
`;

/** Minutes from an EventBridge rate expression or a bare number. */
export function scheduleMinutes(raw: string): number {
  const rate = /^\s*rate\(\s*(\d+)\s+(minute|minutes|hour|hours)\s*\)\s*$/.exec(raw);
  const bare = /^\s*(\d+)\s*m?\s*$/.exec(raw);
  const amount = Number(rate?.[1] ?? bare?.[1]);
  const minutes = rate?.[2]?.startsWith('hour') ? amount * 60 : amount;
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new UsageError(
      `--schedule must be 'rate(N minutes)', 'rate(N hours)' or a number of minutes, got '${raw}'`,
      'cost',
    );
  }
  return minutes;
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

function quantity(value: number): string {
  return value < 100 && !Number.isInteger(value)
    ? value.toFixed(2)
    : Math.round(value).toLocaleString('en-US');
}

export function formatBill(bill: AdvisorBill, services: number, minutes: number): string {
  const rows = bill.lines.map((l) => [l.item, `${quantity(l.quantity)} ${l.unit}`, usd(l.usd)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    `${(r[0] ?? '').padEnd(widths[0] ?? 0)}  ${(r[1] ?? '').padStart(widths[1] ?? 0)}  ${(r[2] ?? '').padStart(widths[2] ?? 0)}`;
  const { reads } = bill;
  // A read happens on a tick: asked for more often than the schedule, it happens every tick.
  const every = (wanted: number) => ticksBetweenReads(wanted, minutes) * minutes;
  return [
    `Headroom's monthly AWS bill: ${services} services, evaluated every ${minutes} min (us-east-1, 730 h)`,
    `Reads: calm services ${reads.calmMetrics} metrics every ${every(reads.calmEveryMinutes)} min, ` +
      `hot (${Math.round(reads.hotShare * 100)} %) ${reads.hotMetrics} every ${every(reads.hotEveryMinutes)} min; ` +
      `${bill.getMetricDataCalls.toLocaleString('en-US')} GetMetricData calls`,
    '',
    ...rows.map(line),
    '─'.repeat((widths[0] ?? 0) + (widths[1] ?? 0) + (widths[2] ?? 0) + 4),
    line(['Total', '', usd(bill.totalUsd)]),
  ].join('\n');
}

/** Runs the command; returns what to print. Bad options throw a UsageError naming the option. */
export function costReport(argv: readonly string[]): { text: string; help: boolean } {
  const { values } = parseCommandArgs('cost', argv, {
    services: { type: 'string' },
    schedule: { type: 'string' },
    kpis: { type: 'string' },
    reads: { type: 'string' },
    'calm-every': { type: 'string' },
    'hot-share': { type: 'string' },
    'free-tier': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help === true) return { text: COST_HELP, help: true };
  const services = wholeNumber('cost', 'services', values.services, 100, 0);
  const minutes = typeof values.schedule === 'string' ? scheduleMinutes(values.schedule) : 1;
  const kpisPerService = wholeNumber('cost', 'kpis', values.kpis, 4);
  const plan = oneOf('cost', 'reads', values.reads, ['adaptive', 'every-tick'] as const, 'adaptive');
  const reads: Partial<MetricReadPlan> = plan === 'every-tick' ? everyTickPlan(kpisPerService, minutes) : {};
  for (const option of ['calm-every', 'hot-share'] as const) {
    if (plan === 'every-tick' && values[option] !== undefined)
      throw new UsageError(
        `--${option} belongs to the adaptive plan; --reads every-tick reads every service on every tick`,
        'cost',
      );
  }
  if (values['calm-every'] !== undefined)
    reads.calmEveryMinutes = wholeNumber('cost', 'calm-every', values['calm-every'], 20);
  if (values['hot-share'] !== undefined) {
    const percent = wholeNumber('cost', 'hot-share', values['hot-share'], 5, 0);
    if (percent > 100)
      throw new UsageError(`--hot-share is a percent of the services, 0 to 100, got '${percent}'`, 'cost');
    reads.hotShare = percent / 100;
  }
  let bill: AdvisorBill;
  try {
    bill = advisorMonthlyBill({
      services,
      scheduleMinutes: minutes,
      kpisPerService,
      reads,
      freeTier: values['free-tier'] === true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), 'cost');
  }
  const text = values.json === true ? JSON.stringify(bill, null, 2) : formatBill(bill, services, minutes);
  return { text: `${text}\n`, help: false };
}
