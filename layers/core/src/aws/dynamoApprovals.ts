/**
 * Approvals in the advisor's DynamoDB table (pk/sk, TTL on `expiresAt`, see dynamoState.ts):
 *   approval#<id> / approval   the task token, the status and who answered
 * The status moves pending → approved | rejected | expired only through conditional writes.
 * Two classes, so that each function's bundle (and so its IAM) keeps only the calls it makes:
 * the notifier writes requests, the interactions function claims them.
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

async function setStatus(
  client: DynamoDBClient,
  tableName: string,
  approvalId: string,
  status: ApprovalStatus,
  extra = '',
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: keyOf(approvalId),
      UpdateExpression: `SET #status = :status ${extra}`.trim(),
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':status': status }),
    }),
  );
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

  async markExpired(approvalId: string): Promise<void> {
    await setStatus(this.client, this.options.tableName, approvalId, 'expired');
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
          UpdateExpression: 'SET #status = :answer, answeredBy = :user, answeredAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({
            ':answer': answer,
            ':user': userId,
            ':at': at,
            ':pending': 'pending',
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const token = unmarshall(response.Attributes ?? {}).taskToken;
      if (typeof token !== 'string')
        throw new StateShapeError(`approval#${approvalId}`, 'taskToken is not a string');
      return { kind: 'claimed', taskToken: token };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The condition failed: either no such approval, or it is no longer pending.
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

  async release(approvalId: string): Promise<void> {
    await setStatus(
      this.client,
      this.options.tableName,
      approvalId,
      'pending',
      'REMOVE answeredBy, answeredAt',
    );
  }

  async markExpired(approvalId: string): Promise<void> {
    await setStatus(this.client, this.options.tableName, approvalId, 'expired');
  }
}
