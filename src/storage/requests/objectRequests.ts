/**
 * GetObject, PutObject and ListObjectsV2 pages as single signed HTTP requests (node:http + the SDK's own
 * SigV4 signer). Copying thousands of small objects, and listing them, is CPU-bound on the client, and the
 * SDK's per-request middleware and XML deserializers cost more than the bytes: 1.6–2.7 ms of CPU per
 * copied object through the SDK against 0.6–0.8 ms here, and about half a no-op sync's CPU went to
 * parsing listings (bench/mlpipeline/RESULTS.md). Buckets, multipart and deletes stay with the SDK.
 *
 * Every upload carries the sha256 of its body in the signature, so the server rejects a body that was
 * changed or cut on the way. One attempt per call (the sync engine retries whole objects), except that a
 * request refused for clock skew is re-signed once with the server's clock, as the SDK does.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { SizeMismatchError, TruncatedBodyError } from '../bodyErrors';
import type { S3Endpoint } from '../endpoint';
import { ListingFormatError, parseListPage, type ListPage } from './listingXml';
import { objectTarget, uriEncode } from './objectUrl';
import { responseError, type S3ResponseError } from './responseError';

/** Headers an object keeps when copied: content type, the other content headers and user metadata. */
export type ObjectHeaders = Record<string, string>;

const CARRIED = new Set(['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language']);

/** The carried headers of a GetObject response (user metadata is every `x-amz-meta-*`). */
export function carriedHeaders(headers: IncomingHttpHeaders): ObjectHeaders {
  const carried: ObjectHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' && (CARRIED.has(name) || name.startsWith('x-amz-meta-'))) carried[name] = value;
  }
  return carried;
}

export interface GotObject {
  body: Buffer;
  headers: ObjectHeaders;
}

/** Names the client in the server's logs (the SDK sends its own `aws-sdk-js/…`). */
export const USER_AGENT = 'ckf-restore';
const EMPTY_SHA256 = createHash('sha256').digest('hex');
const SOCKET_TIMEOUT_MS = 120_000;
const MAX_LIST_PAGE_BYTES = 32 * 1024 * 1024;
/** Beyond this difference from the server's clock, S3 refuses signatures (RequestTimeTooSkewed). */
const SKEW_LIMIT_MS = 5 * 60_000;

/** What the signer hashes (its SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): BinaryLike =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** The signer's hash interface over node:crypto (sha256, or HMAC-sha256 given a secret). */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** One request: the key '' addresses the bucket itself (a listing). */
interface RequestSpec {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
}

export class ObjectRequests {
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private clockOffsetMs = 0;

  constructor(
    private readonly store: S3Endpoint & { endpoint: string },
    options: { maxSockets: number },
  ) {
    this.endpoint = new URL(store.endpoint);
    this.signer = new SignatureV4({
      service: 's3',
      region: store.region,
      credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
      sha256: NodeSha256,
      // Paths are encoded once, by encodeKey, as S3 wants them (other services want them twice).
      uriEscapePath: false,
      applyChecksum: false,
    });
    const secure = this.endpoint.protocol === 'https:';
    this.transport = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, ...(store.caCertificates ? { ca: [...rootCertificates, ...store.caCertificates] } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /** The object's bytes, which must be exactly `expectedBytes` (the listed size), and its carried headers. */
  async getObject(bucket: string, key: string, expectedBytes: number, signal?: AbortSignal): Promise<GotObject> {
    const response = await this.send({ method: 'GET', bucket, key, headers: { 'x-amz-content-sha256': EMPTY_SHA256 } }, signal);
    const declared = response.headers['content-length'] === undefined ? undefined : Number(response.headers['content-length']);
    if (declared !== expectedBytes) {
      response.destroy();
      throw new SizeMismatchError(expectedBytes, declared);
    }
    const body = Buffer.allocUnsafe(expectedBytes);
    let received = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      // Never past the listed size, whatever the server sends: memory stays bounded by the listing.
      if (received + chunk.length > expectedBytes) {
        response.destroy();
        throw new SizeMismatchError(expectedBytes, received + chunk.length);
      }
      chunk.copy(body, received);
      received += chunk.length;
    }
    if (received !== expectedBytes) throw new TruncatedBodyError(received, expectedBytes);
    return { body, headers: carriedHeaders(response.headers) };
  }

  async putObject(bucket: string, key: string, body: Buffer, headers: ObjectHeaders, signal?: AbortSignal): Promise<void> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    const response = await this.send({ method: 'PUT', bucket, key, headers: { ...headers, 'content-length': String(body.length), 'x-amz-content-sha256': sha256 }, body }, signal);
    response.resume();
    await new Promise<void>((resolve, reject) => response.on('end', resolve).on('error', reject));
  }

