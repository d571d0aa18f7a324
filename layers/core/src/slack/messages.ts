/** Turns a notice into the Block Kit message the team reads, with a plain-text fallback. */
import type { AdvisorEventType } from '../ports/index.js';
import {
  LIMITS,
  escapeMrkdwn,
  mrkdwn,
  plain,
  truncate,
  type Block,
  type Button,
  type SlackMessage,
} from './blockKit.js';
import type { Notice, ChangeVerdict } from './notice.js';

export const APPROVE_ACTION_ID = 'headroom.approve';
export const REJECT_ACTION_ID = 'headroom.reject';
/** Prefix of the actions block's id; the approval id follows it. */
export const APPROVAL_BLOCK_PREFIX = 'headroom-approval:';

const TITLES: Record<AdvisorEventType, { emoji: string; title: string }> = {
  Recommendation: { emoji: ':bulb:', title: 'Recommendation' },
  ActionApplied: { emoji: ':white_check_mark:', title: 'Applied' },
  ApprovalRequested: { emoji: ':raised_hand:', title: 'Approval needed' },
  ActionFailed: { emoji: ':x:', title: 'Failed' },
  RemediationCompleted: { emoji: ':checkered_flag:', title: 'Remediation completed' },
};

const VERDICT_TITLES: Record<ChangeVerdict, { emoji: string; title: string }> = {
  blocked: { emoji: ':no_entry_sign:', title: 'Blocked' },
  rejected: { emoji: ':no_entry:', title: 'Rejected' },
  'timed-out': { emoji: ':hourglass:', title: 'Approval timed out' },
  queued: { emoji: ':hourglass_flowing_sand:', title: 'Queued' },
};

/** A rejected or blocked change must not read as a fresh recommendation. */
export const titleOf = (notice: Notice) =>
  notice.verdict ? VERDICT_TITLES[notice.verdict] : TITLES[notice.type];

export function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 });
}

export function formatMonthlyCost(deltaUsd: number): string {
  const amount = Math.abs(deltaUsd).toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  if (deltaUsd > 0) return `+$${amount}/month`;
  if (deltaUsd < 0) return `-$${amount}/month (saves)`;
  return '$0.00/month';
}

/** Slack renders `<!date^…>` in the reader's own time zone; the ISO text is the fallback. */
function slackDate(at: number): string {
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|${new Date(at).toISOString()}>`;
}

function facts(notice: Notice): string[] {
  const out: string[] = [`*Service*\n${escapeMrkdwn(notice.serviceId)}`];
  if (notice.monthlyCostDeltaUsd !== undefined)
    out.push(`*Cost*\n${formatMonthlyCost(notice.monthlyCostDeltaUsd)}`);
  if (notice.risk !== undefined) out.push(`*Risk*\n${notice.risk}`);
  if (notice.confidence !== undefined) out.push(`*Confidence*\n${Math.round(notice.confidence * 100)} %`);
  if (notice.rule !== undefined) out.push(`*Rule*\n\`${escapeMrkdwn(notice.rule)}\``);
  if (notice.guardrails)
    out.push(`*Guardrails*\n${notice.guardrails.map((g) => escapeMrkdwn(g)).join(', ')}`);
  return out.slice(0, LIMITS.fields);
}

function approvalButtons(approvalId: string, what: string): Block {
  const approve: Button = {
    type: 'button',
    action_id: APPROVE_ACTION_ID,
    text: plain('Approve', LIMITS.buttonText),
    style: 'primary',
    value: approvalId,
    confirm: {
      title: plain('Apply this change?', 100),
      text: mrkdwn(escapeMrkdwn(what), 300),
      confirm: plain('Approve', 30),
      deny: plain('Cancel', 30),
    },
  };
  const reject: Button = {
    type: 'button',
    action_id: REJECT_ACTION_ID,
    text: plain('Reject', LIMITS.buttonText),
    style: 'danger',
    value: approvalId,
  };
  return { type: 'actions', block_id: `${APPROVAL_BLOCK_PREFIX}${approvalId}`, elements: [approve, reject] };
}

export function fallbackText(notice: Notice): string {
  const { title } = titleOf(notice);
  const parts = [`${title}: ${notice.what}.`];
  if (notice.error) parts.push(`Error: ${notice.error}.`);
  if (notice.why) parts.push(notice.why);
  if (notice.monthlyCostDeltaUsd !== undefined)
    parts.push(`Cost ${formatMonthlyCost(notice.monthlyCostDeltaUsd)}.`);
  if (notice.risk !== undefined) parts.push(`Risk ${notice.risk}.`);
  if (notice.confidence !== undefined) parts.push(`Confidence ${Math.round(notice.confidence * 100)} %.`);
  return truncate(parts.join(' '), LIMITS.sectionText);
}

export function slackMessageFor(notice: Notice): SlackMessage {
  const { emoji, title } = titleOf(notice);
  const blocks: Block[] = [
    { type: 'header', text: plain(`${emoji} ${title}: ${notice.what}`, LIMITS.headerText) },
  ];
  const story = [`*What*\n${escapeMrkdwn(notice.what)}`];
  if (notice.why) story.push(`*Why*\n${escapeMrkdwn(notice.why)}`);
  if (notice.error) story.push(`*Error*\n\`\`\`${escapeMrkdwn(notice.error)}\`\`\``);
  blocks.push({ type: 'section', text: mrkdwn(story.join('\n')) });
  blocks.push({ type: 'section', fields: facts(notice).map((f) => mrkdwn(f, LIMITS.fieldText)) });
  const evidence = Object.entries(notice.evidence);
  if (evidence.length > 0) {
    const lines = evidence.map(([name, value]) => `• ${escapeMrkdwn(name)}: *${formatNumber(value)}*`);
    blocks.push({ type: 'section', text: mrkdwn(`*Evidence*\n${lines.join('\n')}`) });
  }
  const context = [slackDate(notice.at), ...notice.links.map((l) => `<${l.url}|${escapeMrkdwn(l.label)}>`)];
  if (notice.approval?.expiresAt !== undefined)
    context.push(`Answer by ${slackDate(notice.approval.expiresAt)}`);
  blocks.push({ type: 'context', elements: context.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t)) });
  if (notice.approval) blocks.push(approvalButtons(notice.approval.approvalId, notice.what));
  return { text: fallbackText(notice), blocks };
}
