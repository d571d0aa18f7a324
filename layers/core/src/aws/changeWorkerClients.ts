/**
 * SDK clients of the change worker and the invalidate function, one factory each: a function bundles
 * only the clients it builds.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, type ClientOptions } from './clients.js';

/** CloudFront's API is answered in us-east-1 whatever the region of the stack. */
export const CLOUDFRONT_API_REGION = 'us-east-1';

export const createRdsClient = (options: ClientOptions = {}) => new RDSClient(clientConfig(options));
export const createElastiCacheClient = (options: ClientOptions = {}) =>
  new ElastiCacheClient(clientConfig(options));
export const createSqsClient = (options: ClientOptions = {}) => new SQSClient(clientConfig(options));
export const createCloudFrontClient = () =>
  new CloudFrontClient(clientConfig({ region: CLOUDFRONT_API_REGION }));
