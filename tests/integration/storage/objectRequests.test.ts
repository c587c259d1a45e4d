/**
 * Direct GetObject/PutObject/listing (src/storage/requests/) against a real S3 server, which checks every
 * signature: key shapes, carried headers, sizes that do not match the listing, refused credentials, a
 * skewed clock, an unreachable endpoint.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListingFormatError } from '../../../src/storage/requests/listingXml';
import { createS3Client } from '../../../src/storage/client';
import { SizeMismatchError } from '../../../src/storage/bodyErrors';
import { createObjectRequests, ObjectRequests, S3ResponseError } from '../../../src/storage/requests/objectRequests';
import { toStorageError } from '../../../src/storage/storageError';
import { isTransient } from '../../../src/storage/sync/errors';
import { startS3Server, type S3TestServer } from '../../helpers/s3server';

let server: S3TestServer;
let client: S3Client;
let requests: ObjectRequests;

beforeAll(async () => {
  server = await startS3Server();
  client = createS3Client(server.s3Endpoint);
  requests = createObjectRequests(server.s3Endpoint, { maxSockets: 4 })!;
  await client.send(new CreateBucketCommand({ Bucket: 'direct' }));
});
afterAll(async () => {
  client.destroy();
  requests.destroy();
  await server.close();
});
afterEach(() => jest.restoreAllMocks());

const KEYS = ['plain', 'with space/x', 'ünï/日本/файл', 'plus+sign', 'percent%20%2F', 'q?x=1&y=2', 'hash#frag', "tilde~star*paren(1)!'", 'dir/marker/'];

test.each(KEYS)('%s: what PutObject wrote reads back byte for byte, and what it writes the SDK reads back', async (key) => {
  const body = randomBytes(3000);
  await client.send(new PutObjectCommand({ Bucket: 'direct', Key: `sdk/${key}`, Body: body, ContentType: 'application/x-kfp', Metadata: { origin: 'kfp', 'run-id': '7' }, CacheControl: 'no-cache' }));
  const got = await requests.getObject('direct', `sdk/${key}`, body.length);
  expect(got.body.equals(body)).toBe(true);
  expect(got.headers).toEqual({ 'content-type': 'application/x-kfp', 'cache-control': 'no-cache', 'x-amz-meta-origin': 'kfp', 'x-amz-meta-run-id': '7' });

  await requests.putObject('direct', `direct/${key}`, got.body, got.headers);
  const head = await client.send(new HeadObjectCommand({ Bucket: 'direct', Key: `direct/${key}` }));
  expect(head).toMatchObject({ ContentLength: body.length, ContentType: 'application/x-kfp', CacheControl: 'no-cache', Metadata: { origin: 'kfp', 'run-id': '7' } });
  const read = await client.send(new GetObjectCommand({ Bucket: 'direct', Key: `direct/${key}` }));
  expect(Buffer.from(await read.Body!.transformToByteArray()).equals(body)).toBe(true);
});

test('a zero-byte object round-trips', async () => {
  await requests.putObject('direct', 'empty', Buffer.alloc(0), {});
  expect((await requests.getObject('direct', 'empty', 0)).body.length).toBe(0);
});

test('an object whose size is not the listed one is refused before its body is read (retryable)', async () => {
  await client.send(new PutObjectCommand({ Bucket: 'direct', Key: 'sized', Body: randomBytes(500) }));
  const error = await requests.getObject('direct', 'sized', 400).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SizeMismatchError);
  expect((error as Error).message).toBe('the source served 500 bytes where the listing said 400');
  expect(isTransient(error)).toBe(true);
});

test('a missing object and a missing bucket fail like the SDK: named S3 codes, not retryable, operator messages', async () => {
  const missing = (await requests.getObject('direct', 'nope', 1).catch((caught: unknown) => caught)) as S3ResponseError;
  expect(missing).toBeInstanceOf(S3ResponseError);
  expect(missing).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  expect(isTransient(missing)).toBe(false);
  expect(toStorageError(missing, 'backup store', 'reading direct/nope').message).toBe('reading direct/nope on backup store: no such object');
  const noBucket = (await requests.putObject('no-such-bucket', 'k', Buffer.from('x'), {}).catch((caught: unknown) => caught)) as S3ResponseError;
  expect(noBucket.name).toBe('NoSuchBucket');
});

test('a wrong secret key is refused by the server (the signature is checked) and never appears in the error', async () => {
  const wrong = createObjectRequests({ ...server.s3Endpoint, secretAccessKey: 'wrong-secret-value' }, { maxSockets: 1 })!;
  try {
    const error = (await wrong.putObject('direct', 'x', Buffer.from('x'), {}).catch((caught: unknown) => caught)) as S3ResponseError;
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(isTransient(error)).toBe(false);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('wrong-secret-value');
  } finally {
    wrong.destroy();
  }
});

test('a clock an hour fast is corrected from the server\'s Date header and the request goes through', async () => {
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
  const skewed = createObjectRequests(server.s3Endpoint, { maxSockets: 1 })!;
  try {
    await skewed.putObject('direct', 'skewed', Buffer.from('on time'), {});
    expect((await skewed.getObject('direct', 'skewed', 7)).body.toString()).toBe('on time');
  } finally {
    skewed.destroy();
  }
});

test('an unreachable endpoint fails with a network code the engine retries', async () => {
  const nowhere = createObjectRequests({ ...server.s3Endpoint, endpoint: 'http://127.0.0.1:1' }, { maxSockets: 1 })!;
  try {
    const error = await nowhere.getObject('direct', 'x', 1).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isTransient(error)).toBe(true);
  } finally {
    nowhere.destroy();
  }
});

test('without an explicit endpoint (AWS by region) there are no direct requests: the SDK resolves and does the work', () => {
  expect(createObjectRequests({ ...server.s3Endpoint, endpoint: undefined }, { maxSockets: 1 })).toBeUndefined();
});

test('a listing response that is not a readable page fails (retryable), never a shorter listing; an endless one is cut off', async () => {
  // A server that misbehaves as no S3 test server can: any request gets this body with a 200.
  let body: (response: http.ServerResponse) => void = (response) => response.end('<html>proxy error page</html>');
  const odd = http.createServer((_request, response) => body(response));
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  const oddRequests = createObjectRequests({ ...server.s3Endpoint, endpoint: `http://127.0.0.1:${(odd.address() as AddressInfo).port}` }, { maxSockets: 1 })!;
  try {
    const garbled = await oddRequests.listPage('direct', '', undefined).catch((caught: unknown) => caught);
    expect(garbled).toBeInstanceOf(ListingFormatError);
    expect(isTransient(toStorageError(garbled, 'backup store', 'listing direct/'))).toBe(true);

    let sent = 0;
    body = (response) => {
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const more = (): void => {
        while (sent < 200 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
        if (sent < 200 * 1024 * 1024) response.once('drain', more);
        else response.end();
      };
      more();
    };
    const endless = await oddRequests.listPage('direct', '', undefined).catch((caught: unknown) => caught);
    expect(endless).toBeInstanceOf(ListingFormatError);
    expect((endless as Error).message).toMatch(/a page larger than 32 MiB/);
    expect(sent).toBeLessThan(100 * 1024 * 1024);
  } finally {
    oddRequests.destroy();
    odd.closeAllConnections();
    await new Promise((resolve) => odd.close(resolve));
  }
});
