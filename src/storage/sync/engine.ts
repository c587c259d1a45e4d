/**
 * `syncObjects`: make the destination hold exactly the source's objects (rclone sync --size-only, or
 * --checksum by sha256 of content), faster and safer: many parallel streamed copies under one shared
 * bandwidth limit, per-object retries that are counted and logged, deletes only after every copy
 * succeeded, and a refusal to delete anything when the source lists nothing.
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../errors';
import { retry } from '../../util/retry';
import { createS3Client } from '../client';
import type { S3Endpoint } from '../endpoint';
import { listObjects } from '../objects';
import { createObjectRequests, type ObjectRequests } from '../requests/objectRequests';
import { StorageError, toStorageError } from '../storageError';
import { BandwidthLimiter, parseBandwidth } from './bandwidth';
import { deleteObjects } from './deleter';
import { describeFailure, isTransient, SyncFailedError } from './errors';
import { planSync, totalBytes, withChecksumDifferences, type CopyItem, type ListedObject, type SyncPlan, type UnchangedItem } from './planner';
import { ProgressReporter } from './progress';
import { emptyReport, MiB, recordError, type SyncReport } from './report';
import { copyObject, hashObject, PARALLEL_PARTS, type SyncSide, type TransferContext } from './transfer';

/** Measured with bench/mlpipeline (see RESULTS.md). */
export const DEFAULT_TRANSFERS = 64;

export interface SyncOptions {
  /** Bytes per second, or rclone `--bwlimit` text (`20M`); 0 / undefined = unlimited. Shared by all transfers. */
  bwlimit?: number | string;
  /** true (default): delete destination objects the source lacks (sync); false: copy only. */
  deleteExtra?: boolean;
  /** More deletions than this planned: nothing is deleted and the run fails. Undefined = no limit. */
  maxDelete?: number;
  /** `size` (default, like --size-only) or `checksum` (sha256 of content, read from both sides). */
  compare?: 'size' | 'checksum';
  /** Parallel object copies. */
  transfers?: number;
  /** Plan only: list (and hash, with compare=checksum), write nothing, not even the bucket. */
  dryRun?: boolean;
  /** Keys listed per kind in a dry run's report. Default 20. */
  sampleSize?: number;
  /** Progress line interval. Default 5000 ms. */
  progressIntervalMs?: number;
  /** Attempts per object (first included) and the first retry's delay (doubling, with jitter). Default 5, 500 ms. */
  attempts?: number;
  retryBaseDelayMs?: number;
  /**
   * Objects larger than this are copied multipart; smaller ones stream as one PUT. Default 200 MiB, as
   * rclone's --s3-upload-cutoff: a multipart upload costs the server a second pass over the bytes to
   * assemble them, which made 64 MiB objects copy at half the speed (bench/mlpipeline/RESULTS.md, run 7).
   */
  multipartThresholdBytes?: number;
  /** Default 16 MiB (grown for objects above 156 GiB, to stay within 10,000 parts). */
  partSizeBytes?: number;
  /** Parts of one object copied at once (each a ranged GET into an UploadPart). Default 4, as rclone. */
  partsInParallel?: number;
}

export interface SyncRequest {
  source: SyncSide;
  destination: SyncSide;
  options?: SyncOptions;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * The client a sync should get: as many sockets as transfers (checksum compare reads both sides at once,
 * hence two per transfer) and no SDK retries, so every retry is the engine's, counted and logged.
 */
export function createSyncClient(endpoint: S3Endpoint, transfers = DEFAULT_TRANSFERS): S3Client {
  return createS3Client(endpoint, { maxSockets: Math.max(2 * transfers, 4), maxAttempts: 1, logger: SDK_LOGGER });
}

/** Direct requests for the sync's small objects, sized like the client; undefined without an explicit endpoint (the SDK then does all). */
export function createSyncRequests(endpoint: S3Endpoint, transfers = DEFAULT_TRANSFERS): ObjectRequests | undefined {
  return createObjectRequests(endpoint, { maxSockets: Math.max(2 * transfers, 4) });
}

// The SDK logs every failed command (logger.error, with its input) and warns each time a streaming
// upload fails: every such error is thrown to the engine, which reports it (and each retry) itself.
const SDK_LOGGER = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...content: unknown[]) => {
    if (!String(content[0]).includes('non-retryable streaming request')) console.warn(...content);
  },
  error: () => undefined,
};

