/** Flow 4, following changes: looks again at each change in progress until it is done, then reports it. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { makeFollowDeps } from './deps.js';
import { makeChangeFollower } from './worker.js';
import { mapStackTracesWhenPrinted } from '@headroom/core';

mapStackTracesWhenPrinted();
const logger = new Logger({ serviceName: 'headroom-change-follow-up' });

export const handler = middy(makeChangeFollower(makeFollowDeps(process.env, logger))).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
