/** DescribeScalingActivities, on its own so that only the functions that need warm-up are granted it. */
import {
  DescribeScalingActivitiesCommand,
  type Activity,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';

/** Newest first, as AWS returns them; one page is enough to tell which instances still warm up. */
export async function recentActivities(client: AutoScalingClient, groupName: string): Promise<Activity[]> {
  const response = await client.send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: groupName, MaxRecords: 50 }),
  );
  return response.Activities ?? [];
}
