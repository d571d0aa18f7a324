/** Remediation, SetDesiredCapacity: one planned fleet change, checked before it is sent to Auto Scaling. */
import { parse } from '@aws-lambda-powertools/parser';
import { fleetScaleSchema, scaleStep } from '@headroom/core';
import { clock, fleetControl, step } from '../remediate-shared/wiring.js';

const fleet = fleetControl();

export const handler = step('SetDesiredCapacity', async (input: unknown) =>
  scaleStep(parse(input, undefined, fleetScaleSchema), fleet, clock.now()),
);
