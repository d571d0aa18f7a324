/**
 * Approvals: a person in Slack answers a workflow that waits on a Step Functions task token.
 * The token never travels through Slack (it can be 2048 characters, more than a button value
 * holds, and it is a capability): the button carries the approval id, the store holds the token.
 */
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from './messages.js';

/**
 * Approval ids go into Slack button values and DynamoDB keys: short and plain. Kept here, not with
 * the event schemas, so that the interactions function does not load the full zod for a pattern.
 */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export type ApprovalAnswer = 'approved' | 'rejected';
export type ApprovalStatus = 'pending' | ApprovalAnswer | 'expired';

export interface PendingApproval {
  approvalId: string;
  taskToken: string;
  serviceId: string;
  summary: string;
  /** Epoch ms. */
  requestedAt: number;
  /** Epoch ms after which the workflow stops waiting. */
  expiresAt?: number;
}

export type ClaimResult =
  | { kind: 'claimed'; taskToken: string }
  | { kind: 'already-answered'; status: ApprovalStatus; answeredBy?: string }
  | { kind: 'unknown' };

/** Where the notifier leaves approval requests for the click (DynamoDB in AWS). */
export interface ApprovalRequests {
  /**
   * Stores a pending approval. An approval already stored is never overwritten: its own request
   * delivered again is `saved` (no change), any other (another token, or one already answered)
   * is `refused`, and the caller neither posts it nor acts on it.
   */
  savePending(approval: PendingApproval): Promise<'saved' | 'refused'>;
  /** Records that the workflow no longer waits (task timed out or gone). */
  markExpired(approvalId: string): Promise<void>;
}

/** Where the click finds its approval request. */
export interface ApprovalStore {
  /** Moves pending → answer atomically: of two clicks, exactly one gets `claimed`. */
  claim(approvalId: string, answer: ApprovalAnswer, userId: string, at: number): Promise<ClaimResult>;
  /** Puts a claimed approval back to pending after Step Functions could not be reached. */
  release(approvalId: string): Promise<void>;
  /** Records that the workflow no longer waits (task timed out or gone). */
  markExpired(approvalId: string): Promise<void>;
}

/** Answers the waiting workflow. `task-gone`: it timed out, was stopped or already answered. */
export interface TaskAnswers {
  answer(
    taskToken: string,
    answer: ApprovalAnswer,
    by: { approvalId: string; userId: string; at: number },
  ): Promise<'sent' | 'task-gone'>;
}

export class AllowedUsersError extends Error {
  override readonly name = 'AllowedUsersError';
}

/** Slack user ids: U… or W… (Enterprise Grid) followed by upper-case letters and digits. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Comma- or space-separated Slack user ids. Empty means nobody may approve (fail closed). */
export function parseAllowedUsers(text: string | undefined): ReadonlySet<string> {
  const ids = (text ?? '').split(/[\s,]+/).filter((id) => id !== '');
  const bad = ids.filter((id) => !SLACK_USER_ID.test(id));
  if (bad.length > 0) {
    throw new AllowedUsersError(
      `allowed Slack users: not Slack user ids: ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return new Set(ids);
}

export function answerFor(actionId: string): ApprovalAnswer | undefined {
  if (actionId === APPROVE_ACTION_ID) return 'approved';
  if (actionId === REJECT_ACTION_ID) return 'rejected';
  return undefined;
}

export type ClickOutcome =
  | { kind: 'forbidden'; userId: string }
  | { kind: 'not-an-approval'; why: string }
  | { kind: 'unknown-approval'; approvalId: string }
  | { kind: 'already-answered'; approvalId: string; status: ApprovalStatus; answeredBy?: string }
  | { kind: 'answered'; approvalId: string; answer: ApprovalAnswer; userId: string }
  | { kind: 'expired'; approvalId: string }
  | { kind: 'unreachable'; approvalId: string; error: string };

export interface Click {
  userId: string;
  actionId: string;
  value: string;
}

export interface ClickDeps {
  store: ApprovalStore;
  tasks: TaskAnswers;
  allowedUsers: ReadonlySet<string>;
  now: number;
}

/**
 * One click, answered at most once. The claim comes first, so a second click (or Slack's retry)
 * finds the approval answered and never reaches Step Functions; a failed call gives the claim back.
 */
export async function answerClick(click: Click, deps: ClickDeps): Promise<ClickOutcome> {
  const answer = answerFor(click.actionId);
  if (answer === undefined) return { kind: 'not-an-approval', why: `unknown action "${click.actionId}"` };
  if (!APPROVAL_ID_PATTERN.test(click.value))
    return { kind: 'not-an-approval', why: 'malformed approval id' };
  if (!deps.allowedUsers.has(click.userId)) return { kind: 'forbidden', userId: click.userId };
  const approvalId = click.value;
  const claim = await deps.store.claim(approvalId, answer, click.userId, deps.now);
  if (claim.kind === 'unknown') return { kind: 'unknown-approval', approvalId };
  if (claim.kind === 'already-answered') {
    return { kind: 'already-answered', approvalId, status: claim.status, answeredBy: claim.answeredBy };
  }
  let result: 'sent' | 'task-gone';
  try {
    result = await deps.tasks.answer(claim.taskToken, answer, {
      approvalId,
      userId: click.userId,
      at: deps.now,
    });
  } catch (error) {
    await deps.store.release(approvalId);
    const name =
      typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'unknown error';
    return { kind: 'unreachable', approvalId, error: name };
  }
  if (result === 'task-gone') {
    await deps.store.markExpired(approvalId);
    return { kind: 'expired', approvalId };
  }
  return { kind: 'answered', approvalId, answer, userId: click.userId };
}
