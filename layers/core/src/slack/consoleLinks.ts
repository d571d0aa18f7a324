/** Links from a Slack message to the AWS console pages a responder opens first. */

export interface ConsoleLink {
  label: string;
  url: string;
}

export interface Place {
  region: string;
  autoScalingGroupName?: string;
  alarmName?: string;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

function consoleHome(region: string, service: 'cloudwatch' | 'ec2'): string {
  if (!REGION_PATTERN.test(region)) throw new RangeError(`not an AWS region: "${region}"`);
  return `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
}

export function consoleLinks(place: Place): ConsoleLink[] {
  const links: ConsoleLink[] = [];
  const { region, alarmName, autoScalingGroupName: group } = place;
  if (alarmName) {
    links.push({
      label: 'Alarm',
      url: `${consoleHome(region, 'cloudwatch')}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`,
    });
  }
  if (group) {
    links.push({
      label: 'Metrics',
      url: `${consoleHome(region, 'cloudwatch')}#metricsV2:graph=~();search=${encodeURIComponent(group)}`,
    });
    links.push({
      label: 'Auto Scaling group',
      url: `${consoleHome(region, 'ec2')}#AutoScalingGroupDetails:id=${encodeURIComponent(group)};view=details`,
    });
  }
  return links;
}
