/**
 * Answers a workflow waiting on a task token. Approve → SendTaskSuccess; Reject →
 * SendTaskFailure with error `Headroom.Rejected`, which the workflow catches together with
 * `States.Timeout` (a timeout counts as rejected). Each call has a hard timeout: Slack wants
 * its answer within 3 s.
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ApprovalAnswer, TaskAnswers } from '../slack/approval.js';

export const REJECTED_ERROR = 'Headroom.Rejected';

/** The task is not waiting any more: it timed out, its execution stopped, or it was answered. */
const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const isTaskGone = (error: unknown) =>
  typeof error === 'object' && error !== null && 'name' in error && TASK_GONE.has(String(error.name));

export class StepFunctionsTaskAnswers implements TaskAnswers {
  constructor(
    private readonly client: SFNClient,
    private readonly options: { timeoutMs: number },
  ) {}

  async answer(
    taskToken: string,
    answer: ApprovalAnswer,
    by: { approvalId: string; userId: string; at: number },
  ): Promise<'sent' | 'task-gone'> {
    const who = {
      approvalId: by.approvalId,
      answeredBy: by.userId,
      answeredAt: new Date(by.at).toISOString(),
    };
    const options = { abortSignal: AbortSignal.timeout(this.options.timeoutMs) };
    try {
      if (answer === 'approved') {
        await this.client.send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approved: true, ...who }) }),
          options,
        );
      } else {
        await this.client.send(
          new SendTaskFailureCommand({
            taskToken,
            error: REJECTED_ERROR,
            cause: JSON.stringify({ approved: false, ...who }),
          }),
          options,
        );
      }
      return 'sent';
    } catch (error) {
      if (isTaskGone(error)) return 'task-gone';
      throw error;
    }
  }
}

/**
 * Tells the waiting workflow that the request reached Slack. A separate function rather than a
 * method, so that the notifier's bundle (and so its IAM) holds SendTaskHeartbeat and nothing that
 * could answer the approval.
 */
export async function sendHeartbeat(
  client: SFNClient,
  taskToken: string,
  timeoutMs: number,
): Promise<'sent' | 'task-gone'> {
  try {
    await client.send(new SendTaskHeartbeatCommand({ taskToken }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    return 'sent';
  } catch (error) {
    if (isTaskGone(error)) return 'task-gone';
    throw error;
  }
}
