/**
 * Moving one object's bytes, through the shared bandwidth limiter, with the received length checked
 * against the listing. Small objects (≤ 1 MiB) go as one direct GET and one PUT, held in memory (at most
 * transfers × 1 MiB); larger ones stream GetObject into PutObject (or, above the multipart threshold,
 * into UploadPart calls cut from the same stream), so memory does not grow with object size. One attempt
 * only: the engine retries whole objects.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectRequests } from '../requests/objectRequests';
import type { BandwidthLimiter } from './bandwidth';
import { describeFailure, isTransient, SizeMismatchError, TruncatedBodyError } from './errors';
import type { CopyItem } from './planner';
import { MiB } from './report';

/** One end of a sync. `where` names the store in messages (`backup store http://…`, `MinIO http://…`). */
export interface SyncSide {
  client: S3Client;
  /** Direct requests for small objects (much less CPU per object than the SDK); absent = the SDK for all. */
  requests?: ObjectRequests | undefined;
  bucket: string;
  prefix: string;
  where: string;
}

export interface TransferContext {
  source: SyncSide;
  destination: SyncSide;
  limiter: BandwidthLimiter;
  /** Progress: bytes moved (negative when a failed attempt's bytes are taken back). */
  onBytes: (delta: number) => void;
  log: (line: string) => void;
  /** Objects above this size go multipart. */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  signal: AbortSignal | undefined;
}

/** A failed attempt, named by store and operation; `transient` says whether another attempt may succeed. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'TransferError';
  }
}

function failed(error: unknown, doing: string, where: string): unknown {
  if (error instanceof TransferError || (error as { name?: string } | undefined)?.name === 'AbortError') return error;
  return new TransferError(`${doing} on ${where}: ${describeFailure(error)}`, isTransient(error), { cause: error });
}

/** Yields the body's chunks after the limiter admits them; fails if fewer or more bytes arrive than expected. */
async function* metered(body: AsyncIterable<Uint8Array>, expected: number, context: TransferContext, moved: { bytes: number }): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of body) {
    await context.limiter.take(chunk.length, context.signal);
    received += chunk.length;
    moved.bytes += chunk.length;
    context.onBytes(chunk.length);
    yield chunk;
  }
  if (received !== expected) throw new TruncatedBodyError(received, expected);
}

/** Objects up to this size are copied with direct requests, when both sides have them. */
export const SMALL_OBJECT_BYTES = MiB;

export async function copyObject(item: CopyItem, context: TransferContext): Promise<void> {
  const { source, destination } = context;
  if (source.requests && destination.requests && item.size <= SMALL_OBJECT_BYTES) return copySmallObject(item, context, source.requests, destination.requests);
  const attempt = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, attempt.signal]) : attempt.signal;
  const moved = { bytes: 0 };
  let bodyError: unknown;
  let body: Readable | undefined;
  const reading = `reading ${source.bucket}/${item.sourceKey}`;
  const writing = `writing ${destination.bucket}/${item.destinationKey}`;
  try {
    let response;
    try {
      response = await source.client.send(new GetObjectCommand({ Bucket: source.bucket, Key: item.sourceKey }), { abortSignal: signal });
    } catch (error) {
      throw failed(error, reading, source.where);
    }
    body = response.Body as Readable | undefined;
    if (!body) throw new TransferError(`${reading} on ${source.where}: no body`, true, { cause: undefined });
    // A reset can arrive while nobody iterates the body (the upload already failed): recorded, not uncaught.
    body.on('error', (error) => (bodyError ??= failed(error, reading, source.where)));
    if (response.ContentLength !== item.size) throw failed(new SizeMismatchError(item.size, response.ContentLength), reading, source.where);
    const stream = metered(body, item.size, context, moved);
    // A failing source stream must also stop the upload at once: the SDK pipes the body into the request,
    // and a pipe does not end its destination on error, so the upload would wait for the socket timeout.
    const guarded = (async function* () {
      try {
        yield* stream;
      } catch (error) {
        bodyError ??= failed(error, reading, source.where);
        attempt.abort(bodyError);
        throw error;
      }
    })();
    const headers = {
      ContentType: response.ContentType,
      Metadata: response.Metadata,
      CacheControl: response.CacheControl,
      ContentDisposition: response.ContentDisposition,
      ContentEncoding: response.ContentEncoding,
      ContentLanguage: response.ContentLanguage,
    };
    try {
      if (item.size <= context.multipartThresholdBytes) {
        const payload = item.size === 0 ? await emptyBody(guarded) : bodyStream(guarded, (error) => (bodyError ??= failed(error, reading, source.where)));
        await destination.client.send(
          new PutObjectCommand({ Bucket: destination.bucket, Key: item.destinationKey, Body: payload, ContentLength: item.size, ...headers }),
          { abortSignal: signal },
        );
      } else {
        await multipartCopy(item, guarded, headers, context, signal);
      }
    } catch (error) {
      throw bodyError ?? failed(error, writing, destination.where);
    }
  } catch (error) {
    context.onBytes(-moved.bytes);
    throw error;
  } finally {
    if (body && !body.readableEnded) body.destroy();
  }
}

