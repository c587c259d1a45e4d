import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createS3Client } from '../../../src/storage/client';
import { downloadToFile, headObject, listObjects, uploadFromStream } from '../../../src/storage/objects';
import { createObjectRequests } from '../../../src/storage/requests/objectRequests';
import { StorageError } from '../../../src/storage/storageError';
import { startS3Server, type S3TestServer } from '../../helpers/s3server';

let server: S3TestServer;
let client: S3Client;
const dir = mkdtempSync(join(tmpdir(), 'objects-'));
const WHERE = 'backup store';

beforeAll(async () => {
  server = await startS3Server();
  client = createS3Client(server.s3Endpoint);
  await client.send(new CreateBucketCommand({ Bucket: 'bkt' }));
});
afterAll(async () => {
  client.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const binaryOrder = (keys: string[]): string[] => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

async function put(keys: string[], body: (key: string) => string = () => 'x'): Promise<void> {
  const queue = [...keys];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: Buffer.from(body(key)) }));
  }));
}

test('listing pages past 1000 keys in UTF-8 binary order, each key once, through the SDK and directly (the test server behaves like S3)', async () => {
  // Keys whose directory-walk order differs from binary order: "a/b" vs "a-b" vs "a.b", and unicode.
  const keys: string[] = [];
  for (let i = 0; i < 1100; i++) keys.push(`many/${['a/b', 'a-b', 'a.b', 'é', 'z'][i % 5]}/${String(i).padStart(5, '0')}`);
  await put(keys);
  const viaSdk = await listObjects(client, 'bkt', 'many/', WHERE);
  expect(viaSdk.map((object) => object.key)).toEqual(binaryOrder(keys));
  const direct = createObjectRequests(server.s3Endpoint, { maxSockets: 2 })!;
  try {
    expect(await listObjects(client, 'bkt', 'many/', WHERE, direct)).toEqual(viaSdk);
  } finally {
    direct.destroy();
  }
});

test('direct listing: every key shape, sizes, ETags and dates read exactly as the SDK reads them (keys URL-encoded on the wire)', async () => {
  const shapes = ['with space/x y', 'plus+sign', 'percent%20%2F', 'q?x=1&y=2', 'hash#frag', "tilde~star*paren(1)!'", 'ünï/日本/файл', 'emoji 😀/\uE000', 'amp&lt;<>"', 'dir/marker/', `long/${Array.from({ length: 7 }, (_, i) => `${String(i)}${'k'.repeat(130)}`).join('/')}`];
  const keys = shapes.map((shape) => `shapes/${shape}`);
  await put(keys, (key) => 'y'.repeat(key.length % 7));
  const direct = createObjectRequests(server.s3Endpoint, { maxSockets: 2 })!;
  try {
    const listed = await listObjects(client, 'bkt', 'shapes/', WHERE, direct);
    expect(listed.map((object) => object.key)).toEqual(binaryOrder(keys));
    expect(listed).toEqual(await listObjects(client, 'bkt', 'shapes/', WHERE));
    // The server did encode them (as S3 does; the SDK hands such keys back undecoded): the decoding was exercised.
    const raw = await client.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'shapes/with', EncodingType: 'url' }));
    expect(raw.Contents?.map((object) => object.Key)).toEqual(['shapes/with+space/x+y']);
    // The prefix itself is sent encoded and matched exactly.
    expect((await listObjects(client, 'bkt', 'shapes/plus+', WHERE, direct)).map((object) => object.key)).toEqual(['shapes/plus+sign']);
    expect(await listObjects(client, 'bkt', 'shapes/nothing-here', WHERE, direct)).toEqual([]);
  } finally {
    direct.destroy();
  }
});

test('direct listing fails like the SDK: a missing bucket, refused credentials (never in the message), an unreachable store', async () => {
  const direct = createObjectRequests(server.s3Endpoint, { maxSockets: 1 })!;
  const wrong = createObjectRequests({ ...server.s3Endpoint, secretAccessKey: 'wrong-secret-value' }, { maxSockets: 1 })!;
  const nowhere = createObjectRequests({ ...server.s3Endpoint, endpoint: 'http://127.0.0.1:1' }, { maxSockets: 1 })!;
  try {
    const missing = (await listObjects(client, 'no-such-bucket', '', WHERE, direct).catch((caught: unknown) => caught)) as StorageError;
    expect(missing.message).toBe('listing no-such-bucket/ on backup store: the bucket does not exist');
    const refused = (await listObjects(client, 'bkt', '', WHERE, wrong).catch((caught: unknown) => caught)) as StorageError;
    expect(refused.message).toBe('listing bkt/ on backup store: the credentials were refused');
    expect(JSON.stringify({ message: refused.message, stack: refused.stack, hint: refused.hint })).not.toContain('wrong-secret-value');
    const unreachable = (await listObjects(client, 'bkt', '', WHERE, nowhere).catch((caught: unknown) => caught)) as StorageError;
    expect(unreachable.message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  } finally {
    for (const requests of [direct, wrong, nowhere]) requests.destroy();
  }
});

test('download streams to the file; upload is multipart from a stream; head reports size or undefined', async () => {
  const data = randomBytes(20 * 1024 * 1024 + 17);
  await uploadFromStream(client, 'bkt', 'big/blob.bin', Readable.from([data.subarray(0, 5_000_000), data.subarray(5_000_000)]), WHERE);
  expect((await headObject(client, 'bkt', 'big/blob.bin', WHERE))?.size).toBe(data.length);
  expect(await headObject(client, 'bkt', 'big/missing', WHERE)).toBeUndefined();
  const target = join(dir, 'blob.bin');
  expect(await downloadToFile(client, 'bkt', 'big/blob.bin', target, WHERE)).toBe(data.length);
  expect(createHash('sha256').update(readFileSync(target)).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
});

test('errors name the store and the object, say what to check, and leave no partial file', async () => {
  const target = join(dir, 'missing.bin');
  const error = await downloadToFile(client, 'bkt', 'nope/missing.bin', target, WHERE).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).message).toBe('downloading bkt/nope/missing.bin on backup store: no such object');
  expect(existsSync(target) || existsSync(`${target}.partial`)).toBe(false);

  const missingBucket = await listObjects(client, 'no-such-bucket', '', WHERE).catch((caught: unknown) => caught);
  expect((missingBucket as StorageError).message).toMatch(/the bucket does not exist/);

  // s3rver does not verify SigV4 signatures, only the access key id: a wrong id is what it can refuse.
  const wrongKeys = createS3Client({ ...server.s3Endpoint, accessKeyId: 'AKIAWRONGKEY0000', secretAccessKey: 'wrong-secret-value' });
  const refused = await listObjects(wrongKeys, 'bkt', '', WHERE).catch((caught: unknown) => caught);
  expect((refused as StorageError).message).toMatch(/the credentials were refused/);
  expect(String((refused as StorageError).message)).not.toContain('wrong-secret-value');
  wrongKeys.destroy();

  const closed = createS3Client({ ...server.s3Endpoint, endpoint: 'http://127.0.0.1:1' }, { maxAttempts: 1 });
  const unreachable = await listObjects(closed, 'bkt', '', WHERE).catch((caught: unknown) => caught);
  expect((unreachable as StorageError).message).toMatch(/cannot connect \(ECONNREFUSED\)/);
  closed.destroy();
});
