/** AWS adapters of the ports, exported through @headroom/core for the Lambda functions. */
export * from './clients.js';
export * from './errors.js';
export * from './metricQueries.js';
export * from './cloudWatchMetrics.js';
export * from './autoScalingFleet.js';
export * from './autoScalingFleetReader.js';
export * from './dynamoState.js';
export * from './dynamoForecasts.js';
export * from './forecastItem.js';
export * from './eventBridgePublisher.js';
export * from './sqsEventDeadLetters.js';
export * from './withDeadLetters.js';
export * from './resourceOwners.js';
