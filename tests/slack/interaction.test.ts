import { describe, expect, it } from '@jest/globals';
import { SlackRequestError, parseSlackRequest } from '@headroom/core';
import { clickPayload } from './fixtures.js';

const FORM = 'application/x-www-form-urlencoded';
const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

function errorOf(run: () => unknown): SlackRequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof SlackRequestError) return error;
    throw error;
  }
  throw new Error('expected a SlackRequestError');
}

describe('parseSlackRequest', () => {
  it('reads a button click from the form-encoded payload', () => {
    expect(parseSlackRequest(form(clickPayload()), `${FORM}; charset=utf-8`)).toEqual({
      kind: 'button-click',
      userId: 'U024BE7LH',
      actionId: 'headroom.approve',
      value: 'apr-1',
      responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
      messageBlocks: [{ type: 'section' }],
    });
  });

  it('answers url_verification and ssl_check', () => {
    expect(
      parseSlackRequest('{"type":"url_verification","challenge":"3eZbrw1a"}', 'application/json'),
    ).toEqual({
      kind: 'url-verification',
      challenge: '3eZbrw1a',
    });
    expect(parseSlackRequest('ssl_check=1&token=x', FORM)).toEqual({ kind: 'ssl-check' });
  });

  it('ignores other interaction types rather than failing them', () => {
    expect(parseSlackRequest(form({ type: 'view_submission' }), FORM)).toEqual({
      kind: 'ignored',
      payloadType: 'view_submission',
    });
  });

  it.each([
    ['a body without payload', 'foo=bar', FORM, 'form body has no "payload" field'],
    ['a payload that is not JSON', 'payload=%7Bnope', FORM, 'payload is not JSON'],
    ['a payload without type', form({ user: {} }), FORM, 'payload has no "type"'],
    ['a click without user', form(clickPayload({ user: undefined })), FORM, 'block_actions payload: user: '],
    ['a click with no action', form(clickPayload({ actions: [] })), FORM, 'no action in block_actions'],
    [
      'a click whose action has no value',
      form(clickPayload({ actions: [{ action_id: 'headroom.approve' }] })),
      FORM,
      'action "headroom.approve" carries no value',
    ],
    ['an unknown content type', 'x', 'text/plain', 'unsupported content type "text/plain"'],
    ['JSON that is not url_verification', '{"type":"event_callback"}', 'application/json', 'JSON body: '],
  ])('rejects %s, naming the problem', (_name, body, type, message) => {
    expect(errorOf(() => parseSlackRequest(body, type)).message).toContain(message);
  });
});
