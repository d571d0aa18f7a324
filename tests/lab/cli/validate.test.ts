import { describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServicesJson, checkTags } from '@headroom/lab/cli/configProblems';
import { readServiceFile } from '@headroom/lab/cli/serviceFile';
import { runCli } from './runCli.js';

jest.setTimeout(120_000);
const dir = mkdtempSync(join(tmpdir(), 'headroom-validate-'));
const BAD = [
  { autoScalingGroup: 'web', max: 'abc', mode: 'auto', min: 5, typo: 1 },
  { autoScalingGroup: 'api', min: 30, max: 20, targetGroup: 'tg' },
  { mode: 'apply' },
  { autoScalingGroup: 'web' },
];

describe('checkServicesJson', () => {
  it('names every problem: each bad key, each rule across keys, a missing group, a repeated id', () => {
    expect(checkServicesJson(JSON.stringify(BAD)).problems).toEqual([
      'services[0]: max "abc" is not a positive integer',
      'services[0]: mode "auto" is not one of advise, apply, off',
      'services[0]: typo "1" is not a known key',
      'services[1]: min "30" is greater than max (20)',
      'services[1]: targetGroup "tg" is set without loadBalancer',
      'services[2]: autoScalingGroup "" is missing or empty',
      'services[0], services[3]: service id "web" is used more than once',
    ]);
  });

  it('reads a good file into services, and min with a larger max is fine', () => {
    const checked = checkServicesJson(JSON.stringify([{ autoScalingGroup: 'web', min: 15, max: 20 }]));
    expect(checked.problems).toEqual([]);
    expect(checked.services[0]!.capacity).toMatchObject({ min: 15, max: 20 });
  });

  it('checks tags the same way, spelled as tags', () => {
    expect(checkTags({ 'headroom:mode': 'on', 'headroom:min': '-1', Name: 'web' }, 'web').problems).toEqual([
      'asg "web": headroom:mode "on" is not one of advise, apply, off',
      'asg "web": headroom:min "-1" is not a non-negative integer',
    ]);
  });
});

describe('service files for a replay', () => {
  it('reads describe-tags output and picks a service of a ServicesJson file by id', () => {
    const tags = join(dir, 'tags.json');
    writeFileSync(
      tags,
      JSON.stringify({
        Tags: [
          { ResourceId: 'web-asg', Key: 'headroom:managed', Value: 'true' },
          { ResourceId: 'web-asg', Key: 'headroom:max', Value: '40' },
        ],
      }),
    );
    expect(readServiceFile(tags, undefined)).toMatchObject({ id: 'web-asg', capacity: { max: 40 } });
    const many = join(dir, 'many.json');
    writeFileSync(many, JSON.stringify([{ autoScalingGroup: 'a' }, { autoScalingGroup: 'b', max: 7 }]));
    expect(readServiceFile(many, 'b').capacity.max).toBe(7);
    expect(() => readServiceFile(many, undefined)).toThrow(
      'the file has 2 services (a, b); choose one with --service-id',
    );
  });
});

describe('headroom validate', () => {
  it('exits 1 naming each problem of a bad ServicesJson', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(BAD));
    const r = await runCli(['validate', '--services', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(`^${file}: 7 problems\\n  services\\[0\\]: max "abc" is not a positive integer\\n`),
    );
  });

  it('has --help, as every command does', async () => {
    for (const command of ['validate', 'calibrate']) {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: headroom ${command} `));
    }
  });
});
