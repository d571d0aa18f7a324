import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  AdvisorEventError,
  EventBridgePublisher,
  advisorEventFromBus,
  readAdvisorEvent,
  type AdvisorEvent,
} from '@headroom/core';
import { approvalRequest, decision, recommendation } from './fixtures.js';

function errorOf(run: () => unknown): AdvisorEventError {
  try {
    run();
  } catch (error) {
    if (error instanceof AdvisorEventError) return error;
    throw error;
  }
  throw new Error('expected an AdvisorEventError');
}

describe('advisorEventFromBus', () => {
  it('reads back exactly what the EventBridge publisher sends', async () => {
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    await new EventBridgePublisher(new EventBridgeClient({}), { eventBusName: 'bus' }).publish([
      recommendation,
      approvalRequest,
    ]);
    const entries = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    const readBack = entries.map((e) =>
      advisorEventFromBus(e.DetailType ?? '', JSON.parse(e.Detail ?? 'null')),
    );
    expect(readBack).toEqual([recommendation, approvalRequest]);
    eventBridge.restore();
  });

  it('names an unknown detail-type', () => {
    expect(errorOf(() => advisorEventFromBus('Surprise', { serviceId: 'web', at: 1 })).message).toBe(
      'unknown advisor event type "Surprise"',
    );
  });

  it('names the missing field', () => {
    expect(errorOf(() => advisorEventFromBus('Recommendation', { at: 1 })).message).toMatch(
      /detail\.serviceId/,
    );
  });
});

describe('readAdvisorEvent', () => {
  it('names the field that is wrong in a decision', () => {
    const bad: AdvisorEvent = { ...recommendation, detail: { decision: { ...decision, confidence: 7 } } };
    expect(errorOf(() => readAdvisorEvent(bad)).message).toMatch(
      /^Recommendation event for service "web": detail\.decision\.confidence: /,
    );
  });

  it('refuses an approval request without a task token, or with an id that cannot be a button value', () => {
    const { taskToken: _t, ...noToken } = approvalRequest.detail;
    expect(errorOf(() => readAdvisorEvent({ ...approvalRequest, detail: noToken })).message).toMatch(
      /detail\.taskToken/,
    );
    const badId = { ...approvalRequest, detail: { ...approvalRequest.detail, approvalId: 'a b<c>' } };
    expect(errorOf(() => readAdvisorEvent(badId)).message).toMatch(/detail\.approvalId: letters, digits/);
  });

  it('refuses a change with neither a decision nor a summary', () => {
    const bare = { ...approvalRequest, detail: { approvalId: 'apr-1', taskToken: 't' } };
    expect(errorOf(() => readAdvisorEvent(bare)).message).toMatch(/needs a decision or a summary/);
  });

  it('reads null as absent, as Step Functions writes missing paths', () => {
    const typed = readAdvisorEvent({
      ...approvalRequest,
      detail: { ...approvalRequest.detail, alarmName: null, evidence: null, expiresAt: null },
    });
    expect(typed.type === 'ApprovalRequested' && typed.detail.alarmName).toBeUndefined();
    expect(typed.type === 'ApprovalRequested' && typed.detail.expiresAt).toBeUndefined();
  });
});
