/**
 * Interactions: Slack's interactivity request URL (a Lambda Function URL, auth NONE: Slack signs
 * every request instead). Nothing is read from the body before the signature is verified, and
 * nothing is executed for a request that is stale, forged, unreadable or from someone not allowed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import {
  DynamoApprovals,
  SLACK_RESPONSE_URL_PREFIX,
  SlackRequestError,
  StepFunctionsTaskAnswers,
  answerClick,
  isSlackResponseUrl,
  parseAllowedUsers,
  parseSlackRequest,
  postResponse,
  replyTo,
  verifySlackSignature,
  type SlackRequest,
  mapStackTracesWhenPrinted,
} from '@headroom/core';

mapStackTracesWhenPrinted();
const logger = new Logger({ serviceName: 'headroom-interactions' });
const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
const env = {
  signingSecretArn: required('SLACK_SIGNING_SECRET_ARN'),
  tableName: required('STATE_TABLE'),
  allowedUsers: parseAllowedUsers(process.env.ALLOWED_SLACK_USER_IDS),
  /** GovSlack posts from hooks.slack-gov.com; tests from 127.0.0.1. */
  responseUrlPrefix: process.env.SLACK_RESPONSE_URL_PREFIX || SLACK_RESPONSE_URL_PREFIX,
};
const SECRET_MAX_AGE_SECONDS = 300;
/**
 * Slack gives up after 3 s. Worst case: the claim (2 × 400 ms), the Step Functions call (1.2 s) and
 * the redraw (0.6 s) still leave room for a cold secret read; a typical click takes tens of ms.
 */
const DYNAMO_REQUEST_TIMEOUT_MS = 400;
const SFN_TIMEOUT_MS = 1_200;
const REDRAW_TIMEOUT_MS = 600;

const approvals = new DynamoApprovals(
  new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { requestTimeout: DYNAMO_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  }),
  { tableName: env.tableName },
);
const tasks = new StepFunctionsTaskAnswers(new SFNClient({ maxAttempts: 2 }), { timeoutMs: SFN_TIMEOUT_MS });

const respond = (statusCode: number, body: unknown = ''): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function headerOf(event: LambdaFunctionURLEvent, name: string): string | undefined {
  // Function URLs lower-case header names; a direct invoke may not.
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

async function signingSecret(): Promise<string> {
  const secret = await getSecret(env.signingSecretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof secret !== 'string' || secret.trim() === '')
    throw new Error('Slack signing secret has no SecretString');
  return secret.trim();
}

async function answer(
  request: Extract<SlackRequest, { kind: 'button-click' }>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const outcome = await answerClick(request, {
    store: approvals,
    tasks,
    allowedUsers: env.allowedUsers,
    now: Date.now(),
  });
  logger.info('approval click', {
    outcome: outcome.kind,
    userId: request.userId,
    actionId: request.actionId,
  });
  const reply = replyTo(outcome, request.messageBlocks);
  if (reply.status === 200 && request.responseUrl) {
    if (isSlackResponseUrl(request.responseUrl, env.responseUrlPrefix)) {
      const redraw = await postResponse(request.responseUrl, reply.message, REDRAW_TIMEOUT_MS);
      if (!redraw.ok) logger.warn('could not redraw the Slack message', { why: redraw.why });
    } else {
      logger.warn('response_url is not a Slack URL; message not redrawn');
    }
  }
  return respond(reply.status, reply.message);
}

export async function interact(event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.requestContext?.http?.method !== 'POST') return respond(405, 'POST only');
  const rawBody =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const check = verifySlackSignature(
    {
      timestamp: headerOf(event, 'x-slack-request-timestamp'),
      signature: headerOf(event, 'x-slack-signature'),
      rawBody,
    },
    await signingSecret(),
    Date.now(),
  );
  if (!check.valid) {
    logger.warn('rejected Slack request', {
      reason: check.reason,
      sourceIp: event.requestContext.http.sourceIp,
    });
    return respond(401, `rejected: ${check.reason}`);
  }
  let request: SlackRequest;
  try {
    request = parseSlackRequest(rawBody, headerOf(event, 'content-type'));
  } catch (error) {
    if (!(error instanceof SlackRequestError)) throw error;
    logger.warn('unreadable Slack request', { problem: error.message });
    return respond(400, error.message);
  }
  switch (request.kind) {
    case 'url-verification':
      return respond(200, { challenge: request.challenge });
    case 'ssl-check':
      return respond(200);
    case 'ignored':
      logger.info('ignored Slack payload', { payloadType: request.payloadType });
      return respond(200);
    case 'button-click':
      return answer(request);
  }
}

/** An unexpected failure is logged by name and answered 500: Slack shows the clicker an error. */
async function interactOrLog(event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return await interact(event);
  } catch (error) {
    logger.error('interaction failed', error instanceof Error ? error : String(error));
    return respond(500, 'internal error');
  }
}

export const handler = middy(interactOrLog).use(injectLambdaContext(logger, { resetKeys: true }));
