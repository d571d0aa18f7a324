/** Flow 4, the change worker: applies replica and cache changes from the FIFO change queue. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { makeApplyDeps } from './deps.js';
import { makeChangeApplier } from './worker.js';
import { mapStackTracesWhenPrinted } from '@headroom/core';

mapStackTracesWhenPrinted();
const logger = new Logger({ serviceName: 'headroom-change-worker' });

export const handler = middy(makeChangeApplier(makeApplyDeps(process.env, logger))).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
