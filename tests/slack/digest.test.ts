/**
 * Routine advice in digests (slack/digest.ts): a first advise-mode run over 10,000 services is a
 * bounded number of posts, each inside Slack's limits, and no event is left out of them.
 */
import { describe, expect, it } from '@jest/globals';
import {
  DIGEST_LINES_PER_POST,
  DIGEST_RATE,
  SLACK_CHANNEL_RATE,
  digestPosts,
  noticeFor,
  readAdvisorEvent,
  type AdvisorEvent,
  type DigestItem,
} from '@headroom/core';
import { REGION, decision, recommendation } from './fixtures.js';

const LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, messageText: 40_000 };

function firstRun(services: number): DigestItem[] {
  return Array.from({ length: services }, (_, i) => {
    const serviceId = `svc-${String(i).padStart(5, '0')}`;
    const event: AdvisorEvent = {
      ...recommendation,
      serviceId,
      detail: {
        ...recommendation.detail,
        decision: { ...decision, serviceId },
        autoScalingGroupName: serviceId,
      },
    };
    return { id: `m-${i}`, notice: noticeFor(readAdvisorEvent(event), REGION) };
  });
}

describe('digests of routine advice', () => {
  it('a first run over 10,000 services is 100 posts, every service in exactly one', () => {
    const posts = digestPosts(firstRun(10_000));
    expect(posts).toHaveLength(10_000 / DIGEST_LINES_PER_POST);
    const ids = posts.flatMap((p) => p.ids);
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    for (const [i, post] of posts.entries()) {
      const { blocks } = post.message;
      expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
      const text = JSON.stringify(blocks);
      expect(text.length).toBeLessThan(LIMITS.messageText);
      // Each of its services is named in it.
      for (const id of post.ids) expect(text).toContain(`svc-${id.slice(2).padStart(5, '0')}`);
      expect(JSON.stringify(blocks[0])).toContain(`(${i + 1} of 100)`);
      for (const block of blocks.slice(1)) {
        expect(block.type).toBe('section');
        expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(
          LIMITS.sectionText,
        );
      }
    }
    // At the digests' pace, the 100 posts take 200 s, under half of what Slack allows the channel.
    expect(posts.length / DIGEST_RATE.perSecond).toBe(200);
    expect(DIGEST_RATE.perSecond).toBeLessThanOrEqual(SLACK_CHANNEL_RATE.perSecond / 2);
  });

  it('says what each post holds, and one post is enough for a few', () => {
    const [only, ...rest] = digestPosts(firstRun(3));
    expect(rest).toEqual([]);
    expect(only?.message.text).toBe('Headroom digest: 3 recommendation.');
    expect(JSON.stringify(only?.message.blocks)).toContain('svc-00002');
    expect(digestPosts([])).toEqual([]);
    expect(() => digestPosts(firstRun(1), 0)).toThrow(/linesPerPost must be a whole number ≥ 1, got 0/);
  });
});