interface ResolvedOptions {
  bytesPerSecond: number;
  deleteExtra: boolean;
  maxDelete: number;
  compare: 'size' | 'checksum';
  transfers: number;
  dryRun: boolean;
  sampleSize: number;
  progressIntervalMs: number;
  attempts: number;
  retryBaseDelayMs: number;
  multipartThresholdBytes: number;
  partSizeBytes: number;
  partsInParallel: number;
}

function positiveInteger(value: number | undefined, fallback: number, name: string, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) throw new InvalidInputError(`invalid ${name} ${String(value)}`, { hint: `Give a whole number of at least ${minimum}` });
  return value;
}

export function resolveOptions(options: SyncOptions = {}): ResolvedOptions {
  const bwlimit = options.bwlimit ?? 0;
  const bytesPerSecond = typeof bwlimit === 'string' ? parseBandwidth(bwlimit) : bwlimit;
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) throw new InvalidInputError(`invalid bwlimit ${String(bwlimit)}`, { hint: 'Give bytes per second, or "20M", or 0 for no limit' });
  const compare = options.compare ?? 'size';
  if (compare !== 'size' && compare !== 'checksum') throw new InvalidInputError(`invalid compare "${String(compare)}"`, { hint: 'Use "size" or "checksum"' });
  const partSizeBytes = positiveInteger(options.partSizeBytes, 16 * MiB, 'partSizeBytes', 5 * MiB);
  return {
    bytesPerSecond,
    deleteExtra: options.deleteExtra ?? true,
    maxDelete: options.maxDelete === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.maxDelete, 0, 'max-delete', 0),
    compare,
    transfers: positiveInteger(options.transfers, DEFAULT_TRANSFERS, 'transfers'),
    dryRun: options.dryRun ?? false,
    sampleSize: positiveInteger(options.sampleSize, 20, 'sampleSize', 0),
    progressIntervalMs: positiveInteger(options.progressIntervalMs, 5000, 'progressIntervalMs'),
    attempts: positiveInteger(options.attempts, 5, 'attempts'),
    retryBaseDelayMs: positiveInteger(options.retryBaseDelayMs, 500, 'retryBaseDelayMs', 0),
    multipartThresholdBytes: positiveInteger(options.multipartThresholdBytes, 200 * MiB, 'multipartThresholdBytes', 0),
    partSizeBytes,
    partsInParallel: positiveInteger(options.partsInParallel, PARALLEL_PARTS, 'partsInParallel'),
  };
}

/** Runs `work` on every item with at most `concurrency` at once; stops taking new items once aborted. */
async function forEachParallel<T>(items: readonly T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length && !signal?.aborted) await work(items[next++] as T);
    }),
  );
}

function side(s: SyncSide): string {
  return `${s.bucket}/${s.prefix} on ${s.where}`;
}

