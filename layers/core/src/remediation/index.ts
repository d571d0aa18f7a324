/** Remediation as the Lambda functions need it (the local runner and the simulation are imported by path). */
export * from './alarmEvent.js';
export * from './approvals.js';
export * from './changes.js';
export * from './guardrails.js';
export * from './plan.js';
export * from './record.js';
export * from './ports.js';
export * from './schemas.js';
export * from './worker.js';
export * from './workflow.js';
export * from './reachTarget.js';
export * from './atAction.js';
export * from './readerShape.js';
