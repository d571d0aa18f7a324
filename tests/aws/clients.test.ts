/** SDK clients: a GetMetricData page of 100,800 datapoints gets a socket timeout sized for it. */
import { describe, expect, it } from '@jest/globals';
import {
  clientConfig,
  cloudWatchConfig,
  createAwsClients,
  MAX_DATAPOINTS_PER_PAGE,
  SDK_TIMEOUTS,
  socketTimeoutForPage,
} from '@headroom/core';

/** The options a client's NodeHttpHandler was built with. */
async function handlerConfig(client: { config: { requestHandler: unknown } }) {
  const handler = client.config.requestHandler as { configProvider: Promise<Record<string, unknown>> };
  return handler.configProvider;
}

describe('socket timeouts', () => {
  it('size GetMetricData to its largest page: the 5 s base plus 0.15 ms a datapoint', () => {
    expect(MAX_DATAPOINTS_PER_PAGE).toBe(100_800);
    expect(socketTimeoutForPage(0)).toBe(SDK_TIMEOUTS.socketTimeout);
    expect(socketTimeoutForPage(MAX_DATAPOINTS_PER_PAGE)).toBe(20_120);
    expect(cloudWatchConfig().requestHandler.socketTimeout).toBe(20_120);
    expect(clientConfig().requestHandler.socketTimeout).toBe(5_000);
  });

  it('are what the clients are built with: CloudWatch sized, everything else 5 s', async () => {
    const clients = createAwsClients({ region: 'eu-west-1' });
    expect(await handlerConfig(clients.cloudWatch)).toMatchObject({
      socketTimeout: 20_120,
      connectionTimeout: 3_000,
    });
    expect(await handlerConfig(clients.cloudFrontMetrics)).toMatchObject({ socketTimeout: 20_120 });
    expect(await clients.cloudFrontMetrics.config.region()).toBe('us-east-1');
    expect(await handlerConfig(clients.dynamo)).toMatchObject({ socketTimeout: 5_000 });
    expect(await handlerConfig(clients.autoScaling)).toMatchObject({ socketTimeout: 5_000 });
  });
});