  /**
   * One ListObjectsV2 page (up to 1000 keys) of the objects under `prefix`, recursive (no delimiter).
   * Keys come URL-encoded (encoding-type=url), so any key survives XML, and are decoded when the server
   * says it encoded them.
   */
  async listPage(bucket: string, prefix: string, continuationToken: string | undefined, signal?: AbortSignal): Promise<ListPage> {
    const query: Record<string, string> = { 'encoding-type': 'url', 'list-type': '2', 'max-keys': '1000' };
    if (prefix) query.prefix = prefix;
    if (continuationToken) query['continuation-token'] = continuationToken;
    const response = await this.send({ method: 'GET', bucket, key: '', query, headers: { 'x-amz-content-sha256': EMPTY_SHA256 } }, signal);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      length += chunk.length;
      // 1000 keys of at most 1 KiB each, escaped, is a few MiB: anything far beyond is not a listing page.
      if (length > MAX_LIST_PAGE_BYTES) {
        response.destroy();
        throw new ListingFormatError(`a page larger than ${MAX_LIST_PAGE_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(chunk);
    }
    return parseListPage(Buffer.concat(chunks).toString('utf8'));
  }

  destroy(): void {
    this.agent.destroy();
  }

  /** One signed request; resolves on a 2xx response (body unread), rejects with S3ResponseError otherwise. */
  private async send(spec: RequestSpec, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request(spec, signal);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return response;
      const error = await responseError(response);
      if (attempt === 1 && this.learnClock(error)) continue;
      throw error;
    }
  }

  private async request({ method, bucket, key, query = {}, headers, body }: RequestSpec, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const target = objectTarget(this.endpoint, this.store.forcePathStyle, bucket, key);
    const signed = await this.signer.sign(
      { method, protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path, query, headers: { host: target.host, 'user-agent': USER_AGENT, ...headers } },
      { signingDate: new Date(Date.now() + this.clockOffsetMs) },
    );
    // Encoded as the signer canonicalises it (sorted, S3 URI encoding), so the server computes the same string.
    const search = Object.keys(query)
      .sort()
      .map((name) => `${uriEncode(name)}=${uriEncode(query[name] as string)}`)
      .join('&');
    const path = search ? `${target.path}?${search}` : target.path;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = this.transport.request(
        { agent: this.agent, method, host: target.hostname, port: target.port, path, headers: signed.headers, signal, timeout: SOCKET_TIMEOUT_MS },
        resolve,
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no response within ${SOCKET_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
      request.end(body);
    });
  }

  /** After RequestTimeTooSkewed (or a 403 from a server whose clock is far from ours): sign with its clock. */
  private learnClock(error: S3ResponseError): boolean {
    if (error.code !== 'RequestTimeTooSkewed' && error.statusCode !== 403) return false;
    const serverMs = error.serverDate ? Date.parse(error.serverDate) : Number.NaN;
    if (Number.isNaN(serverMs)) return false;
    const offset = serverMs - Date.now();
    if (Math.abs(offset - this.clockOffsetMs) < SKEW_LIMIT_MS) return false;
    this.clockOffsetMs = offset;
    return true;
  }
}

/** Direct requests need an explicit endpoint; without one (AWS by region) the SDK resolves it and does the work. */
export function createObjectRequests(store: S3Endpoint, options: { maxSockets: number }): ObjectRequests | undefined {
  return store.endpoint ? new ObjectRequests({ ...store, endpoint: store.endpoint }, options) : undefined;
}

export { S3ResponseError } from './responseError';
