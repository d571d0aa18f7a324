/**
 * A fake AWS endpoint on 127.0.0.1 for the built-bundle smoke test: just enough CloudWatch, Auto
 * Scaling, DynamoDB and EventBridge, in each service's own wire protocol, for one evaluation of a
 * group "web" (4 instances, headroom:mode=apply) running at 90% CPU.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAwsCall {
  /** X-Amz-Target for JSON protocols, the Action for the query protocol. */
  operation: string;
  body: string;
}

const ASG_NS = 'https://autoscaling.amazonaws.com/doc/2011-01-01/';
const requestId =
  '<ResponseMetadata><RequestId>7c6e177f-4fcd-11e1-88f2-8d1f1a8f0e2b</RequestId></ResponseMetadata>';

const tag = (key: string, value: string) =>
  `<member><ResourceId>web</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${key}</Key><Value>${value}</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>`;
const inService = (n: number) =>
  `<member><InstanceId>i-0a1b2c3d4e5f6000${n}</InstanceId><InstanceType>m7g.large</InstanceType><AvailabilityZone>eu-west-1a</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`;
const webGroup =
  `<member><AutoScalingGroupName>web</AutoScalingGroupName><MinSize>2</MinSize><MaxSize>20</MaxSize><DesiredCapacity>4</DesiredCapacity>` +
  `<DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>eu-west-1a</member></AvailabilityZones><HealthCheckType>ELB</HealthCheckType>` +
  `<CreatedTime>2026-01-12T09:30:00Z</CreatedTime><Instances>${[1, 2, 3, 4].map(inService).join('')}</Instances>` +
  `<Tags>${tag('headroom:managed', 'true')}${tag('headroom:mode', 'apply')}</Tags></member>`;

const autoScaling: Record<string, string> = {
  DescribeAutoScalingGroups: `<DescribeAutoScalingGroupsResponse xmlns="${ASG_NS}"><DescribeAutoScalingGroupsResult><AutoScalingGroups>${webGroup}</AutoScalingGroups></DescribeAutoScalingGroupsResult>${requestId}</DescribeAutoScalingGroupsResponse>`,
  DescribeScalingActivities: `<DescribeScalingActivitiesResponse xmlns="${ASG_NS}"><DescribeScalingActivitiesResult><Activities/></DescribeScalingActivitiesResult>${requestId}</DescribeScalingActivitiesResponse>`,
  SetDesiredCapacity: `<SetDesiredCapacityResponse xmlns="${ASG_NS}">${requestId}</SetDesiredCapacityResponse>`,
};

function metricData(body: string): object {
  const input = JSON.parse(body) as { MetricDataQueries: { Id: string; Label?: string }[]; EndTime: number };
  const lastMinute = Math.floor(input.EndTime / 60) * 60;
  const timestamps = [1, 2, 3, 4, 5].map((m) => lastMinute - m * 60);
  return {
    MetricDataResults: input.MetricDataQueries.map((q) => ({
      Id: q.Id,
      Label: q.Label,
      Timestamps: timestamps,
      Values: timestamps.map(() => 90),
      StatusCode: 'Complete',
    })),
    Messages: [],
  };
}

const json: Record<string, (body: string) => object> = {
  'GraniteServiceVersion20100801.GetMetricData': metricData,
  'DynamoDB_20120810.GetItem': () => ({}),
  'DynamoDB_20120810.PutItem': () => ({}),
  'DynamoDB_20120810.Query': () => ({ Items: [], Count: 0, ScannedCount: 0 }),
  'AWSEvents.PutEvents': (body) => ({
    FailedEntryCount: 0,
    Entries: (JSON.parse(body) as { Entries: unknown[] }).Entries.map((_, i) => ({
      EventId: `11710aed-b79e-4468-a20b-bb3c0c3b486${i}`,
    })),
  }),
};

export async function fakeAws(): Promise<{ server: Server; calls: FakeAwsCall[]; endpoint: string }> {
  const calls: FakeAwsCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        calls.push({ operation: target, body });
        const answer = json[target];
        const type = target.startsWith('AWSEvents')
          ? 'application/x-amz-json-1.1'
          : 'application/x-amz-json-1.0';
        res.writeHead(answer ? 200 : 400, { 'content-type': type });
        res.end(
          JSON.stringify(answer ? answer(body) : { __type: 'UnknownOperationException', message: target }),
        );
        return;
      }
      const action = new URLSearchParams(body).get('Action') ?? '';
      calls.push({ operation: action, body });
      const answer = autoScaling[action];
      res.writeHead(answer ? 200 : 400, { 'content-type': 'text/xml' });
      res.end(
        answer ??
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, calls, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
