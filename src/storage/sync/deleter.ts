/**
 * Deleting the destination's extra objects: DeleteObjects in batches of 1000 (the S3 maximum), or one
 * DeleteObject per key where the server has no multi-delete. Each batch is retried on transient failures.
 */
import { DeleteObjectCommand, DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { retry } from '../../util/retry';
import { describeFailure, isTransient } from './errors';
import type { ListedObject } from './planner';
import type { SyncSide } from './transfer';

export interface DeleteOutcome {
  deleted: ListedObject[];
  failed: { key: string; reason: string }[];
}

export interface DeleteOptions {
  attempts: number;
  baseDelayMs: number;
  concurrency: number;
  signal: AbortSignal | undefined;
  onRetry: (what: string, error: unknown, attempt: number, delayMs: number) => void;
  onDeleted: (objects: number, bytes: number) => void;
}

function lacksMultiDelete(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return e.name === 'NotImplemented' || e.name === 'MethodNotAllowed' || status === 501 || status === 405;
}

export async function deleteObjects(side: SyncSide, objects: readonly ListedObject[], options: DeleteOptions): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { deleted: [], failed: [] };
  const retrying = (what: string) => ({
    attempts: options.attempts,
    baseDelayMs: options.baseDelayMs,
    retryable: isTransient,
    signal: options.signal,
    onRetry: (error: unknown, attempt: number, delayMs: number) => options.onRetry(what, error, attempt, delayMs),
  });
  let multiDelete = true;
  for (let start = 0; start < objects.length && multiDelete; start += 1000) {
    const batch = objects.slice(start, start + 1000);
    try {
      const result = await retry(
        () => side.client.send(new DeleteObjectsCommand({ Bucket: side.bucket, Delete: { Objects: batch.map((object) => ({ Key: object.key })), Quiet: true } }), { abortSignal: options.signal }),
        retrying(`deleting ${batch.length} objects`),
      );
      const failedKeys = new Map((result.Errors ?? []).map((entry) => [entry.Key ?? '', `${entry.Code ?? 'error'}: ${entry.Message ?? ''}`]));
      const done = batch.filter((object) => !failedKeys.has(object.key));
      outcome.deleted.push(...done);
      options.onDeleted(done.length, done.reduce((sum, object) => sum + object.size, 0));
      for (const [key, reason] of failedKeys) outcome.failed.push({ key, reason: `deleting on ${side.where}: ${reason}` });
    } catch (error) {
      if (start === 0 && lacksMultiDelete(error)) {
        multiDelete = false;
        break;
      }
      if (options.signal?.aborted) throw error;
      for (const object of batch) outcome.failed.push({ key: object.key, reason: `deleting on ${side.where}: ${describeFailure(error)}` });
    }
  }
  if (!multiDelete) await deleteOneByOne(side, objects, options, outcome, retrying);
  return outcome;
}

async function deleteOneByOne(
  side: SyncSide,
  objects: readonly ListedObject[],
  options: DeleteOptions,
  outcome: DeleteOutcome,
  retrying: (what: string) => Parameters<typeof retry>[1],
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, objects.length) }, async () => {
      while (next < objects.length && !options.signal?.aborted) {
        const object = objects[next++] as ListedObject;
        try {
          await retry(() => side.client.send(new DeleteObjectCommand({ Bucket: side.bucket, Key: object.key }), { abortSignal: options.signal }), retrying(`deleting ${object.key}`));
          outcome.deleted.push(object);
          options.onDeleted(1, object.size);
        } catch (error) {
          outcome.failed.push({ key: object.key, reason: `deleting on ${side.where}: ${describeFailure(error)}` });
        }
      }
    }),
  );
}
