/** Shared values for the Slack tests: a decision, one event of each type, a fake Slack server. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdvisorEvent, ScalingDecision } from '@headroom/core';

export const T0 = Date.UTC(2026, 10, 24, 22, 0, 0);
export const REGION = 'eu-west-1';
export const TOKEN = `AQCEAAAAKgAAAAMAAAAA${'x'.repeat(1500)}`;

export const decision: ScalingDecision = {
  serviceId: 'web',
  at: T0,
  currentCapacity: 4,
  desiredCapacity: 6,
  action: 'scale-out',
  rule: 'target-tracking/scale-out',
  reason: 'CPU 84 % is above the 70 % target; p99 latency 612 ms breaches the 500 ms SLO.',
  evidence: { cpuPct: 84.26, p99LatencyMs: 612, errorRatePct: 0.4 },
  monthlyCostDeltaUsd: 60.74,
  risk: 'medium',
  confidence: 0.82,
};

export const recommendation: AdvisorEvent = {
  type: 'Recommendation',
  serviceId: 'web',
  at: T0,
  detail: { decision, outcome: 'recommended', guardrails: [], autoScalingGroupName: 'web-asg' },
};

export const approvalRequest: AdvisorEvent = {
  type: 'ApprovalRequested',
  serviceId: 'web',
  at: T0,
  detail: {
    approvalId: 'apr-0123456789abcdef',
    taskToken: TOKEN,
    expiresAt: T0 + 3_600_000,
    summary: 'add a read replica to db-main',
    tier: 'database',
    alarmName: 'headroom-web-p99',
    autoScalingGroupName: 'web-asg',
    decision,
  },
};

export const failure: AdvisorEvent = {
  type: 'ActionFailed',
  serviceId: 'web',
  at: T0,
  detail: {
    decision,
    error: 'ScalingRefusedError',
    cause: 'activity in progress',
    alarmName: 'headroom-web-p99',
  },
};

let eventsMade = 0;

/**
 * The EventBridge event Lambda receives for an advisor event, as EventBridgePublisher sends it.
 * Each call gets its own id, as each publish does (the notifier skips an id it has seen); pass `id`
 * to deliver the same event again.
 */
export function busEvent(event: AdvisorEvent, id?: string) {
  eventsMade += 1;
  return {
    version: '0',
    id: id ?? `c0ffee00-0000-4000-8000-${String(eventsMade).padStart(12, '0')}`,
    'detail-type': event.type,
    source: 'headroom.advisor',
    account: '123456789012',
    time: new Date(event.at).toISOString(),
    region: REGION,
    resources: [],
    detail: { serviceId: event.serviceId, at: event.at, ...event.detail },
  };
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the stand-in answers: a status (and headers/body), or `hang` to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface FakeSlack {
  /** Base URL with a webhook-like secret path. */
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a random port, standing in for hooks.slack.com. */
export async function startFakeSlack(
  answer: (request: Received, index: number) => Answer,
): Promise<FakeSlack> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if (reply === 'hang') return;
      res.writeHead(reply.status, reply.headers ?? { 'content-type': 'text/plain' });
      res.end(reply.body ?? (reply.status < 300 ? 'ok' : ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0000/B0000/s3cr3tW3bh00kP4th`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A block_actions payload as Slack sends it for a click on the Approve button. */
export const clickPayload = (overrides: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  user: { id: 'U024BE7LH', username: 'ana' },
  actions: [
    { action_id: 'headroom.approve', block_id: 'headroom-approval:apr-1', value: 'apr-1', type: 'button' },
  ],
  response_url: 'https://hooks.slack.com/actions/T0/1/abc',
  message: { blocks: [{ type: 'section' }] },
  ...overrides,
});
