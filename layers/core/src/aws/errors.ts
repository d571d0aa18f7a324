/** Typed failures of AWS calls, so callers decide on a reason rather than an SDK error name. */

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

/** EventBridge kept rejecting some entries after every retry. */
export class EventsNotPublishedError extends Error {
  constructor(
    readonly failed: readonly { type: string; serviceId: string; errorCode: string }[],
    attempts: number,
  ) {
    const codes = [...new Set(failed.map((f) => f.errorCode))].join(', ');
    super(`${failed.length} event(s) not published after ${attempts} attempt(s): ${codes}`);
    this.name = 'EventsNotPublishedError';
  }
}

/** A stored item does not have the shape this code writes. */
export class StateShapeError extends Error {
  constructor(key: string, problem: string) {
    super(`state item ${key}: ${problem}`);
    this.name = 'StateShapeError';
  }
}
