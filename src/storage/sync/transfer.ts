/**
 * Moving one object's bytes, through the shared bandwidth limiter, with the received length checked
 * against the listing. Small objects (≤ 1 MiB) go as one direct GET and one PUT, held in memory (at most
 * transfers × 1 MiB); larger ones stream GetObject into PutObject, and above the multipart threshold each
 * part is its own ranged GET streamed into its UploadPart, 4 parts at a time: memory does not grow with
 * object size. One attempt only: the engine retries whole objects.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type GetObjectCommandOutput,
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
  partsInParallel: number;
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
async function* metered(body: AsyncIterable<Uint8Array>, expected: number, context: TransferContext, onMoved: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of body) {
    await context.limiter.take(chunk.length, context.signal);
    received += chunk.length;
    onMoved(chunk.length);
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
  if (item.size > context.multipartThresholdBytes) return copyInParts(item, context);
  const attempt = new Attempt(context);
  const writing = `writing ${destination.bucket}/${item.destinationKey}`;
  try {
    const from = await attempt.open(item);
    try {
      const payload = item.size === 0 ? await emptyBody(from.chunks) : bodyStream(from.chunks, attempt.onBodyError);
      await destination.client.send(
        new PutObjectCommand({ Bucket: destination.bucket, Key: item.destinationKey, Body: payload, ContentLength: item.size, ...headersToKeep(from.response) }),
        { abortSignal: attempt.signal },
      );
    } catch (error) {
      throw attempt.bodyError ?? failed(error, writing, destination.where);
    }
  } catch (error) {
    attempt.undoProgress();
    throw error;
  } finally {
    attempt.close();
  }
}

/** Default parts of one object copied at once, each a ranged GET streamed into an UploadPart (rclone uploads 4 at once too). */
export const PARALLEL_PARTS = 4;

/**
 * Multipart copy, `partsInParallel` parts at a time. Each part is its own ranged GET streamed into its
 * UploadPart, so memory stays a few stream buffers per part whatever the object size. Every part must
 * come from the version the first part came from (same ETag, and If-Match where the server honours it):
 * an object replaced mid-copy fails the attempt rather than mixing two versions.
 */
async function copyInParts(item: CopyItem, context: TransferContext): Promise<void> {
  const { destination } = context;
  // S3 allows 10,000 parts: very large objects get larger parts.
  const partSize = Math.max(context.partSizeBytes, Math.ceil(item.size / 10_000 / MiB) * MiB);
  const count = Math.ceil(item.size / partSize);
  const range = (number: number): ByteRange => ({ start: (number - 1) * partSize, length: Math.min(partSize, item.size - (number - 1) * partSize) });
  const writing = `writing ${destination.bucket}/${item.destinationKey}`;
  const attempt = new Attempt(context);
  let uploadId: string | undefined;
  try {
    // Part 1's response also gives the headers the object keeps, and the version every part must match.
    const first = await attempt.open(item, range(1));
    try {
      const created = await destination.client.send(
        new CreateMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, ...headersToKeep(first.response) }),
        { abortSignal: attempt.signal },
      );
      uploadId = created.UploadId;
    } catch (error) {
      throw failed(error, writing, destination.where);
    }
    if (!uploadId) throw new TransferError(`${writing} on ${destination.where}: CreateMultipartUpload returned no UploadId`, true, { cause: undefined });
    const id = uploadId;
    const parts: CompletedPart[] = [];
    await attempt.inParallel(count, context.partsInParallel, async (number) => {
      const from = number === 1 ? first : await attempt.open(item, { ...range(number), etag: first.response.ETag });
      try {
        const uploaded = await destination.client.send(
          new UploadPartCommand({
            Bucket: destination.bucket,
            Key: item.destinationKey,
            UploadId: id,
            PartNumber: number,
            ContentLength: range(number).length,
            Body: bodyStream(from.chunks, attempt.onBodyError),
          }),
          { abortSignal: attempt.signal },
        );
        parts[number - 1] = { PartNumber: number, ETag: uploaded.ETag };
      } catch (error) {
        throw attempt.bodyError ?? failed(error, `${writing} (part ${number} of ${count})`, destination.where);
      }
    });
    try {
      await destination.client.send(
        new CompleteMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, UploadId: id, MultipartUpload: { Parts: parts } }),
        { abortSignal: attempt.signal },
      );
    } catch (error) {
      throw failed(error, writing, destination.where);
    }
  } catch (error) {
    attempt.undoProgress();
    // Not aborting would leave the uploaded parts stored (and billed) on the destination.
    if (uploadId) {
      await destination.client
        .send(new AbortMultipartUploadCommand({ Bucket: destination.bucket, Key: item.destinationKey, UploadId: uploadId }))
        .catch((abortError: unknown) => context.log(`copy: could not abort the multipart upload of ${item.destinationKey} on ${destination.where}: ${describeFailure(abortError)}`));
    }
    throw error;
  } finally {
    attempt.close();
  }
}

