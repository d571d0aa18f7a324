/**
 * `headroom status`: each managed service of a deployed stack, like `kubectl get hpa`: mode,
 * desired / in service / limits, the SLO, the forecast's verdict and the last decision. Services
 * are those the advisor itself finds: tagged groups and the stack's ServicesJson parameter.
 */
import { AutoScalingFleetReader } from '@headroom/core/aws/autoScalingFleetReader.js';
import { parseServicesJson } from '@headroom/core/config/serviceConfig.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { awsClients, describeStack, stateStoreOf, type OperateClients } from '../../operate/stack.js';
import { parseCommandArgs, text } from '../args.js';
import type { Command } from './command.js';

const iso = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ');

export function statusCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'status',
    summary: 'each managed service of a deployed stack: mode, capacity, SLO, forecast, last decision',
    help: `Usage: headroom status [--stack NAME]

One line per managed service (tagged groups and the stack's ServicesJson): mode, desired and in
service against min–max, the p99 SLO, the forecast's verdict and the last decision; then the kill
switch.

Options:
  --stack NAME      the Headroom stack (default headroom); its outputs name the table
  -h, --help        this help
`,
    async run(argv, io) {
      const { values } = parseCommandArgs('status', argv, { stack: { type: 'string' } });
      const stackName = text(values.stack) ?? 'headroom';
      const c = clients();
      const stack = await describeStack(c.cloudFormation, stackName);
      const store = stateStoreOf(c, stackName, stack.outputs);
      const reader = new AutoScalingFleetReader(c.autoScaling, { clock: { now: io.now } });
      const listed = parseServicesJson(stack.parameters['ServicesJson'] ?? '[]');
      const tagged = await reader.discover();
      const services: ManagedService[] = [
        ...listed,
        ...tagged.filter((t) => !listed.some((l) => l.id === t.id)),
      ];
      const capacity = await reader.describe(services.map((s) => s.autoScalingGroupName));
      const rows = [
        ['SERVICE', 'MODE', 'DESIRED', 'IN SERVICE', 'MIN–MAX', 'P99 SLO', 'FORECAST', 'LAST DECISION'],
      ];
      for (const s of services) {
        const cap = capacity.get(s.autoScalingGroupName);
        const [last] = await store.recentDecisions(s.id, 1);
        const forecast = await store.getForecast(s.id);
        rows.push([
          s.id,
          s.mode,
          cap ? String(cap.desired) : '(no group)',
          cap ? `${cap.inService}${cap.warmingUp ? ` (+${cap.warmingUp} warming)` : ''}` : '-',
          `${s.capacity.min}–${s.capacity.max}`,
          `${s.slo.p99LatencyMs} ms`,
          forecast ? `${forecast.verdict} (${iso(forecast.at)})` : 'none yet',
          last
            ? `${iso(last.decision.at)} ${last.decision.currentCapacity}→${last.decision.desiredCapacity} ${last.outcome}`
            : 'none yet',
        ]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
      io.stdout.write(
        rows
          .map((r) =>
            r
              .map((cell, i) => cell.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n') + '\n',
      );
      io.stdout.write(`Kill switch: ${(await store.isKillSwitchOn()) ? 'ON' : 'off'}. Times are UTC.\n`);
      return 0;
    },
  };
}
