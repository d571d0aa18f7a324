/** The cost options combine as a user reads them, and errors speak the option's words. */
import { describe, expect, it } from '@jest/globals';
import { costReport } from '@headroom/lab/bill/costCommand';

describe('headroom cost options', () => {
  it('prints the read cadence the schedule allows: an hourly schedule reads hourly', () => {
    const { text } = costReport(['--schedule', 'rate(1 hour)']);
    expect(text).toContain('evaluated every 60 min');
    expect(text).toContain('calm services 2 metrics every 60 min, hot (5 %) 2 every 60 min');
  });

  it.each([
    [['--reads', 'every-tick', '--calm-every', '10'], '--calm-every belongs to the adaptive plan'],
    [['--reads', 'every-tick', '--hot-share', '10'], '--hot-share belongs to the adaptive plan'],
    [['--hot-share', '150'], "--hot-share is a percent of the services, 0 to 100, got '150'"],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => costReport(argv)).toThrow(message);
  });

  it('combines the adaptive plan with --calm-every and --hot-share', () => {
    const { text } = costReport(['--calm-every', '20', '--hot-share', '10']);
    expect(text).toContain('calm services 2 metrics every 20 min, hot (10 %) 2 every 5 min');
  });
});
