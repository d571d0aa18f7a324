import { describe, expect, it } from '@jest/globals';
import {
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  noticeFor,
  readAdvisorEvent,
  slackMessageFor,
  type AdvisorEvent,
  type Block,
  type SlackMessage,
} from '@headroom/core';
import { REGION, TOKEN, approvalRequest, decision, failure, recommendation } from './fixtures.js';

const messageFor = (event: AdvisorEvent): SlackMessage =>
  slackMessageFor(noticeFor(readAdvisorEvent(event), REGION));
const textOf = (message: SlackMessage) => JSON.stringify(message.blocks);
const ofType = <T extends Block['type']>(message: SlackMessage, type: T) =>
  message.blocks.filter((b): b is Extract<Block, { type: T }> => b.type === type);

describe('slackMessageFor', () => {
  it('says what, why, the evidence, the cost, the risk and the confidence of a recommendation', () => {
    const message = messageFor(recommendation);
    expect(ofType(message, 'header')[0]?.text.text).toBe(
      ':bulb: Recommendation: Scale out web from 4 to 6 instances',
    );
    const all = textOf(message);
    expect(all).toContain('CPU 84 % is above the 70 % target');
    expect(all).toContain('cpuPct: *84.3*');
    expect(all).toContain('p99LatencyMs: *612*');
    expect(all).toContain('+$60.74/month');
    expect(all).toContain('*Risk*\\nmedium');
    expect(all).toContain('*Confidence*\\n82 %');
    expect(ofType(message, 'actions')).toEqual([]);
  });

  it('has a plain-text fallback with the same facts', () => {
    expect(messageFor(recommendation).text).toBe(
      'Recommendation: Scale out web from 4 to 6 instances. CPU 84 % is above the 70 % target; p99 latency 612 ms ' +
        'breaches the 500 ms SLO. Cost +$60.74/month. Risk medium. Confidence 82 %.',
    );
  });

  it('links to the alarm, the metrics and the Auto Scaling group in the CloudWatch console', () => {
    const context = ofType(messageFor(approvalRequest), 'context')[0];
    const links = context?.elements.map((e) => e.text).join(' ') ?? '';
    expect(links).toContain(
      `<https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#alarmsV2:alarm/headroom-web-p99|Alarm>`,
    );
    expect(links).toContain(`#metricsV2:graph=~();search=web-asg|Metrics>`);
    expect(links).toContain(
      `ec2/home?region=${REGION}#AutoScalingGroupDetails:id=web-asg;view=details|Auto Scaling group>`,
    );
  });

  it('gives approval requests Approve and Reject buttons that carry the approval id, never the task token', () => {
    const message = messageFor(approvalRequest);
    const [actions] = ofType(message, 'actions');
    expect(actions?.block_id).toBe('headroom-approval:apr-0123456789abcdef');
    expect(actions?.elements.map((b) => [b.action_id, b.value, b.style])).toEqual([
      [APPROVE_ACTION_ID, 'apr-0123456789abcdef', 'primary'],
      [REJECT_ACTION_ID, 'apr-0123456789abcdef', 'danger'],
    ]);
    expect(JSON.stringify(message)).not.toContain(TOKEN.slice(0, 30));
    expect(message.text).toMatch(/^Approval needed: add a read replica to db-main\./);
  });

  it('shows the error of a failed action', () => {
    const message = messageFor(failure);
    expect(ofType(message, 'header')[0]?.text.text).toBe(':x: Failed: Scale out web from 4 to 6 instances');
    expect(textOf(message)).toContain('ScalingRefusedError: activity in progress');
    expect(message.text).toContain('Error: ScalingRefusedError: activity in progress.');
  });

  it("escapes Slack's control characters and keeps within Block Kit's limits", () => {
    const long = `<!channel> & ${'x'.repeat(5000)}`;
    const message = messageFor({
      ...recommendation,
      serviceId: 'w'.repeat(300),
      detail: { decision: { ...decision, serviceId: 'w'.repeat(300), reason: long } },
    });
    const all = textOf(message);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt; &amp;');
    expect(ofType(message, 'header')[0]?.text.text.length).toBeLessThanOrEqual(150);
    for (const section of ofType(message, 'section')) {
      expect(section.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      for (const field of section.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('says a decision the guardrails blocked is blocked, and by which', () => {
    const blocked = {
      ...recommendation,
      detail: { decision, outcome: 'blocked', guardrails: ['cooldown', 'daily-budget'] },
    };
    const message = messageFor(blocked);
    expect(ofType(message, 'header')[0]?.text.text).toBe(
      ':no_entry_sign: Blocked: Scale out web from 4 to 6 instances',
    );
    expect(textOf(message)).toContain('*Guardrails*\\ncooldown, daily-budget');
  });

  it.each([
    [-42.5, '-$42.50/month (saves)'],
    [0, '$0.00/month'],
    [1234.567, '+$1,234.57/month'],
  ])('writes a monthly cost delta of %p as %p', (delta, text) => {
    const message = messageFor({
      ...recommendation,
      detail: { decision: { ...decision, monthlyCostDeltaUsd: delta } },
    });
    expect(message.text).toContain(`Cost ${text}.`);
  });
});
