import { generateWorkload } from './workloads/generator.js';
import { replay } from './world/replay.js';
import { BENCH_SERVICE } from './bench/benchSetup.js';
import { headroomAt, HEADROOM_SETTINGS } from './bench/benchPolicies.js';
import { SIMULATION_START } from './cli/scenario.js';
import { profileNamed, shapeOf } from './world/profiles.js';
import { scaleToPeak } from './workloads/traceReader.js';
const profile = profileNamed(process.argv[2] ?? 'fast-api');
const raw = generateWorkload({ seed: 1, startAt: SIMULATION_START, days: 30 });
const { load } = scaleToPeak(raw, { peakInstances: 20, muPerInstance: shapeOf(profile), sloP99Ms: 500 });
for (const cost of HEADROOM_SETTINGS) {
  const policy = headroomAt(cost)({ service: BENCH_SERVICE, demand: [], startAt: SIMULATION_START });
  const run = await replay({ traceName: 'g', load, startAt: SIMULATION_START, service: BENCH_SERVICE, policy, muPerInstance: 10, profile });
  console.log(profile.name, `slow-minute=$${cost}`, run.summary.sloViolationMinutes, run.summary.instanceHours.toFixed(1), run.summary.scalingActions);
}
