/**
 * What the remediation workflow's small Lambda steps share: configuration from the environment
 * (the evaluate flow's reader, so both flows see the same services and settings), AWS clients
 * built once per container, and middy with Powertools around each step.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  accountFromEnvironment,
  AutoScalingFleetControl,
  AutoScalingFleetDescriber,
  AutoScalingFleetReader,
  CloudWatchMetricsReader,
  createAwsClients,
  DynamoApprovalOutcomes,
  DynamoKillSwitch,
  DynamoStateStore,
  managedServices,
  resolvedFleet,
  TAG_PREFIX,
  type FleetControl,
  type ManagedService,
  type MetricsReader,
  type StateStore,
  mapStackTracesWhenPrinted,
} from '@headroom/core';
import { tierOwners } from '@headroom/core/aws/tierOwners.js';
import { readEvaluateConfig } from '../evaluate/config.js';

mapStackTracesWhenPrinted();
export const logger = new Logger();
const tracer = new Tracer();
export const config = readEvaluateConfig(process.env);
export const clock = { now: () => Date.now() };

export function alarmPrefix(): string {
  const prefix = process.env.ALARM_NAME_PREFIX;
  if (prefix === undefined || prefix === '')
    throw new Error('environment variable ALARM_NAME_PREFIX is not set');
  return prefix;
}

const clients = createAwsClients();
for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);

const fleetOptions = () => ({
  clock,
  defaultTags: { [`${TAG_PREFIX}mode`]: config.defaultMode },
  onConfigError: (error: unknown) =>
    logger.error('a managed group has bad headroom:* tags; it is left out', { error }),
});

const throwOnDiscover = (stage: string, error: unknown) => {
  throw error instanceof Error ? error : new Error(`${stage}: ${String(error)}`);
};

/**
 * The services by managedServices' precedence (SERVICES_JSON over tags, by id and group), for the
 * steps that read only modes: no tier is used there, so no resource owner is read.
 */
async function servicesByPrecedence(source: Pick<FleetControl, 'discover'>): Promise<ManagedService[]> {
  return (await managedServices(source, config.servicesFromConfig, throwOnDiscover)).services;
}

// Each step builds only the ports it uses, so its bundle (and so its IAM) holds only those calls.
/** For SetDesiredCapacity: the mode as it is now, the group described again and scaled. */
export const fleetControl = (): FleetControl => {
  const fleet = new AutoScalingFleetControl(clients.autoScaling, fleetOptions());
  return {
    discover: () => servicesByPrecedence(fleet),
    describe: (groupNames) => fleet.describe(groupNames),
    setDesiredCapacity: (groupName, desired, honorCooldown) =>
      fleet.setDesiredCapacity(groupName, desired, honorCooldown),
  };
};

/** Discovery only: the services and their modes as they are now, with no call that changes a group. */
export const serviceCatalog = (): Pick<FleetControl, 'discover'> => {
  const reader = new AutoScalingFleetReader(clients.autoScaling, fleetOptions());
  return { discover: () => servicesByPrecedence(reader) };
};

/** For LoadContext: the one resolver with tier owners (managedServices), no scaling call. */
export const fleetView = (): Pick<FleetControl, 'discover' | 'describe'> =>
  resolvedFleet(
    new AutoScalingFleetDescriber(clients.autoScaling, fleetOptions()),
    config.servicesFromConfig,
    tierOwners(clock, accountFromEnvironment(process.env)),
    (message, detail) => logger.warn(message, { detail }),
  );

export const metricsReader = (): MetricsReader =>
  new CloudWatchMetricsReader(clients.cloudWatch, { cloudFrontClient: clients.cloudFrontMetrics });

export const stateStore = (): StateStore =>
  new DynamoStateStore(clients.dynamo, {
    tableName: config.stateTable,
    decisionRetentionDays: config.decisionRetentionDays,
    killSwitchForced: config.killSwitchForced,
  });

/** The kill switch alone: what the scaling step reads right before it acts. */
export const killSwitch = (): DynamoKillSwitch =>
  new DynamoKillSwitch(clients.dynamo, {
    tableName: config.stateTable,
    killSwitchForced: config.killSwitchForced,
  });

/** A workflow step: logs what failed (the workflow's Catch decides what happens next) and rethrows. */
export function step<I, O>(name: string, work: (input: I) => Promise<O>) {
  const run = async (input: I, _context: Context): Promise<O> => {
    try {
      return await work(input);
    } catch (error) {
      logger.error(`remediation step ${name} failed`, { error });
      throw error;
    }
  };
  return middy(run)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer));
}

/** Approvals share the state table (keys approval#<id>); the Record step settles them. */
export const approvalOutcomes = (): DynamoApprovalOutcomes =>
  new DynamoApprovalOutcomes(clients.dynamo, { tableName: config.stateTable });
