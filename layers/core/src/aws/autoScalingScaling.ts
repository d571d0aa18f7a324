/** The write side of EC2 Auto Scaling: SetDesiredCapacity, with AWS's refusals named. */
import { SetDesiredCapacityCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ScalingRefusedError, type ScalingRefusal } from './errors.js';

export async function setDesiredCapacity(
  client: AutoScalingClient,
  groupName: string,
  desired: number,
  honorCooldown: boolean,
): Promise<void> {
  try {
    await client.send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: groupName,
        DesiredCapacity: desired,
        HonorCooldown: honorCooldown,
      }),
    );
  } catch (error) {
    const reason = refusalOf(error);
    if (reason === undefined) throw error;
    throw new ScalingRefusedError(groupName, desired, reason, (error as Error).message);
  }
}

function refusalOf(error: unknown): ScalingRefusal | undefined {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (name.startsWith('ScalingActivityInProgress')) return 'activity-in-progress';
  if (name.startsWith('ResourceContention')) return 'resource-contention';
  if (name === 'ValidationError') return 'invalid-request';
  return undefined;
}
