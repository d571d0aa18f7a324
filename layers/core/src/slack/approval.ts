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
  | {
      kind: 'claimed';
      taskToken: string;
      /**
       * The approval already carried this answer, not yet confirmed as delivered: an earlier
       * attempt's write landed but its answer was lost, or its Step Functions call did not answer.
       */
      retry: boolean;
      /** Epoch ms after which the workflow stops waiting, when known. */
      answerBy?: number;
    }
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
  /** Records that the workflow stopped waiting before anyone answered (a pending approval only). */
  markExpired(approvalId: string): Promise<void>;
}

/**
 * Where the click finds its approval request. The status moves pending → answer once and never
 * back: a claim whose delivery to Step Functions is not confirmed stays claimed, and a click with
 * the same answer delivers it again, so the stored answer is the only one Step Functions can get.
 */
export interface ApprovalStore {
  /** pending → answer atomically; the same answer again while unconfirmed is a retry. */
  claim(approvalId: string, answer: ApprovalAnswer, userId: string, at: number): Promise<ClaimResult>;
  /** Step Functions took the answer. */
  confirm(approvalId: string, at: number): Promise<void>;
  /** Step Functions no longer waited and was never told our answer: the request expired. */
  markExpired(approvalId: string): Promise<void>;
}

/**
 * What Step Functions acted on, written by the workflow's own Record step: approved, rejected, or
 * expired (its wait timed out). It settles any status a lost answer left unconfirmed.
 */
export interface ApprovalOutcomes {
  settle(approvalId: string, status: Exclude<ApprovalStatus, 'pending'>, at: number): Promise<void>;
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
 * finds the approval answered and never reaches Step Functions with a different answer. A call
 * that failed may still have reached Step Functions, so the claim is kept: clicking again sends
 * the same answer again, and the workflow's Record step writes what it finally acted on.
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
    const name =
      typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'unknown error';
    return { kind: 'unreachable', approvalId, error: name };
  }
  if (result === 'sent') {
    await deps.store.confirm(approvalId, deps.now);
    return { kind: 'answered', approvalId, answer, userId: click.userId };
  }
  if (claim.retry) {
    // An earlier attempt may have delivered this answer (the task is gone because it was answered)
    // or not (it timed out meanwhile): only the workflow knows, and its Record step settles it.
    return { kind: 'already-answered', approvalId, status: answer };
  }
  await deps.store.markExpired(approvalId);
  return { kind: 'expired', approvalId };
}
