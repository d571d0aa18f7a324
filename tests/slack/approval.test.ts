/** answerClick against in-memory ports: who may answer, and that an approval is answered once. */
import { describe, expect, it } from '@jest/globals';
import {
  AllowedUsersError,
  answerClick,
  parseAllowedUsers,
  replyTo,
  type ApprovalAnswer,
  type ApprovalRequests,
  type ApprovalStatus,
  type ApprovalStore,
  type ClaimResult,
  type PendingApproval,
  type TaskAnswers,
} from '@headroom/core';

class MemoryApprovals implements ApprovalStore, ApprovalRequests {
  readonly items = new Map<
    string,
    PendingApproval & { status: ApprovalStatus; answeredBy?: string; toldAt?: number }
  >();
  async savePending(approval: PendingApproval) {
    const current = this.items.get(approval.approvalId);
    if (current && (current.status !== 'pending' || current.taskToken !== approval.taskToken)) {
      return 'refused' as const;
    }
    this.items.set(approval.approvalId, { ...approval, status: 'pending' });
    return 'saved' as const;
  }
  async claim(approvalId: string, answer: ApprovalAnswer, userId: string): Promise<ClaimResult> {
    const item = this.items.get(approvalId);
    if (!item) return { kind: 'unknown' };
    const retry = item.status === answer && item.toldAt === undefined;
    if (item.status !== 'pending' && !retry)
      return { kind: 'already-answered', status: item.status, answeredBy: item.answeredBy };
    this.items.set(approvalId, { ...item, status: answer, answeredBy: item.answeredBy ?? userId });
    return { kind: 'claimed', taskToken: item.taskToken, retry };
  }
  async confirm(approvalId: string, at: number) {
    const item = this.items.get(approvalId);
    if (item) this.items.set(approvalId, { ...item, toldAt: item.toldAt ?? at });
  }
  async markExpired(approvalId: string) {
    const item = this.items.get(approvalId);
    if (item && item.toldAt === undefined) this.items.set(approvalId, { ...item, status: 'expired' });
  }
}

class RecordingTasks implements TaskAnswers {
  readonly calls: { token: string; answer: ApprovalAnswer; userId: string }[] = [];
  constructor(private readonly behaviour: 'ok' | 'gone' | 'throw' = 'ok') {}
  async answer(token: string, answer: ApprovalAnswer, by: { userId: string }) {
    this.calls.push({ token, answer, userId: by.userId });
    if (this.behaviour === 'throw')
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    return this.behaviour === 'gone' ? 'task-gone' : 'sent';
  }
}

const ANA = 'U024BE7LH';
const pending: PendingApproval = {
  approvalId: 'apr-1',
  taskToken: 'token-1',
  serviceId: 'web',
  summary: 'add a read replica',
  requestedAt: 0,
};

async function setup(behaviour: 'ok' | 'gone' | 'throw' = 'ok') {
  const store = new MemoryApprovals();
  await store.savePending(pending);
  const tasks = new RecordingTasks(behaviour);
  const deps = { store, tasks, allowedUsers: parseAllowedUsers(`${ANA}, W0ENTERPRISE`), now: 1 };
  return { store, tasks, deps };
}
const approve = { userId: ANA, actionId: 'headroom.approve', value: 'apr-1' };

