/** template.yaml's Parameter defaults are the product's DEFAULTS: the deployment and the replay run the same. */
import { describe, expect, it } from '@jest/globals';
import { DEFAULTS } from '@headroom/core';
import { readEvaluateConfig } from '../../functions/evaluate/config.js';
import { loadTemplate } from './template.js';

const parameters = loadTemplate().Parameters ?? {};
const defaultOf = (name: string): unknown => (parameters[name] as { Default?: unknown } | undefined)?.Default;

describe('template.yaml Parameter defaults', () => {
  it.each([
    ['Mode', DEFAULTS.mode],
    ['KillSwitch', DEFAULTS.killSwitch],
    ['EvaluateSchedule', DEFAULTS.evaluateSchedule],
    ['ForecastSchedule', DEFAULTS.forecastSchedule],
    ['DailyActionBudget', DEFAULTS.dailyActionBudget],
    ['DecisionRetentionDays', DEFAULTS.decisionRetentionDays],
  ])('%s defaults to DEFAULTS (%s)', (name, value) => {
    expect(defaultOf(name)).toEqual(value);
  });

  it('the evaluate function falls back to DEFAULTS for what its environment leaves out', () => {
    const config = readEvaluateConfig({ STATE_TABLE: 't', EVENT_BUS_NAME: 'b' });
    expect(config).toMatchObject({
      defaultMode: DEFAULTS.mode,
      killSwitchForced: false,
      dailyActionBudget: DEFAULTS.dailyActionBudget,
      decisionRetentionDays: DEFAULTS.decisionRetentionDays,
      windowMinutes: DEFAULTS.windowMinutes,
    });
  });
});