export async function syncObjects(request: SyncRequest): Promise<SyncReport> {
  const options = resolveOptions(request.options);
  const { source, destination, signal } = request;
  const log = request.log ?? (() => undefined);
  const started = performance.now();
  const report = emptyReport(options.dryRun);
  const progress = new ProgressReporter(log, options.progressIntervalMs);
  const limiter = new BandwidthLimiter(options.bytesPerSecond);
  const finish = (): SyncReport => {
    report.durationMs = Math.round(performance.now() - started);
    report.throughputMiBps = report.durationMs > 0 ? Math.round((report.copied.bytes / MiB / (report.durationMs / 1000)) * 10) / 10 : 0;
    return report;
  };
  const fail = (message: string, reason: SyncFailedError['reason'], hint: string): SyncFailedError => new SyncFailedError(message, reason, finish(), { hint });
  const retrying = (what: string) => ({
    attempts: options.attempts,
    baseDelayMs: options.retryBaseDelayMs,
    retryable: isTransient,
    signal,
    onRetry: (error: unknown, attempt: number, delayMs: number) => {
      report.retries++;
      log(`retry ${attempt}/${options.attempts - 1} ${what} in ${delayMs} ms: ${describeFailure(error)}`);
    },
  });
  const abortedError = (): SyncFailedError =>
    fail(
      `sync aborted: copied ${report.copied.objects} of ${report.planned.copy.objects} objects, deleted nothing`,
      'aborted',
      'Run the restore again: it copies only what is still missing',
    );

  try {
    // --- list
    log(`list: ${side(source)} and ${side(destination)}`);
    let destinationExists = true;
    const [sourceObjects, destinationObjects] = await Promise.all([
      retry(() => listObjects(source.client, source.bucket, source.prefix, source.where, source.requests), retrying(`listing ${source.bucket}/${source.prefix}`)),
      retry(() => listObjects(destination.client, destination.bucket, destination.prefix, destination.where, destination.requests), retrying(`listing ${destination.bucket}/${destination.prefix}`)).catch(
        (error: unknown) => {
          if (error instanceof StorageError && error.code === 'NoSuchBucket') {
            destinationExists = false;
            return [];
          }
          throw error;
        },
      ),
    ]);
    report.source = { objects: sourceObjects.length, bytes: totalBytes(sourceObjects) };
    report.destination = { objects: destinationObjects.length, bytes: totalBytes(destinationObjects) };
    log(
      `list: source ${report.source.objects} objects (${(report.source.bytes / MiB).toFixed(1)} MiB), destination ${report.destination.objects} objects` +
        (destinationExists ? '' : ` (bucket ${destination.bucket} does not exist yet)`),
    );
    if (sourceObjects.length === 0 && options.deleteExtra && destinationObjects.length > 0) {
      throw fail(
        `refusing to sync: the source lists no objects under ${side(source)}, so every one of the ${destinationObjects.length} objects under ${side(destination)} would be deleted`,
        'empty-source',
        'Check the backup store bucket and prefix (a mistyped prefix lists nothing); to restore from an empty backup on purpose, delete the destination objects yourself',
      );
    }

    // --- plan
    let plan: SyncPlan = planSync(sourceObjects, destinationObjects, { sourcePrefix: source.prefix, destinationPrefix: destination.prefix, deleteExtra: options.deleteExtra });
    if (plan.ignored.length > 0) log(`plan: ignoring ${plan.ignored.length} key(s) equal to the source prefix itself (${plan.ignored[0] ?? ''})`);
    if (options.compare === 'checksum' && plan.unchanged.length > 0) plan = await compareChecksums(plan, { source, destination, limiter, progress, options, signal, report, retrying, log });

    report.planned = {
      copy: { objects: plan.copy.length, bytes: totalBytes(plan.copy) },
      delete: { objects: plan.delete.length, bytes: totalBytes(plan.delete) },
      unchanged: { objects: plan.unchanged.length, bytes: totalBytes(plan.unchanged) },
    };
    report.skipped = { ...report.planned.unchanged };
    log(
      `plan: copy ${plan.copy.length} objects (${(report.planned.copy.bytes / MiB).toFixed(1)} MiB), unchanged ${plan.unchanged.length}, ` +
        `delete ${options.deleteExtra ? String(plan.delete.length) : 'none (copy only)'}`,
    );
    if (options.dryRun) {
      report.sample = { copy: plan.copy.slice(0, options.sampleSize).map((item) => item.destinationKey), delete: plan.delete.slice(0, options.sampleSize).map((item) => item.key) };
      log('dry run: nothing was written');
      return finish();
    }

    // --- copy
    if (!destinationExists) {
      await retry(
        () => destination.client.send(new CreateBucketCommand({ Bucket: destination.bucket }), { abortSignal: signal }).catch((error: unknown) => {
          if ((error as { name?: string }).name === 'BucketAlreadyOwnedByYou') return undefined;
          throw toStorageError(error, destination.where, `creating bucket ${destination.bucket}`);
        }),
        retrying(`creating bucket ${destination.bucket}`),
      );
      log(`copy: created bucket ${destination.bucket} on ${destination.where}`);
    }
    // Largest first, so a big object does not start last and leave the other transfers idle.
    const copies = [...plan.copy].sort((a, b) => b.size - a.size);
    const context: TransferContext = {
      source,
      destination,
      limiter,
      onBytes: (delta) => (progress.doneBytes += delta),
      log,
      multipartThresholdBytes: options.multipartThresholdBytes,
      partSizeBytes: options.partSizeBytes,
      partsInParallel: options.partsInParallel,
      signal,
    };
    progress.start('copy', copies.length, report.planned.copy.bytes);
    await forEachParallel(copies, options.transfers, signal, async (item: CopyItem) => {
      try {
        await retry(() => copyObject(item, context), retrying(`copying ${item.sourceKey}`));
        report.copied.objects++;
        report.copied.bytes += item.size;
        progress.doneObjects++;
      } catch (error) {
        if (signal?.aborted) return;
        recordError(report, item.sourceKey, describeFailure(error));
      }
    });
    progress.finish(report.errorCount > 0 ? `, ${report.errorCount} failed` : '');
    if (signal?.aborted) throw abortedError();
    if (report.errorCount > 0) {
      const keys = report.errors.map((entry) => `${entry.key} (${entry.reason})`).join('; ');
      throw fail(
        `${report.errorCount} of ${copies.length} objects could not be copied, so nothing was deleted: ${keys}${report.errorCount > report.errors.length ? '; …' : ''}`,
        'copy-failed',
        'Check that both stores are reachable and healthy, then run the restore again: it copies only what is still missing',
      );
    }

    // --- delete
    if (plan.delete.length > 0) {
      if (plan.delete.length > options.maxDelete) {
        throw fail(
          `refusing to delete ${plan.delete.length} objects under ${side(destination)}: more than max-delete (${options.maxDelete}); nothing was deleted (the copies are done)`,
          'max-delete',
          'Check the backup store prefix; if these deletions are intended, raise max-delete',
        );
      }
      progress.start('delete', plan.delete.length, 0);
      const outcome = await deleteObjects(destination, plan.delete, {
        attempts: options.attempts,
        baseDelayMs: options.retryBaseDelayMs,
        concurrency: options.transfers,
        signal,
        onRetry: (what, error, attempt, delayMs) => retrying(what).onRetry(error, attempt, delayMs),
        onDeleted: (objects) => (progress.doneObjects += objects),
      });
      report.deleted = { objects: outcome.deleted.length, bytes: totalBytes(outcome.deleted) };
      for (const entry of outcome.failed) recordError(report, entry.key, entry.reason);
      progress.finish(outcome.failed.length > 0 ? `, ${outcome.failed.length} failed` : '');
      if (signal?.aborted) throw abortedError();
      if (outcome.failed.length > 0) {
        throw fail(
          `${outcome.failed.length} of ${plan.delete.length} extra objects could not be deleted from ${side(destination)}: ${outcome.failed
            .slice(0, 10)
            .map((entry) => `${entry.key} (${entry.reason})`)
            .join('; ')}`,
          'delete-failed',
          'Check that these credentials may delete in the MinIO bucket, then run the restore again',
        );
      }
    }
    finish();
    log(
      `done: copied ${report.copied.objects} objects (${(report.copied.bytes / MiB).toFixed(1)} MiB), skipped ${report.skipped.objects}, deleted ${report.deleted.objects}, ` +
        `${report.retries} retries, ${(report.durationMs / 1000).toFixed(1)}s, ${report.throughputMiBps} MiB/s`,
    );
    return report;
  } catch (error) {
    if (error instanceof SyncFailedError) throw error;
    if (signal?.aborted) throw abortedError();
    throw error;
  } finally {
    progress.stop();
  }
}

