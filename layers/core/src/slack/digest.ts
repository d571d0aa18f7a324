/**
 * Slack at fleet scale. Slack takes about one message a second per channel, so a first advise-mode
 * run over 10,000 services, one post per Recommendation, would queue for hours. Routine advice
 * (Recommendation, ActionApplied) therefore goes out as digests: up to DIGEST_LINES_PER_POST
 * services a post, one line each, about 100 posts for 10,000 services. What needs a person
 * (ApprovalRequested) and what went wrong or was remediated (ActionFailed, RemediationCompleted)
 * keep a message of their own on a path of their own (template.yaml routes the two), so they
 * never wait behind a digest, and the digests take only half of the channel's rate.
 * Unchanged advice is already held back at the source (evaluate repeats a notice only after
 * DEFAULT_REPEAT_NOTICE_MINUTES), so a digest carries what changed.
 */
import type { AdvisorEventType } from '../ports/index.js';
import { LIMITS, escapeMrkdwn, mrkdwn, plain, truncate, type Block, type SlackMessage } from './blockKit.js';
import { titleOf } from './messages.js';
import type { Notice } from './notice.js';
import type { RateLimit } from './rateLimit.js';

/** The event types that go out in digests; every other type is posted at once, one message each. */
export const DIGEST_TYPES: ReadonlySet<AdvisorEventType> = new Set(['Recommendation', 'ActionApplied']);

/** Services a digest post lists. */
export const DIGEST_LINES_PER_POST = 100;

/** Digests share the channel at half Slack's rate; the other half stays free for approvals. */
export const DIGEST_RATE: RateLimit = { perSecond: 0.5, burst: 1 };

/** A line's longest text: 100 lines stay well inside a message (Slack truncates past 40,000). */
const LINE_CHARS = 200;

export interface DigestItem {
  /** What acknowledges the item once posted (the queue message id). */
  id: string;
  notice: Notice;
}

export interface DigestPost {
  message: SlackMessage;
  /** The items it carries: posted together, acknowledged together. */
  ids: string[];
}

/**
 * The posts that carry `items`: every item in exactly one post, in order of service id within a
 * type, at most `linesPerPost` a post, each post inside Slack's block and text limits.
 */
export function digestPosts(
  items: readonly DigestItem[],
  linesPerPost = DIGEST_LINES_PER_POST,
): DigestPost[] {
  if (!Number.isInteger(linesPerPost) || linesPerPost < 1) {
    throw new RangeError(`digestPosts: linesPerPost must be a whole number ≥ 1, got ${linesPerPost}`);
  }
  const sorted = [...items].sort(
    (a, b) =>
      a.notice.type.localeCompare(b.notice.type) ||
      a.notice.serviceId.localeCompare(b.notice.serviceId) ||
      a.notice.at - b.notice.at,
  );
  const parts: DigestItem[][] = [];
  for (let i = 0; i < sorted.length; i += linesPerPost) parts.push(sorted.slice(i, i + linesPerPost));
  return parts.map((part, index) => ({
    message: digestMessage(part, index + 1, parts.length),
    ids: part.map((item) => item.id),
  }));
}

function digestMessage(part: readonly DigestItem[], index: number, of: number): SlackMessage {
  const counts = new Map<string, number>();
  for (const { notice } of part) {
    const title = titleOf(notice).title;
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  const summary = [...counts].map(([title, n]) => `${n} ${title.toLowerCase()}`).join(', ');
  const header = `:bookmark_tabs: Headroom digest: ${summary}${of > 1 ? ` (${index} of ${of})` : ''}`;
  const lines = part.map(({ notice }) => lineOf(notice));
  const blocks: Block[] = [{ type: 'header', text: plain(header, LIMITS.headerText) }];
  // Sections of whole lines, each under Slack's 3,000 characters.
  let section = '';
  for (const line of lines) {
    if (section !== '' && section.length + 1 + line.length > LIMITS.sectionText) {
      blocks.push({ type: 'section', text: mrkdwn(section) });
      section = '';
    }
    section = section === '' ? line : `${section}\n${line}`;
  }
  if (section !== '') blocks.push({ type: 'section', text: mrkdwn(section) });
  return { text: truncate(`Headroom digest: ${summary}.`, LIMITS.sectionText), blocks };
}

function lineOf(notice: Notice): string {
  const { emoji } = titleOf(notice);
  const why = notice.why ? ` (${escapeMrkdwn(notice.why)})` : '';
  return truncate(
    `${emoji} *${escapeMrkdwn(notice.serviceId)}*: ${escapeMrkdwn(notice.what)}${why}`,
    LINE_CHARS,
  );
}
