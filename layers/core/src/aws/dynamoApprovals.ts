/**
 * Approvals in the advisor's DynamoDB table (pk/sk, TTL on `expiresAt`, see dynamoState.ts):
 *   approval#<id> / approval   the task token, the status and who answered
 * The status moves pending → approved | rejected | expired only through conditional writes, and
 * never back. `toldAt` is set once Step Functions is known to have the answer.
 * Three classes, so that each function's bundle (and so its IAM) keeps only the calls it makes:
 * the notifier writes requests, the interactions function claims them, the workflow's Record
 * step settles them.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  ApprovalAnswer,
  ApprovalOutcomes,
  ApprovalRequests,
  ApprovalStatus,
  ApprovalStore,
  ClaimResult,
  PendingApproval,
} from '../slack/approval.js';
import { StateShapeError } from './errors.js';
import { TTL_ATTRIBUTE } from './dynamoState.js';

export interface DynamoApprovalsOptions {
  tableName: string;
  /** How long an approval (and its token) is kept for the audit trail, days (default 30). */
  retentionDays?: number;
}

const keyOf = (approvalId: string) => marshall({ pk: `approval#${approvalId}`, sk: 'approval' });
const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected', 'expired'];

/** A conditional update; false when the condition did not hold. */
async function update(
  client: DynamoDBClient,
  tableName: string,
  approvalId: string,
  set: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: keyOf(approvalId),
        UpdateExpression: set,
        ConditionExpression: condition,
        ...(`${set} ${condition}`.includes('#status')
          ? { ExpressionAttributeNames: { '#status': 'status' } }
          : {}),
        ExpressionAttributeValues: marshall(values),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The notifier's side: stores a request before its message goes out. */
export class DynamoApprovalRequests implements ApprovalRequests {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoApprovalsOptions,
  ) {}

  /**
   * Never replaces a stored approval's token: only the same request (same token, still pending)
   * may be written again. A retried workflow step (a new token after a lost response) is refused;
   * its workflow then times out without acting, which is the safe side.
   */
  async savePending(approval: PendingApproval): Promise<'saved' | 'refused'> {
    const retentionSeconds = (this.options.retentionDays ?? 30) * 86_400;
    const { expiresAt: answerBy, ...rest } = approval;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...keyOf(approval.approvalId),
            ...marshall(
              {
                ...rest,
                answerBy,
                status: 'pending',
                [TTL_ATTRIBUTE]: Math.floor(approval.requestedAt / 1000) + retentionSeconds,
              },
              { removeUndefinedValues: true },
            ),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND #token = :token)',
          ExpressionAttributeNames: { '#status': 'status', '#token': 'taskToken' },
          ExpressionAttributeValues: marshall({ ':pending': 'pending', ':token': approval.taskToken }),
        }),
      );
      return 'saved';
    } catch (error) {
      // Another request under the same id, or one already answered: never overwritten or reopened.
      if (error instanceof ConditionalCheckFailedException) return 'refused';
      throw error;
    }
  }

  /** Only a pending approval: an answer already given stands. */
  async markExpired(approvalId: string): Promise<void> {
    await update(
      this.client,
      this.options.tableName,
      approvalId,
      'SET #status = :expired',
      '#status = :pending',
      {
        ':expired': 'expired',
        ':pending': 'pending',
      },
    );
  }
}

/** The interactions side: claims a request for the one click that answers it. */
export class DynamoApprovals implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoApprovalsOptions,
  ) {}

  async claim(approvalId: string, answer: ApprovalAnswer, userId: string, at: number): Promise<ClaimResult> {
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: keyOf(approvalId),
          UpdateExpression:
            'SET #status = :answer, answeredBy = if_not_exists(answeredBy, :user), answeredAt = if_not_exists(answeredAt, :at)',
          // Pending, or this very answer not yet confirmed: a write whose answer was lost, retried
          // by the SDK, or a click again after Step Functions did not answer.
          ConditionExpression: '#status = :pending OR (#status = :answer AND attribute_not_exists(toldAt))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({
            ':answer': answer,
            ':user': userId,
            ':at': at,
            ':pending': 'pending',
          }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      const before = unmarshall(response.Attributes ?? {});
      if (typeof before.taskToken !== 'string')
        throw new StateShapeError(`approval#${approvalId}`, 'taskToken is not a string');
      return {
        kind: 'claimed',
        taskToken: before.taskToken,
        retry: before.status === answer,
        ...(typeof before.answerBy === 'number' ? { answerBy: before.answerBy } : {}),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The condition failed: either no such approval, or it is answered otherwise or confirmed.
    const current = await this.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: keyOf(approvalId), ConsistentRead: true }),
    );
    if (current.Item === undefined) return { kind: 'unknown' };
    const { status, answeredBy } = unmarshall(current.Item);
    if (!STATUSES.includes(status)) {
      throw new StateShapeError(`approval#${approvalId}`, `status is ${JSON.stringify(status)}`);
    }
    return {
      kind: 'already-answered',
      status: status as ApprovalStatus,
      ...(typeof answeredBy === 'string' ? { answeredBy } : {}),
    };
  }

  async confirm(approvalId: string, at: number): Promise<void> {
    await update(
      this.client,
      this.options.tableName,
      approvalId,
      'SET toldAt = if_not_exists(toldAt, :at)',
      'attribute_exists(pk)',
      { ':at': at },
    );
  }

  /** Only an answer Step Functions never confirmed: the task was gone at the first attempt. */
  async markExpired(approvalId: string): Promise<void> {
    await update(
      this.client,
      this.options.tableName,
      approvalId,
      'SET #status = :expired',
      'attribute_exists(pk) AND attribute_not_exists(toldAt)',
      { ':expired': 'expired' },
    );
  }
}

/** The workflow's side: what Step Functions acted on, whatever the clicks left behind. */
export class DynamoApprovalOutcomes implements ApprovalOutcomes {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoApprovalsOptions,
  ) {}

  async settle(approvalId: string, status: Exclude<ApprovalStatus, 'pending'>, at: number): Promise<void> {
    // An approval the notifier never stored (its event failed) has nothing to settle.
    await update(
      this.client,
      this.options.tableName,
      approvalId,
      'SET #status = :status, toldAt = if_not_exists(toldAt, :at)',
      'attribute_exists(pk)',
      { ':status': status, ':at': at },
    );
  }
}
