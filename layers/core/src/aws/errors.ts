/** Typed failures of AWS calls, so callers decide on a reason rather than an SDK error name. */
import type { AdvisorEvent } from '../ports/index.js';
import { ResourceRejectedError } from '../remediation/ports.js';

export type ScalingRefusal = 'activity-in-progress' | 'resource-contention' | 'invalid-request';

/** Auto Scaling refused a capacity change; `reason` says why in terms the advisor acts on. */
export class ScalingRefusedError extends Error {
  constructor(
    readonly groupName: string,
    readonly desired: number,
    readonly reason: ScalingRefusal,
    awsMessage: string,
  ) {
    super(`Auto Scaling group "${groupName}" refused desired capacity ${desired} (${reason}): ${awsMessage}`);
    this.name = 'ScalingRefusedError';
  }
}

/** An event EventBridge rejected, with the event itself so it can still be dead-lettered. */
export interface UnpublishedEvent {
  type: string;
  serviceId: string;
  errorCode: string;
  event: AdvisorEvent;
}

/** EventBridge kept rejecting some entries after every retry; `failed` holds only those. */
export class EventsNotPublishedError extends Error {
  constructor(
    readonly failed: readonly UnpublishedEvent[],
    attempts: number,
  ) {
    const codes = [...new Set(failed.map((f) => f.errorCode))].join(', ');
    super(`${failed.length} event(s) not published after ${attempts} attempt(s): ${codes}`);
    this.name = 'EventsNotPublishedError';
  }
}

/** Events that could neither be published nor sent to the dead-letter queue: they would be lost. */
export class EventsLostError extends Error {
  constructor(
    readonly lost: readonly { type: string; serviceId: string }[],
    cause: string,
  ) {
    const names = lost.map((l) => `${l.type} ${l.serviceId}`).join(', ');
    super(`${lost.length} advisor event(s) neither published nor dead-lettered (${names}): ${cause}`);
    this.name = 'EventsLostError';
  }
}

/** A stored item does not have the shape this code writes. */
export class StateShapeError extends Error {
  constructor(key: string, problem: string) {
    super(`state item ${key}: ${problem}`);
    this.name = 'StateShapeError';
  }
}

/** Client errors that are throttling: the SDK retries them, and so may SQS. */
const THROTTLING = /Throttl|RateExceeded|RequestLimitExceeded|APICallRateForCustomerExceeded|TooManyRequests/;

/**
 * A client error AWS will answer the same way however often it is asked: a quota, a parameter
 * combination the engine does not support, a state the resource will not leave by itself.
 * Throttling is a client error too, but passes; server errors and network failures are transient.
 */
export function isPermanentAwsError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const fault = (error as { $fault?: unknown }).$fault;
  return fault === 'client' && !THROTTLING.test(error.name);
}

/** A permanent refusal as ResourceRejectedError (the worker reports it at once); any other error as it is. */
export function rejectionOf(error: unknown): unknown {
  return isPermanentAwsError(error) ? new ResourceRejectedError(error.name, error.message) : error;
}
