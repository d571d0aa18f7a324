/**
 * Remediation, SetDesiredCapacity: one planned fleet change, checked before it is sent to Auto
 * Scaling: the kill switch and the service's mode as they are now, the capacity the plan started from.
 */
import { parse } from '@aws-lambda-powertools/parser';
import { fleetScaleSchema, scaleStep } from '@headroom/core';
import { clock, fleetControl, killSwitch, step } from '../remediate-shared/wiring.js';

const ports = { fleet: fleetControl(), killSwitch: killSwitch() };

export const handler = step('SetDesiredCapacity', async (input: unknown) =>
  scaleStep(parse(input, undefined, fleetScaleSchema), ports, clock.now()),
);
