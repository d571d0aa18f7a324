import { describe, expect, it } from '@jest/globals';
import { slackSignature, verifySlackSignature } from '@headroom/core';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_700_000_000_000;
const ts = String(now / 1000);
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const signed = { timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: body };

describe('verifySlackSignature', () => {
  it("matches Slack's documented example signature", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const exampleBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, '1531420618', exampleBody)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('accepts a correctly signed, fresh request', () => {
    expect(verifySlackSignature(signed, secret, now)).toEqual({ valid: true });
  });

  it.each([
    [
      'a forged signature',
      { ...signed, signature: slackSignature('not-the-secret', ts, body) },
      'bad-signature',
    ],
    ['a tampered body', { ...signed, rawBody: `${body}x` }, 'bad-signature'],
    ['a truncated signature', { ...signed, signature: signed.signature.slice(0, 20) }, 'bad-signature'],
    ['a v1 signature', { ...signed, signature: signed.signature.replace('v0=', 'v1=') }, 'bad-signature'],
    ['no signature header', { ...signed, signature: undefined }, 'missing-headers'],
    ['no timestamp header', { ...signed, timestamp: undefined }, 'missing-headers'],
    ['a non-numeric timestamp', { ...signed, timestamp: '17e8' }, 'bad-timestamp'],
  ])('rejects %s', (_name, request, reason) => {
    expect(verifySlackSignature(request, secret, now)).toEqual({ valid: false, reason });
  });

  it('rejects a request replayed more than five minutes later, even with its valid signature', () => {
    expect(verifySlackSignature(signed, secret, now + 5 * 60_000)).toEqual({ valid: true });
    expect(verifySlackSignature(signed, secret, now + 5 * 60_000 + 1_000)).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    const future = String(now / 1000 + 301);
    const request = { timestamp: future, signature: slackSignature(secret, future, body), rawBody: body };
    expect(verifySlackSignature(request, secret, now)).toEqual({ valid: false, reason: 'stale-timestamp' });
  });
});
