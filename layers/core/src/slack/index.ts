/** Slack: messages from advisor events, signed interactions, approvals. Pure; adapters are in aws/. */
export * from './approval.js';
export type { Block, Button, SlackMessage } from './blockKit.js';
export * from './consoleLinks.js';
export * from './digest.js';
export * from './eventDetail.js';
export * from './interaction.js';
export {
  APPROVAL_BLOCK_PREFIX,
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  fallbackText,
  formatMonthlyCost,
  slackMessageFor,
} from './messages.js';
export * from './notice.js';
export * from './rateLimit.js';
export * from './reply.js';
export * from './retry.js';
export * from './signature.js';
export * from './webhookTarget.js';
