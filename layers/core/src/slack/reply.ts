/** What the interactions endpoint answers to a click, and how the clicked message is redrawn. */
import type { ClickOutcome } from './approval.js';
import { APPROVAL_BLOCK_PREFIX } from './messages.js';

/** A message sent back through the click's `response_url` (and as the HTTP body). */
export interface ResponseMessage {
  replace_original: boolean;
  response_type?: 'ephemeral';
  text: string;
  blocks?: unknown[];
}

export interface ClickReply {
  status: 200 | 400 | 403;
  message: ResponseMessage;
}

const ephemeral = (text: string): ResponseMessage => ({
  replace_original: false,
  response_type: 'ephemeral',
  text,
});

function isApprovalButtons(block: unknown): boolean {
  if (typeof block !== 'object' || block === null || !('block_id' in block)) return false;
  return typeof block.block_id === 'string' && block.block_id.startsWith(APPROVAL_BLOCK_PREFIX);
}

/** The original message without its buttons, so nobody clicks an answered approval again. */
function redraw(originalBlocks: readonly unknown[] | undefined, line: string): ResponseMessage {
  const kept = (originalBlocks ?? []).filter((b) => !isApprovalButtons(b));
  return {
    replace_original: true,
    text: line,
    blocks: [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: line }] }],
  };
}

export function replyTo(outcome: ClickOutcome, originalBlocks: readonly unknown[] | undefined): ClickReply {
  switch (outcome.kind) {
    case 'forbidden':
      return {
        status: 403,
        message: ephemeral('You are not on the list of people who may answer Headroom approvals.'),
      };
    case 'not-an-approval':
      return { status: 400, message: ephemeral(`Headroom did not understand this click (${outcome.why}).`) };
    case 'unknown-approval':
      return {
        status: 200,
        message: ephemeral(`Approval ${outcome.approvalId} is unknown: it may have expired.`),
      };
    case 'already-answered': {
      const by = outcome.answeredBy ? ` by <@${outcome.answeredBy}>` : '';
      return {
        status: 200,
        message: ephemeral(`This approval was already ${outcome.status}${by}; nothing changed.`),
      };
    }
    case 'answered': {
      const mark = outcome.answer === 'approved' ? ':white_check_mark: Approved' : ':no_entry: Rejected';
      return { status: 200, message: redraw(originalBlocks, `${mark} by <@${outcome.userId}>.`) };
    }
    case 'expired':
      return {
        status: 200,
        message: redraw(originalBlocks, ':hourglass: The workflow stopped waiting: this approval expired.'),
      };
    case 'unreachable':
      return {
        status: 200,
        message: ephemeral(
          'Headroom could not confirm that the workflow got your answer. Click again to send the same answer; it can no longer be changed.',
        ),
      };
  }
}
