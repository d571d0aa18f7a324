/** The sample events in events/ (used by `sam local invoke -e`) stay readable by the code. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  advisorEventFromBus,
  noticeFor,
  parseSlackRequest,
  readAdvisorEvent,
  slackMessageFor,
  verifySlackSignature,
} from '@headroom/core';

const events = resolve(import.meta.dirname, '../../events');
const read = (folder: string) =>
  readdirSync(resolve(events, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(resolve(events, folder, f), 'utf8'))] as const);

describe('events/notifier', () => {
  it.each(read('notifier'))('%s renders a Slack message', (_file, event) => {
    const typed = readAdvisorEvent(advisorEventFromBus(event['detail-type'], event.detail));
    const message = slackMessageFor(noticeFor(typed, event.region));
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.blocks[0]?.type).toBe('header');
  });
});

describe('events/interactions', () => {
  const signedAt = 1_795_557_600_000;
  it.each(read('interactions'))(
    '%s is signed with "example-signing-secret", and stale five minutes later',
    (_f, event) => {
      const rawBody = Buffer.from(event.body, 'base64').toString('utf8');
      const signed = {
        timestamp: event.headers['x-slack-request-timestamp'],
        signature: event.headers['x-slack-signature'],
        rawBody,
      };
      expect(verifySlackSignature(signed, 'example-signing-secret', signedAt)).toEqual({ valid: true });
      expect(verifySlackSignature(signed, 'example-signing-secret', signedAt + 301_000)).toEqual({
        valid: false,
        reason: 'stale-timestamp',
      });
      expect(parseSlackRequest(rawBody, event.headers['content-type']).kind).toMatch(
        /button-click|url-verification/,
      );
    },
  );
});