describe('answerClick', () => {
  it('approves once: the second click changes nothing and never reaches Step Functions', async () => {
    const { store, tasks, deps } = await setup();
    expect(await answerClick(approve, deps)).toEqual({
      kind: 'answered',
      approvalId: 'apr-1',
      answer: 'approved',
      userId: ANA,
    });
    expect(await answerClick({ ...approve, actionId: 'headroom.reject' }, deps)).toEqual({
      kind: 'already-answered',
      approvalId: 'apr-1',
      status: 'approved',
      answeredBy: ANA,
    });
    expect(tasks.calls).toEqual([{ token: 'token-1', answer: 'approved', userId: ANA }]);
    expect(store.items.get('apr-1')?.status).toBe('approved');
  });

  it('refuses a user who is not on the allowed list, before touching anything', async () => {
    const { store, tasks, deps } = await setup();
    expect(await answerClick({ ...approve, userId: 'U0STRANGER' }, deps)).toEqual({
      kind: 'forbidden',
      userId: 'U0STRANGER',
    });
    expect(tasks.calls).toEqual([]);
    expect(store.items.get('apr-1')?.status).toBe('pending');
  });

  it('ignores buttons that are not Approve or Reject, and malformed approval ids', async () => {
    const { tasks, deps } = await setup();
    expect((await answerClick({ ...approve, actionId: 'other' }, deps)).kind).toBe('not-an-approval');
    expect((await answerClick({ ...approve, value: 'apr 1; drop' }, deps)).kind).toBe('not-an-approval');
    expect(tasks.calls).toEqual([]);
  });

  it('reports an unknown approval', async () => {
    const { tasks, deps } = await setup();
    expect(await answerClick({ ...approve, value: 'apr-404' }, deps)).toEqual({
      kind: 'unknown-approval',
      approvalId: 'apr-404',
    });
    expect(tasks.calls).toEqual([]);
  });

  it('marks the approval expired when the workflow no longer waits', async () => {
    const { store, deps } = await setup('gone');
    expect(await answerClick(approve, deps)).toEqual({ kind: 'expired', approvalId: 'apr-1' });
    expect(store.items.get('apr-1')?.status).toBe('expired');
  });

  it('keeps the claim when Step Functions cannot be reached (it may have taken the answer); clicking again sends the same answer', async () => {
    const { store, tasks, deps } = await setup('throw');
    expect(await answerClick(approve, deps)).toEqual({
      kind: 'unreachable',
      approvalId: 'apr-1',
      error: 'TimeoutError',
    });
    expect(store.items.get('apr-1')?.status).toBe('approved');
    expect((await answerClick({ ...approve, actionId: 'headroom.reject' }, deps)).kind).toBe(
      'already-answered',
    );
    expect((await answerClick(approve, deps)).kind).toBe('unreachable');
    expect(tasks.calls.map((c) => c.answer)).toEqual(['approved', 'approved']);
  });
});

describe('parseAllowedUsers', () => {
  it('reads comma- or space-separated ids; empty allows nobody', () => {
    expect([...parseAllowedUsers('U1AB, W2CD U3EF')]).toEqual(['U1AB', 'W2CD', 'U3EF']);
    expect(parseAllowedUsers('').size).toBe(0);
    expect(parseAllowedUsers(undefined).size).toBe(0);
  });

  it('names what is not a Slack user id', () => {
    expect(() => parseAllowedUsers('U1AB,@ana,#ops')).toThrow(
      new AllowedUsersError('allowed Slack users: not Slack user ids: "@ana", "#ops"'),
    );
  });
});

describe('replyTo', () => {
  const original = [
    { type: 'header', text: { type: 'plain_text', text: 'Approval needed' } },
    { type: 'actions', block_id: 'headroom-approval:apr-1', elements: [] },
  ];

  it('redraws the message without its buttons once answered', () => {
    const reply = replyTo(
      { kind: 'answered', approvalId: 'apr-1', answer: 'rejected', userId: ANA },
      original,
    );
    expect(reply.status).toBe(200);
    expect(reply.message.replace_original).toBe(true);
    expect(reply.message.blocks).toEqual([
      original[0],
      { type: 'context', elements: [{ type: 'mrkdwn', text: `:no_entry: Rejected by <@${ANA}>.` }] },
    ]);
  });

  it.each([
    [{ kind: 'forbidden', userId: 'U0X' } as const, 403],
    [{ kind: 'not-an-approval', why: 'x' } as const, 400],
    [{ kind: 'already-answered', approvalId: 'apr-1', status: 'approved' } as const, 200],
  ])('answers %p with %d and leaves the message alone', (outcome, status) => {
    const reply = replyTo(outcome, original);
    expect(reply.status).toBe(status);
    expect(reply.message.replace_original).toBe(false);
  });
});
