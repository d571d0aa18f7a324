/**
 * Starts the remediation workflow at RequestApproval for a decision of the evaluate flow. The
 * execution is named after the approval id, so a start whose answer was lost and is tried again
 * (by the SDK or by the next run) is the same execution: Step Functions accepts the same name and
 * input again while it runs, and refuses a second one with ExecutionAlreadyExists.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ApprovalWorkflow, ApprovalWorkflowInput } from '../remediation/approvals.js';

export class StepFunctionsApprovalWorkflow implements ApprovalWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly options: { stateMachineArn: string },
  ) {}

  async request(input: ApprovalWorkflowInput): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: input.plan.approval.approvalId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // Started already: this request is waiting (or was answered); asking twice would ask twice.
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  }
}
