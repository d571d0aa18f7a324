/** Remediation, LoadContext: the alarm read and checked, its service found, its fleet, KPIs and state loaded. */
import { loadContext } from '@headroom/core';
import {
  alarmPrefix,
  clock,
  fleetView,
  metricsReader,
  stateStore,
  step,
} from '../remediate-shared/wiring.js';

const prefix = alarmPrefix();
const ports = { fleet: fleetView(), metrics: metricsReader(), state: stateStore() };

export const handler = step('LoadContext', async (input: { event: unknown }) =>
  loadContext(input.event, ports, { alarmPrefix: prefix, now: clock.now() }),
);
