/** The remediation workflow's local world: the real steps behind remediate.asl.json, in-memory ports. */
import type { KpiSample, ManagedService } from '@headroom/core';
import { readAdvisorEvent, type AdvisorEventType } from '@headroom/core';
import {
  runRemediationLocally,
  type ChangeMessage,
  type RemediationBindings,
} from '@headroom/lab/remediation/localRun';
import { diagnoseStep, guardrailsStep, loadContext } from '@headroom/core/remediation/workflow';
import { recordStep } from '@headroom/core/remediation/record';
import { claimStep, scaleStep } from '@headroom/core/remediation/atAction';
import { aService, alarmEvent, FLEET, HEALTHY, NOW } from '../remediation/fixtures.js';
import { FakeFleet, FakeMetrics, FakeStore } from '../remediation/fakes.js';

export const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

export interface Setup {
  service?: ManagedService;
  latest?: Partial<KpiSample>;
  approval?: (store: FakeStore) => Promise<unknown>;
  scaleFailures?: Error[];
  sendFailures?: Error[];
  recordFails?: boolean;
  /** Runs right after ClaimAction, before anything is sent (a person turning the switch on then). */
  afterClaim?: () => Promise<void>;
  /** Shared by executions that run together (one service, one state table). */
  store?: FakeStore;
  fleet?: FakeFleet;
}

export function world(setup: Setup = {}) {
  const service = setup.service ?? aService();
  const fleet = setup.fleet ?? new FakeFleet([service], FLEET);
  const store = setup.store ?? new FakeStore();
  const sent: ChangeMessage[] = [];
  const published: { type: string; detail: Record<string, unknown> }[] = [];
  const deadLetters: unknown[] = [];
  const approvals: Record<string, unknown>[] = [];
  const settled: [string, string][] = [];
  const scaleFailures = [...(setup.scaleFailures ?? [])];
  const sendFailures = [...(setup.sendFailures ?? [])];
  const ports = { fleet, metrics: new FakeMetrics([{ ...HEALTHY, ...setup.latest }]), state: store };
  const bindings: RemediationBindings = {
    loadContext: (event) => loadContext(event, ports, { alarmPrefix: 'headroom-', now: NOW }),
    diagnose: async (state) => diagnoseStep(state),
    guardrails: async (state) => guardrailsStep(state, { now: NOW }),
    claim: async (state) => {
      const claimed = await claimStep(state, ports, { now: NOW });
      await setup.afterClaim?.();
      return claimed;
    },
    scale: async (scale) => {
      const failure = scaleFailures.shift();
      if (failure) throw failure;
      return scaleStep(scale, { fleet, killSwitch: store }, NOW);
    },
    sendChange: async (message) => {
      const failure = sendFailures.shift();
      if (failure) throw failure;
      sent.push(message);
      return `m-${sent.length}`;
    },
    requestApproval: async (detail) => {
      approvals.push(detail);
      return (setup.approval ?? (async () => ({ answer: 'approved', by: 'U123' })))(store);
    },
    publish: async (type, detail) => {
      published.push({ type, detail });
    },
    record: async (state) => {
      if (setup.recordFails) throw awsError('ProvisionedThroughputExceededException', 'table unavailable');
      return recordStep(state, store, NOW, {
        settle: async (approvalId, status) => void settled.push([approvalId, status]),
      });
    },
    keepInDeadLetter: async (body) => {
      deadLetters.push(body);
    },
  };
  return { fleet, store, sent, published, deadLetters, approvals, settled, bindings };
}

/** What the workflow puts on the bus must read as the notifier reads it (Slack's own schemas). */
export function readsAsTheNotifierReads(type: string, detail: Record<string, unknown>) {
  const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
  return readAdvisorEvent({ type: type as AdvisorEventType, serviceId, at, detail: rest }).type;
}

export const run = (w: ReturnType<typeof world>, event: unknown = alarmEvent()) =>
  runRemediationLocally(event, w.bindings, { noRetryPause: true });
