import { describe, expect, it } from '@jest/globals';
import { UsageError, oneOf, parseCommandArgs, wholeNumber } from '@headroom/lab/cli/args';

describe('parseCommandArgs', () => {
  const spec = { days: { type: 'string' }, compare: { type: 'boolean' } } as const;

  it('reads declared options and --help', () => {
    expect(parseCommandArgs('simulate', ['--days', '3', '--compare', '-h'], spec).values).toEqual({
      days: '3',
      compare: true,
      help: true,
    });
  });

  it.each([
    [['--nope'], "Unknown option '--nope'"],
    [['stray'], "Unexpected argument 'stray'. This command does not take positional arguments"],
    [['--compare=yes'], "Option '--compare' does not take an argument"],
    [
      ['--days', '--compare'],
      "Option '--days' argument is ambiguous. Did you forget to specify the option argument for '--days'?",
    ],
  ])('turns %j into a one-line UsageError for the command', (argv, message) => {
    let caught: unknown;
    try {
      parseCommandArgs('simulate', argv, spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toBe(message);
    expect((caught as UsageError).command).toBe('simulate');
  });
});

describe('wholeNumber and oneOf', () => {
  it('uses the fallback when the option is absent and parses whole numbers', () => {
    expect(wholeNumber('simulate', 'days', undefined, 30)).toBe(30);
    expect(wholeNumber('simulate', 'days', '7', 30)).toBe(7);
    expect(wholeNumber('simulate', 'seed', '0', 1, 0)).toBe(0);
  });

  it.each(['1.5', '', 'ten', '1e3', '-2', '99999999999999999999'])('refuses %j for --days', (raw) => {
    expect(() => wholeNumber('simulate', 'days', raw, 30)).toThrow(
      `--days must be a whole number of at least 1, got '${raw}'`,
    );
  });

  it('accepts only the listed names', () => {
    expect(oneOf('backtest', 'format', 'csv', ['auto', 'csv'] as const, 'auto')).toBe('csv');
    expect(oneOf('backtest', 'format', undefined, ['auto', 'csv'] as const, 'auto')).toBe('auto');
    expect(() => oneOf('backtest', 'format', 'CSV', ['auto', 'csv'] as const, 'auto')).toThrow(
      "--format must be one of auto, csv, got 'CSV'",
    );
  });
});