interface ChecksumContext {
  source: SyncSide;
  destination: SyncSide;
  limiter: BandwidthLimiter;
  progress: ProgressReporter;
  options: ResolvedOptions;
  signal: AbortSignal | undefined;
  report: SyncReport;
  retrying: (what: string) => Parameters<typeof retry>[1];
  log: (line: string) => void;
}

/** Reads every same-size pair on both sides and hashes it; pairs whose content differs are copied. */
async function compareChecksums(plan: SyncPlan, c: ChecksumContext): Promise<SyncPlan> {
  const differing = new Set<string>();
  const bytes = 2 * totalBytes(plan.unchanged);
  c.progress.start('checksum', plan.unchanged.length, bytes);
  const context = { limiter: c.limiter, onBytes: (delta: number) => (c.progress.doneBytes += delta), signal: c.signal };
  await forEachParallel(plan.unchanged, c.options.transfers, c.signal, async (item: UnchangedItem) => {
    try {
      const [a, b] = await Promise.all([
        retry(() => hashObject(c.source, item.sourceKey, item.size, context), c.retrying(`hashing ${item.sourceKey}`)),
        retry(() => hashObject(c.destination, item.destinationKey, item.size, context), c.retrying(`hashing ${item.destinationKey}`)),
      ]);
      if (a !== b) differing.add(item.sourceKey);
    } catch (error) {
      if (c.signal?.aborted) return;
      // Unreadable is not the same: copy it; the copy says whether the source can be read.
      differing.add(item.sourceKey);
      c.log(`checksum: could not compare ${item.sourceKey} (${describeFailure(error)}); copying it`);
    }
    c.progress.doneObjects++;
  });
  c.progress.finish(`, ${differing.size} differ`);
  if (c.signal?.aborted) throw c.signal.reason;
  return withChecksumDifferences(plan, differing);
}



