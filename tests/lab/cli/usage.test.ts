import { describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, runCli } from './runCli.js';

// Each test starts the CLI as a child process (tsx compiles on start), on a machine other work shares.
jest.setTimeout(180_000);

describe('headroom usage', () => {
  it('prints the commands with --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: headroom <command> [options]');
    for (const command of ['simulate', 'backtest', 'bench', 'cost'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('prints help and exits 2 when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Commands:');
  });

  it.each(['simulate', 'backtest', 'bench', 'cost'])('has --help on %s', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: headroom ${command}`);
    expect(r.stderr).toBe('');
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await runCli(['simulte']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "headroom: unknown command 'simulte'; expected one of simulate, backtest, calibrate, bench, cost, validate, status, kill-switch, decisions, explain, doctor",
    );
  });

  it('rejects an unknown option with exit 2, naming it and pointing at the help', async () => {
    const r = await runCli(['simulate', '--dayz', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("headroom: Unknown option '--dayz'");
    expect(r.stderr).toContain("See 'headroom simulate --help'.");
    expect(r.stdout).toBe('');
  });

  it.each([
    [['simulate', '--days', 'two'], "--days must be a whole number of at least 1, got 'two'"],
    [['simulate', '--days', '0'], "--days must be a whole number of at least 1, got '0'"],
    [
      ['simulate', '--policy', 'magic'],
      "--policy must be one of static-peak, static-mean, aws-target-tracking, aws-predictive, aws-combined, headroom, oracle, got 'magic'",
    ],
    [['simulate', '--days'], "Option '--days <value>' argument missing"],
    [['backtest'], 'backtest needs --trace FILE'],
    [
      ['backtest', '--trace', 'x.csv', '--format', 'xml'],
      "--format must be one of auto, csv, datacenter, cloudwatch-json, got 'xml'",
    ],
    [['backtest', '--trace', 'x.csv', '--profile', 'fast-api'], '--profile needs --frontier'],
    [
      ['backtest', '--trace', 'x.csv', '--frontier', '--profile', 'quantum'],
      "--profile must be one of fast-api, slow-api, cpu-heavy, got 'quantum'",
    ],
  ])('rejects %j with exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
  });

  it('runs through bin/headroom.mjs (npx headroom) and passes the exit code on', async () => {
    const run = promisify(execFile);
    const ok = await run('node', ['bin/headroom.mjs', 'simulate', '--help'], {
      cwd: REPO_ROOT,
      timeout: 120_000,
    });
    expect(ok.stdout).toContain('Usage: headroom simulate');
    await expect(
      run('node', ['bin/headroom.mjs', 'simulate', '--dayz'], { cwd: REPO_ROOT, timeout: 120_000 }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--dayz'"),
    });
  });
});
