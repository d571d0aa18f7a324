/** SlackWebhook against a real HTTP server on 127.0.0.1 standing in for Slack. */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  SlackPostError,
  SlackWebhook,
  noticeFor,
  postResponse,
  readAdvisorEvent,
  slackMessageFor,
  type SlackWebhookOptions,
} from '@headroom/core';
import { REGION, recommendation, startFakeSlack, type Answer, type FakeSlack } from './fixtures.js';

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

/** A virtual clock: sleeping advances it instantly, so no test waits on real time. */
function virtualTime(start = 1_000_000) {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    options: {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
      random: () => 0.5,
    } satisfies SlackWebhookOptions,
    deadline: (ms: number) => now + ms,
  };
}

async function serve(...answers: Answer[]) {
  slack = await startFakeSlack((_request, i) => answers[Math.min(i, answers.length - 1)] ?? { status: 200 });
  return slack;
}

async function rejection(promise: Promise<unknown>): Promise<SlackPostError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SlackPostError) return error;
    throw error;
  }
  throw new Error('expected a SlackPostError');
}

const message = slackMessageFor(noticeFor(readAdvisorEvent(recommendation), REGION));

describe('SlackWebhook.post', () => {
  it('posts the Block Kit message as JSON to the webhook path', async () => {
    const server = await serve({ status: 200, body: 'ok' });
    const time = virtualTime();
    const result = await new SlackWebhook(time.options).post(
      server.url,
      '#ops',
      message,
      time.deadline(10_000),
    );
    expect(result).toEqual({ attempts: 1, waitedMs: 0 });
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/services/T0000/B0000/s3cr3tW3bh00kP4th');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toEqual(message);
    expect(body.text).toMatch(/^Recommendation: Scale out web/);
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
    ]);
  });

  it("on 429 waits exactly Slack's Retry-After, then succeeds", async () => {
    const server = await serve(
      { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' },
      { status: 200 },
    );
    const time = virtualTime();
    const result = await new SlackWebhook(time.options).post(
      server.url,
      '#ops',
      message,
      time.deadline(30_000),
    );
    expect(result.attempts).toBe(2);
    // 2000 ms Retry-After, then the 1 ms the per-channel bucket still wants (virtual time did not move otherwise).
    expect(time.slept[0]).toBe(2_000);
    expect(server.received).toHaveLength(2);
  });

  it('retries 500s with backoff and gives up after the policy, with no URL in the error', async () => {
    const server = await serve({ status: 500 });
    const time = virtualTime();
    const error = await rejection(
      new SlackWebhook(time.options).post(server.url, '#ops', message, time.deadline(60_000)),
    );
    expect(error.message).toBe('Slack webhook post failed: HTTP 500 after 4 attempts');
    expect(error.attempts).toBe(4);
    expect(server.received).toHaveLength(4);
    expect(error.message).not.toContain('s3cr3t');
    expect(error.stack).not.toContain('s3cr3t');
  });

  it('recovers from a 503 followed by success', async () => {
    const server = await serve({ status: 503 }, { status: 200 });
    const time = virtualTime();
    const result = await new SlackWebhook(time.options).post(
      server.url,
      '#ops',
      message,
      time.deadline(60_000),
    );
    expect(result.attempts).toBe(2);
  });

  it("does not retry a 400 and reports Slack's error code", async () => {
    const server = await serve({ status: 400, body: 'invalid_blocks' });
    const time = virtualTime();
    const error = await rejection(
      new SlackWebhook(time.options).post(server.url, '#ops', message, time.deadline(60_000)),
    );
    expect(error.message).toBe('Slack webhook post failed: HTTP 400 invalid_blocks is not retryable');
    expect(server.received).toHaveLength(1);
  });

  it('bounds a server that never answers with the per-attempt timeout', async () => {
    const server = await serve('hang');
    const time = virtualTime();
    const webhook = new SlackWebhook({
      ...time.options,
      attemptTimeoutMs: 150,
      policy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10 },
    });
    const error = await rejection(webhook.post(server.url, '#ops', message, time.deadline(60_000)));
    expect(error.message).toBe('Slack webhook post failed: timeout after 2 attempts');
    expect(server.received).toHaveLength(2);
  });

  it('gives up on a refused connection without repeating the URL', async () => {
    const server = await serve({ status: 200 });
    const url = server.url;
    await server.close();
    slack = undefined;
    const time = virtualTime();
    const error = await rejection(
      new SlackWebhook({
        ...time.options,
        policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      }).post(url, '#ops', message, time.deadline(5_000)),
    );
    expect(error.message).toBe('Slack webhook post failed: network error ECONNREFUSED after 1 attempts');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('spaces messages to one channel one second apart, and leaves other channels alone', async () => {
    const server = await serve({ status: 200 });
    const time = virtualTime();
    const webhook = new SlackWebhook(time.options);
    for (const channel of ['#ops', '#ops', '#ops', '#db']) {
      await webhook.post(server.url, channel, message, time.deadline(60_000));
    }
    expect(time.slept).toEqual([1_000, 1_000]);
    expect(server.received).toHaveLength(4);
  });
});

describe('postResponse', () => {
  it('posts the redraw once and reports a failure instead of throwing', async () => {
    const server = await serve({ status: 200 }, { status: 404, body: 'expired_url' });
    expect(await postResponse(server.url, { replace_original: true, text: 'x' }, 1_000)).toEqual({
      ok: true,
    });
    expect(await postResponse(server.url, { replace_original: true, text: 'x' }, 1_000)).toEqual({
      ok: false,
      why: 'HTTP 404',
    });
    expect(JSON.parse(server.received[0]?.body ?? '{}')).toEqual({ replace_original: true, text: 'x' });
  });

  it('gives up on a hanging server after its timeout', async () => {
    const server = await serve('hang');
    expect(await postResponse(server.url, {}, 100)).toEqual({ ok: false, why: 'timeout' });
  });
});
