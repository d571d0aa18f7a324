/** `headroom cost` end to end, through the real command line. */
import { describe, expect, test } from '@jest/globals';
import { runCli } from '../cli/runCli.js';

describe('headroom cost', () => {
  test('prints the monthly bill for 100 services on a one-minute schedule: $9.68', async () => {
    const r = await runCli(['cost', '--services', '100', '--schedule', 'rate(1 minute)']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Total\s+\$9\.68\n$/);
  });

  test('a bad schedule exits 2 naming the option', async () => {
    const r = await runCli(['cost', '--schedule', 'hourly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--schedule must be 'rate(N minutes)', 'rate(N hours)' or a number of minutes, got 'hourly'",
    );
  });
});
