/** @headroom/core: the domain library shared by every function (shipped as the layer). */
export * from './model/service.js';
export * from './model/kpi.js';
export * from './model/fleet.js';
export * from './model/decision.js';
export * from './model/replay.js';
export * from './ports/index.js';
export * from './config/serviceConfig.js';
export * from './kpi/evaluateKpis.js';
export * from './policies/guardrailsLimits.js';
export * from './policies/targetTracking.js';
export * from './aws/index.js';
export * from './policies/guardrails.js';
export * from './cost/costModel.js';
export * from './slack/index.js';
export * from './aws/slackWebhook.js';
export * from './aws/taskTokens.js';
export * from './aws/dynamoApprovals.js';
