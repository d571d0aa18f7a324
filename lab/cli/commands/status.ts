/**
 * `headroom status`: each managed service of a deployed stack, like `kubectl get hpa`: mode,
 * desired / in service / limits, its KPIs against the SLO (the last 15 minutes of CloudWatch,
 * read by the advisor's own reader), the forecast's verdict and the floor it sets, and the last
 * decision. Services are those the advisor itself finds: the stack's ServicesJson and tagged groups.
 */
import { AutoScalingFleetReader } from '@headroom/core/aws/autoScalingFleetReader.js';
import { CloudWatchMetricsReader } from '@headroom/core/aws/cloudWatchMetrics.js';
import { LIVE_WINDOW_MS } from '@headroom/core/evaluate/forecastFloors.js';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast.js';
import { forecastFloorFromStore } from '@headroom/core/forecast/refreshForecasts.js';
import type { KpiName, KpiSample } from '@headroom/core/model/kpi.js';
import {
  awsClients,
  describeStack,
  stackServices,
  stateStoreOf,
  type OperateClients,
} from '../../operate/stack.js';
import { parseCommandArgs, text } from '../args.js';
import { paint, styleFor } from '../colour.js';
import type { Command } from './command.js';

const minute = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ');
/** The KPIs a status line shows: latency against the SLO, CPU against the target. */
const SHOWN: readonly KpiName[] = ['p99LatencyMs', 'cpuPct', 'requestsPerMinute'];

/** The newest measured value of `kpi` in `samples`, or undefined. */
function latestOf(samples: readonly KpiSample[], kpi: KpiName): number | undefined {
  for (let i = samples.length - 1; i >= 0; i -= 1) {
    const value = samples[i]![kpi];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `420/500 ms`: measured against the objective; `-` when nothing was measured. */
export function against(measured: number | undefined, objective: number, unit: string): string {
  return `${measured === undefined ? '-' : Math.round(measured)}/${objective}${unit}`;
}

function verdictOf(forecast: ServiceForecast | undefined): string {
  if (!forecast) return 'none yet';
  const v = forecast.verdict;
  return v.use === 'forecast'
    ? `forecast${v.mape === undefined ? '' : ` (MAPE ${v.mape.toFixed(0)} %)`}`
    : `reactive: ${v.fallback}`;
}

export function statusCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'status',
    summary: 'each managed service of a deployed stack: mode, capacity, KPIs against the SLO, forecast floor',
    help: `Usage: headroom status [--stack NAME]

One line per managed service (the stack's ServicesJson and tagged groups), like kubectl get hpa:
mode; desired and in service against min–max; the latest p99 against the SLO and CPU against the
target (last 15 minutes of CloudWatch); the forecast's verdict and the floor it sets now; the last
decision. Then the kill switch.

Options:
  --stack NAME      the Headroom stack (default headroom); its outputs name the table
  -h, --help        this help
`,
    async run(argv, io) {
      const { values } = parseCommandArgs('status', argv, { stack: { type: 'string' } });
      const stackName = text(values.stack) ?? 'headroom';
      const c = clients();
      const now = io.now();
      const stack = await describeStack(c.cloudFormation, stackName);
      const store = stateStoreOf(c, stackName, stack.outputs);
      const reader = new AutoScalingFleetReader(c.autoScaling, { clock: { now: () => now } });
      const services = (await stackServices(reader, stack.parameters)).map((f) => f.service);
      const capacity = await reader.describe(services.map((s) => s.autoScalingGroupName));
      const kpis = await new CloudWatchMetricsReader(c.cloudWatch).readKpis(
        services,
        { start: now - LIVE_WINDOW_MS, end: now, periodSeconds: 60 },
        SHOWN,
      );
      const style = styleFor(io.stdout);
      const rows = [
        [
          'SERVICE',
          'MODE',
          'DESIRED',
          'IN SERVICE',
          'MIN–MAX',
          'P99/SLO',
          'CPU/TARGET',
          'FORECAST',
          'FLOOR',
          'LAST DECISION',
        ],
      ];
      const over: boolean[] = [false];
      for (const s of services) {
        const cap = capacity.get(s.autoScalingGroupName);
        const samples = kpis.get(s.id)?.samples ?? [];
        const p99 = latestOf(samples, 'p99LatencyMs');
        const cpu = latestOf(samples, 'cpuPct');
        const [last] = await store.recentDecisions(s.id, 1);
        const forecast = await store.getForecast(s.id);
        const live = samples.filter((x) => x.at > now - LIVE_WINDOW_MS);
        const floor = await forecastFloorFromStore(store, s, now, live, cap?.inService);
        over.push(p99 !== undefined && p99 > s.slo.p99LatencyMs);
        rows.push([
          s.id,
          s.mode,
          cap ? String(cap.desired) : '(no group)',
          cap ? `${cap.inService}${cap.warmingUp ? ` (+${cap.warmingUp} warming)` : ''}` : '-',
          `${s.capacity.min}–${s.capacity.max}`,
          against(p99, s.slo.p99LatencyMs, ' ms'),
          against(cpu, s.slo.cpuTargetPct, ' %'),
          verdictOf(forecast),
          floor ? String(floor.capacity) : '-',
          last
            ? `${minute(last.decision.at)} ${last.decision.currentCapacity}→${last.decision.desiredCapacity} ${last.outcome}`
            : 'none yet',
        ]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
      const lines = rows.map((r, n) => {
        const line = r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd();
        // Padding is counted before colour codes are added, so columns stay aligned.
        return n === 0 ? paint(style, 'bold', line) : over[n] ? paint(style, 'red', line) : line;
      });
      io.stdout.write(lines.join('\n') + '\n');
      const killed = await store.isKillSwitchOn();
      io.stdout.write(
        `Kill switch: ${killed ? paint(style, 'red', 'ON') : 'off'}. Times are UTC; KPIs are the latest minute of the last 15.\n`,
      );
      return 0;
    },
  };
}