interface ByteRange {
  start: number;
  length: number;
  /** The version the bytes must come from (the first part's ETag). */
  etag?: string | undefined;
}

/** A source GET on its way to the destination: its response headers and its metered, length-checked chunks. */
interface OpenSource {
  response: GetObjectCommandOutput;
  chunks: AsyncGenerator<Uint8Array>;
}

/**
 * One attempt at copying one object: its abort signal (the engine's, plus this attempt's own, pulled on
 * the first failure so every other request of the attempt stops at once), the source bodies it opened,
 * the first body failure, and the bytes it reported as moved (taken back if it fails).
 */
class Attempt {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal;
  private readonly bodies: Readable[] = [];
  private moved = 0;
  bodyError: unknown;

  constructor(private readonly context: TransferContext) {
    this.signal = context.signal ? AbortSignal.any([context.signal, this.controller.signal]) : this.controller.signal;
  }

  /** A source body failed: the attempt fails with that error (not the upload's), and its other requests stop. */
  readonly onBodyError = (error: unknown): void => {
    this.bodyError ??= error;
    this.controller.abort(this.bodyError);
  };

  /** GETs the object (or one range of it) and checks that what comes is what was listed. */
  async open(item: CopyItem, range?: ByteRange): Promise<OpenSource> {
    const { source } = this.context;
    const reading = `reading ${source.bucket}/${item.sourceKey}${range ? ` (bytes ${range.start}–${range.start + range.length - 1})` : ''}`;
    let response: GetObjectCommandOutput;
    try {
      response = await source.client.send(
        new GetObjectCommand({
          Bucket: source.bucket,
          Key: item.sourceKey,
          ...(range ? { Range: `bytes=${range.start}-${range.start + range.length - 1}` } : {}),
          ...(range?.etag ? { IfMatch: range.etag } : {}),
        }),
        { abortSignal: this.signal },
      );
    } catch (error) {
      throw failed(error, reading, source.where);
    }
    const body = response.Body as Readable | undefined;
    if (!body) throw new TransferError(`${reading} on ${source.where}: no body`, true, { cause: undefined });
    this.bodies.push(body);
    // A reset can arrive while nobody iterates the body (an upload already failed): recorded, not uncaught.
    body.on('error', (error) => (this.bodyError ??= failed(error, reading, source.where)));
    const expected = range ? range.length : item.size;
    if (response.ContentLength !== expected) throw failed(new SizeMismatchError(expected, response.ContentLength), reading, source.where);
    if (range) {
      const wanted = `bytes ${range.start}-${range.start + range.length - 1}/${item.size}`;
      if (response.ContentRange !== wanted) throw new TransferError(`${reading} on ${source.where}: got range "${String(response.ContentRange)}", not "${wanted}"`, true, { cause: undefined });
      if (range.etag !== undefined && response.ETag !== range.etag) {
        throw new TransferError(`${reading} on ${source.where}: the object changed while it was being copied (ETag ${String(response.ETag)}, was ${range.etag})`, true, { cause: undefined });
      }
    }
    const counted = metered(body, expected, this.context, (bytes) => (this.moved += bytes));
    const onBodyError = this.onBodyError;
    const where = source.where;
    // A failing source stream must also stop the upload at once: the SDK pipes the body into the request,
    // and a pipe does not end its destination on error, so the upload would wait for the socket timeout.
    const chunks = (async function* () {
      try {
        yield* counted;
      } catch (error) {
        onBodyError(failed(error, reading, where));
        throw error;
      }
    })();
    return { response, chunks };
  }

  /** Runs `work(1…count)`, `concurrency` at a time; the first failure stops the rest and is thrown once all have stopped. */
  async inParallel(count: number, concurrency: number, work: (number: number) => Promise<void>): Promise<void> {
    let next = 1;
    let first: { error: unknown } | undefined;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next <= count && !first) {
          const number = next++;
          try {
            await work(number);
          } catch (error) {
            first ??= { error };
            this.controller.abort(error);
          }
        }
      }),
    );
    if (first) throw first.error;
  }

  undoProgress(): void {
    this.context.onBytes(-this.moved);
    this.moved = 0;
  }

  close(): void {
    for (const body of this.bodies) if (!body.readableEnded) body.destroy();
  }
}

/** The headers an object keeps when copied: content type and the other content headers, user metadata. */
function headersToKeep(response: GetObjectCommandOutput) {
  return {
    ContentType: response.ContentType,
    Metadata: response.Metadata,
    CacheControl: response.CacheControl,
    ContentDisposition: response.ContentDisposition,
    ContentEncoding: response.ContentEncoding,
    ContentLanguage: response.ContentLanguage,
  };
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
