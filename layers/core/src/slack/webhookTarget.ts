/**
 * Where Slack messages go. The webhook secret holds either the bare URL or
 * `{"url": "...", "channel": "#ops"}`; the channel names the rate-limit bucket (an incoming
 * webhook posts to one channel). Errors here never repeat the secret's text.
 */

export interface WebhookTarget {
  url: string;
  channel: string;
}

export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https only, except on loopback, where tests stand in for Slack. */
export function isPostableUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

export function parseWebhookSecret(secret: string): WebhookTarget {
  const text = secret.trim();
  let url: unknown = text;
  let channel: unknown = 'webhook';
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WebhookSecretError('Slack webhook secret starts with "{" but is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null)
      throw new WebhookSecretError('Slack webhook secret: not an object');
    url = 'url' in parsed ? parsed.url : undefined;
    if ('channel' in parsed) channel = parsed.channel;
  }
  if (typeof url !== 'string' || !isPostableUrl(url)) {
    throw new WebhookSecretError('Slack webhook secret: "url" is missing or not an https URL');
  }
  if (typeof channel !== 'string' || channel === '') {
    throw new WebhookSecretError('Slack webhook secret: "channel" must be a non-empty string');
  }
  return { url, channel };
}

/**
 * A click's `response_url` is where the clicked message is redrawn. Only Slack's own hooks
 * host is trusted: the URL arrives in the request, and this function must not become a way to
 * make Headroom post anywhere.
 */
export function isSlackResponseUrl(text: string, allowedPrefix: string): boolean {
  return isPostableUrl(text) && text.startsWith(allowedPrefix);
}

export const SLACK_RESPONSE_URL_PREFIX = 'https://hooks.slack.com/';