/** One GET into memory, one PUT from it; the limiter admits the object's bytes before they are read. */
async function copySmallObject(item: CopyItem, context: TransferContext, from: ObjectRequests, to: ObjectRequests): Promise<void> {
  const { source, destination, signal } = context;
  await context.limiter.take(item.size, signal);
  let got;
  try {
    got = await from.getObject(source.bucket, item.sourceKey, item.size, signal);
  } catch (error) {
    throw failed(error, `reading ${source.bucket}/${item.sourceKey}`, source.where);
  }
  context.onBytes(item.size);
  try {
    await to.putObject(destination.bucket, item.destinationKey, got.body, got.headers, signal);
  } catch (error) {
    context.onBytes(-item.size);
    throw failed(error, `writing ${destination.bucket}/${item.destinationKey}`, destination.where);
  }
}

/**
 * The request body stream. The SDK pipes it into the request, and a pipe does not listen for the
 * source's errors: without a listener here, a failing body would be an uncaught exception.
 */
function bodyStream(chunks: AsyncGenerator<Uint8Array>, onError: (error: unknown) => void): Readable {
  return Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 }).on('error', onError);
}

async function emptyBody(chunks: AsyncGenerator<Uint8Array>): Promise<Uint8Array> {
  // Still read the (empty) body: that is where a length mismatch shows.
  for await (const chunk of chunks) void chunk;
  return new Uint8Array(0);
}

async function multipartCopy(
  item: CopyItem,
  chunks: AsyncGenerator<Uint8Array>,
  headers: Record<string, unknown>,
  context: TransferContext,
  signal: AbortSignal,
): Promise<void> {
  const { destination } = context;
  // S3 allows 10,000 parts: very large objects get larger parts.
  const partSize = Math.max(context.partSizeBytes, Math.ceil(item.size / 10_000 / MiB) * MiB);
  const created = await destination.client.send(new CreateMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, ...headers }), { abortSignal: signal });
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  try {
    let leftover: Uint8Array | undefined;
    const part = async function* (length: number): AsyncGenerator<Uint8Array> {
      let remaining = length;
      while (remaining > 0) {
        let chunk = leftover;
        leftover = undefined;
        if (!chunk) {
          const next = await chunks.next();
          if (next.done) return;
          chunk = next.value;
        }
        if (chunk.length > remaining) {
          leftover = chunk.subarray(remaining);
          chunk = chunk.subarray(0, remaining);
        }
        remaining -= chunk.length;
        yield chunk;
      }
    };
    const parts: CompletedPart[] = [];
    for (let number = 1, offset = 0; offset < item.size; number++) {
      const length = Math.min(partSize, item.size - offset);
      const uploaded = await destination.client.send(
        new UploadPartCommand({
          Bucket: destination.bucket,
          Key: item.destinationKey,
          UploadId: uploadId,
          PartNumber: number,
          ContentLength: length,
          Body: bodyStream(part(length), (error) => context.log(`copy: part ${number} of ${item.sourceKey} failed: ${describeFailure(error)}`)),
        }),
        { abortSignal: signal },
      );
      parts.push({ PartNumber: number, ETag: uploaded.ETag });
      offset += length;
    }
    // Runs the stream to its end, where a longer-than-listed body is caught.
    if (leftover || !(await chunks.next()).done) throw new SizeMismatchError(item.size, undefined);
    await destination.client.send(
      new CompleteMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
  } catch (error) {
    // Not aborting would leave the uploaded parts stored (and billed) on the destination.
    await destination.client
      .send(new AbortMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, UploadId: uploadId }))
      .catch((abortError: unknown) => context.log(`copy: could not abort the multipart upload of ${item.destinationKey} on ${destination.where}: ${describeFailure(abortError)}`));
    throw error;
  }
}

/** sha256 of an object's content, streamed (through the limiter: these bytes flow too). */
export async function hashObject(side: SyncSide, key: string, size: number, context: Pick<TransferContext, 'limiter' | 'onBytes' | 'signal'>): Promise<string> {
  const doing = `reading ${side.bucket}/${key}`;
  if (side.requests && size <= SMALL_OBJECT_BYTES) {
    await context.limiter.take(size, context.signal);
    try {
      const { body } = await side.requests.getObject(side.bucket, key, size, context.signal);
      context.onBytes(size);
      return createHash('sha256').update(body).digest('hex');
    } catch (error) {
      throw failed(error, doing, side.where);
    }
  }
  let body: Readable | undefined;
  const counted = { bytes: 0 };
  try {
    const response = await side.client.send(new GetObjectCommand({ Bucket: side.bucket, Key: key }), { abortSignal: context.signal });
    body = response.Body as Readable | undefined;
    if (!body) throw new Error('no body');
    // Errors reach the loop below through the iterator; this keeps a late one from being uncaught.
    body.on('error', (error) => void error);
    if (response.ContentLength !== size) throw new SizeMismatchError(size, response.ContentLength);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      await context.limiter.take(chunk.length, context.signal);
      received += chunk.length;
      counted.bytes += chunk.length;
      context.onBytes(chunk.length);
      hash.update(chunk);
    }
    if (received !== size) throw new TruncatedBodyError(received, size);
    return hash.digest('hex');
  } catch (error) {
    context.onBytes(-counted.bytes);
    throw failed(error, doing, side.where);
  } finally {
    if (body && !body.readableEnded) body.destroy();
  }
}
