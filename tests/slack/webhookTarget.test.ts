import { describe, expect, it } from '@jest/globals';
import {
  SLACK_RESPONSE_URL_PREFIX,
  WebhookSecretError,
  consoleLinks,
  isSlackResponseUrl,
  parseWebhookSecret,
} from '@headroom/core';

const URL_ = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

function errorOf(run: () => unknown): WebhookSecretError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookSecretError) return error;
    throw error;
  }
  throw new Error('expected a WebhookSecretError');
}

describe('parseWebhookSecret', () => {
  it('reads a bare URL or JSON with a channel', () => {
    expect(parseWebhookSecret(` ${URL_}\n`)).toEqual({ url: URL_, channel: 'webhook' });
    expect(parseWebhookSecret(JSON.stringify({ url: URL_, channel: '#ops' }))).toEqual({
      url: URL_,
      channel: '#ops',
    });
  });

  it.each([
    ['plain http to a remote host', 'http://hooks.slack.com/services/T/B/XXXXSECRET'],
    ['credentials in the URL', 'https://user:XXXXSECRET@hooks.slack.com/services/T/B/C'],
    ['not a URL', 'XXXXSECRET'],
    ['JSON without url', '{"channel":"#ops","token":"XXXXSECRET"}'],
    ['broken JSON', '{"url": "XXXXSECRET"'],
    ['an empty channel', JSON.stringify({ url: URL_, channel: '' })],
  ])('refuses %s without repeating the secret', (_name, secret) => {
    const error = errorOf(() => parseWebhookSecret(secret));
    expect(error.message).toMatch(/^Slack webhook secret/);
    expect(error.message).not.toContain('XXXXSECRET');
  });
});

describe('isSlackResponseUrl', () => {
  it.each([
    ['https://hooks.slack.com/actions/T0/1/abc', true],
    ['https://hooks.slack.com.evil.example/actions/T0/1/abc', false],
    ['https://evil.example/https://hooks.slack.com/', false],
    ['http://hooks.slack.com/actions/T0/1/abc', false],
    ['javascript:alert(1)', false],
  ])('%s → %p', (url, expected) => {
    expect(isSlackResponseUrl(url, SLACK_RESPONSE_URL_PREFIX)).toBe(expected);
  });
});

describe('consoleLinks', () => {
  it('encodes names into the console URLs', () => {
    expect(consoleLinks({ region: 'us-east-1', alarmName: 'headroom-web p99/5xx' })).toEqual([
      {
        label: 'Alarm',
        url: 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/headroom-web%20p99%2F5xx',
      },
    ]);
  });

  it('refuses something that is not a region', () => {
    expect(() => consoleLinks({ region: 'evil.example/x', alarmName: 'a' })).toThrow(
      'not an AWS region: "evil.example/x"',
    );
  });
});
