/** restore-mlpipeline: params → the sync engine (backup store prefix → MinIO bucket) → results. */
import { InvalidInputError } from '../errors';
import type { ActionHandler } from '../juju/actionRunner';
import type { Results } from '../juju/actionResults';
import { ParamReader, validateObjectKey } from '../juju/params';
import { backupKey, backupStoreEndpoint, describeBackupStore } from '../relations/backupStore';
import { minioEndpoint } from '../relations/minio';
import { parseBandwidth } from '../storage/sync/bandwidth';
import { createSyncClient, createSyncRequests, DEFAULT_TRANSFERS, syncObjects } from '../storage/sync/engine';
import { SyncFailedError } from '../storage/sync/errors';
import type { SyncReport } from '../storage/sync/report';
import { readConfig, requireBackupStore, requireMinio } from './charmState';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function toResults(report: SyncReport, source: string, destination: string): Results {
  return {
    source,
    destination,
    dryRun: report.dryRun,
    listed: { source: { ...report.source }, destination: { ...report.destination } },
    planned: { copy: { ...report.planned.copy }, delete: { ...report.planned.delete }, unchanged: { ...report.planned.unchanged } },
    copied: { ...report.copied },
    skipped: { ...report.skipped },
    deleted: { ...report.deleted },
    retries: report.retries,
    errorCount: report.errorCount,
    errors: report.errors.length > 0 ? report.errors.map((error) => ({ ...error })) : undefined,
    sample: report.dryRun ? { copy: report.sample.copy, delete: report.sample.delete } : undefined,
    seconds: (report.durationMs / 1000).toFixed(1),
    throughputMibPerSecond: report.throughputMiBps,
  };
}

export const restoreMlpipelineAction: ActionHandler = {
  name: 'restore-mlpipeline',
  async run({ context, params: raw, log, addResults }) {
    const params = new ParamReader(raw);
    const prefix = validateObjectKey('prefix', params.string('prefix', 'mlpipeline'), { allowTrailingSlash: true }).replace(/\/$/, '');
    const bucket = params.string('bucket', 'mlpipeline');
    if (!BUCKET.test(bucket)) throw new InvalidInputError(`parameter bucket must be an S3 bucket name, got ${JSON.stringify(bucket)}`);
    const bwlimit = parseBandwidth(params.string('bwlimit', '20M'), 'bwlimit');
    const deleteExtra = params.boolean('delete-extra', true);
    const maxDelete = params.integer('max-delete', undefined, { min: 0 });
    const compare = params.oneOf('compare', ['size', 'checksum'] as const, 'size');
    const transfers = params.integer('transfers', DEFAULT_TRANSFERS, { min: 1, max: 256 }) as number;
    const dryRun = params.boolean('dry-run', false);
    params.rejectUnknown();

    const config = await readConfig();
    const store = await requireBackupStore();
    const minio = await requireMinio(config, context.modelName);
    const sourcePrefix = `${backupKey(store, prefix)}/`;
    const storeEndpoint = backupStoreEndpoint(store);
    const minioS3 = minioEndpoint(minio);
    const source = { client: createSyncClient(storeEndpoint, transfers), requests: createSyncRequests(storeEndpoint, transfers), bucket: store.bucket, prefix: sourcePrefix, where: `backup store ${describeBackupStore(store)}` };
    const destination = { client: createSyncClient(minioS3, transfers), requests: createSyncRequests(minioS3, transfers), bucket, prefix: '', where: `MinIO ${minio.endpoint}` };
    const from = `${store.bucket}/${sourcePrefix}`;
    const to = `${bucket} on ${minio.endpoint}`;
    log(`syncing ${from} → ${to}${dryRun ? ' (dry run)' : ''}`);
    try {
      const report = await syncObjects({ source, destination, options: { bwlimit, deleteExtra, maxDelete, compare, transfers, dryRun }, log });
      return toResults(report, from, to);
    } catch (error) {
      if (error instanceof SyncFailedError) addResults(toResults(error.report, from, to));
      throw error;
    } finally {
      for (const side of [source, destination]) {
        side.client.destroy();
        side.requests?.destroy();
      }
    }
  },
};
