/** Colour only for a person at a terminal: never in a pipe or a file, never when NO_COLOR is set. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { paint, styleFor } from '@headroom/lab/cli/colour';
import type { CheckResult } from '@headroom/lab/operate/doctor';
import { formatChecks } from '@headroom/lab/cli/commands/doctor';
import type { CliIo } from '@headroom/lab/cli/commands/command';
import { runCli } from '@headroom/lab/cli/run';

const ESC = '\u001b[';
const saved = process.env['NO_COLOR'];
afterEach(() => {
  if (saved === undefined) delete process.env['NO_COLOR'];
  else process.env['NO_COLOR'] = saved;
});

describe('styleFor', () => {
  it('colours a terminal, not a pipe or a file', () => {
    expect(styleFor({ isTTY: true }, {})).toBe('ansi');
    expect(styleFor({ isTTY: false }, {})).toBe('plain');
    expect(styleFor({}, {})).toBe('plain');
  });

  it('honours NO_COLOR set to anything but empty, and a dumb terminal', () => {
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toBe('plain');
    expect(styleFor({ isTTY: true }, { NO_COLOR: 'false' })).toBe('plain');
    expect(styleFor({ isTTY: true }, { NO_COLOR: '' })).toBe('ansi');
    expect(styleFor({ isTTY: true }, { TERM: 'dumb' })).toBe('plain');
  });

  it('reads NO_COLOR from the environment by default', () => {
    process.env['NO_COLOR'] = '1';
    expect(styleFor({ isTTY: true })).toBe('plain');
    delete process.env['NO_COLOR'];
    expect(styleFor({ isTTY: true })).toBe('ansi');
  });
});

describe('paint', () => {
  it('wraps text in SGR codes that switch only that attribute off again', () => {
    expect(paint('ansi', 'red', 'FAIL')).toBe(`${ESC}31mFAIL${ESC}39m`);
    expect(paint('ansi', 'bold', 'SERVICE')).toBe(`${ESC}1mSERVICE${ESC}22m`);
    expect(paint('plain', 'red', 'FAIL')).toBe('FAIL');
  });
});

describe('doctor output', () => {
  const results: CheckResult[] = [
    { check: 'stack', status: 'pass', detail: 'ok' },
    { check: 'slack', status: 'fail', detail: 'HTTP 404', fix: 'new webhook' },
  ];
  it('is green and red on a terminal, and the same words without codes in a pipe', () => {
    const coloured = formatChecks(results, 'ansi');
    expect(coloured).toContain(`${ESC}32mPASS${ESC}39m  stack`);
    expect(coloured).toContain(`${ESC}31mFAIL${ESC}39m  slack`);
    const plain = formatChecks(results, 'plain');
    expect(plain).not.toContain(ESC);
    expect(coloured.replaceAll(new RegExp(`${ESC.replace('[', '\\[')}\\d+m`, 'g'), '')).toBe(plain);
  });
});

describe('errors', () => {
  const run = async (isTTY: boolean) => {
    let err = '';
    const io = {
      stdout: { write: () => true, isTTY },
      stderr: { write: (s: string) => ((err += s), true), isTTY },
      cwd: process.cwd(),
      now: () => 0,
    } as unknown as CliIo;
    const code = await runCli(['simulate', '--dayz'], io);
    return { code, err };
  };
  it('start with a red "headroom:" on a terminal, plain when piped or NO_COLOR is set', async () => {
    delete process.env['NO_COLOR'];
    expect((await run(true)).err.startsWith(`${ESC}31mheadroom:${ESC}39m Unknown option '--dayz'`)).toBe(
      true,
    );
    expect((await run(false)).err).toMatch(/^headroom: Unknown option '--dayz'/);
    process.env['NO_COLOR'] = '1';
    expect(await run(true)).toMatchObject({ code: 2, err: expect.stringMatching(/^headroom: Unknown/) });
  });
});
