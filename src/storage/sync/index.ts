/** The S3 sync engine behind restore-mlpipeline (see engine.ts). */
export { parseBandwidth, BandwidthLimiter } from './bandwidth';
export { syncObjects, createSyncClient, createSyncRequests, resolveOptions, DEFAULT_TRANSFERS, type SyncOptions, type SyncRequest } from './engine';
export { SyncFailedError, type SyncFailure } from './errors';
export { planSync, withChecksumDifferences, type SyncPlan, type CopyItem, type ListedObject, type UnchangedItem, type PlanOptions } from './planner';
export type { SyncReport, Tally } from './report';
export type { SyncSide } from './transfer';
