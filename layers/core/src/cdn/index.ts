/** CloudFront invalidations for deploys, as the invalidate function needs them. */
export * from './coalesce.js';
export * from './cost.js';
export * from './deployEvent.js';
export * from './invalidate.js';
export * from './ports.js';
