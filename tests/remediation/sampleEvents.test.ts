/** Every sample event of the remediation functions, as `sam local invoke -e` would send it, read by the code that reads it. */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import {
  AlarmEventError,
  followUpSchema,
  loadContext,
  readAlarmEvent,
  resourceChangeSchema,
  UnknownAlarmError,
} from '@headroom/core';
import { aService, FLEET, HEALTHY, NOW } from './fixtures.js';
import { FakeFleet, FakeMetrics, FakeStore } from './fakes.js';

const dir = (name: string) => resolve(import.meta.dirname, '../../events', name);
const samples = (name: string) =>
  readdirSync(dir(name))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(resolve(dir(name), f), 'utf8'))] as const);

describe('sample events', () => {
  it('the state machine input is an alarm state change into ALARM', () => {
    for (const [, event] of samples('remediate')) expect(readAlarmEvent(event).name).toMatch(/^headroom-/);
  });

  it.each(samples('remediate-context'))('remediate-context/%s', async (file, payload) => {
    const service = aService();
    const ports = {
      fleet: new FakeFleet([service], FLEET),
      metrics: new FakeMetrics([HEALTHY]),
      state: new FakeStore(),
    };
    const load = loadContext(payload.event, ports, { alarmPrefix: 'headroom-', now: NOW });
    if (file.startsWith('unknown')) await expect(load).rejects.toThrow(UnknownAlarmError);
    else if (file.startsWith('malformed')) await expect(load).rejects.toThrow(AlarmEventError);
    else expect((await load).service.id).toBe('orders');
  });

  it.each([
    ['change-worker', resourceChangeSchema],
    ['change-follow-up', followUpSchema],
  ] as const)('%s: bodies match the schema unless the file says malformed', (name, schema) => {
    const files = samples(name);
    expect(files.length).toBeGreaterThan(0);
    for (const [file, event] of files) {
      for (const record of (event as SQSEvent).Records) {
        expect([file, schema.safeParse(JSON.parse(record.body)).success]).toEqual([
          file,
          !file.startsWith('malformed'),
        ]);
      }
    }
  });
});
