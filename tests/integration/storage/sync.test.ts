/**
 * The sync engine against two real S3 servers over HTTP ("backup store" and "MinIO"): key shapes,
 * metadata, multipart, every option, and the refusals.
 */
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { createSyncClient, createSyncRequests, syncObjects, SyncFailedError, type SyncOptions, type SyncReport } from '../../../src/storage/sync';
import { InvalidInputError } from '../../../src/errors';
import type { ObjectRequests } from '../../../src/storage/requests/objectRequests';
import { startS3Server, type S3TestServer } from '../../helpers/s3server';

let backup: S3TestServer;
let minio: S3TestServer;
let src: S3Client;
let dst: S3Client;
let srcRequests: ObjectRequests;
let dstRequests: ObjectRequests;

beforeAll(async () => {
  [backup, minio] = await Promise.all([startS3Server(), startS3Server({ accessKey: 'minio-access', secretKey: 'minio-secret-value' })]);
  src = createSyncClient(backup.s3Endpoint, 8);
  dst = createSyncClient(minio.s3Endpoint, 8);
  srcRequests = createSyncRequests(backup.s3Endpoint, 8)!;
  dstRequests = createSyncRequests(minio.s3Endpoint, 8)!;
});
afterAll(async () => {
  for (const client of [src, dst, srcRequests, dstRequests]) client.destroy();
  await Promise.all([backup.close(), minio.close()]);
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function put(client: S3Client, bucket: string, key: string, body: Uint8Array | string, extra: { ContentType?: string; Metadata?: Record<string, string> } = {}): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

async function bucket(client: S3Client, name: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: name }));
}

async function read(client: S3Client, bucketName: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** Every key → sha256 under a location, read back over S3. */
async function contents(client: S3Client, bucketName: string, prefix = ''): Promise<Map<string, string>> {
  const { listObjects } = await import('../../../src/storage/objects');
  const result = new Map<string, string>();
  const queue = await listObjects(client, bucketName, prefix, 'test');
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let object = queue.shift(); object; object = queue.shift()) result.set(object.key.slice(prefix.length), sha(await read(client, bucketName, object.key)));
  }));
  return new Map([...result].sort());
}

/** `direct`: small objects by direct requests, as in the charm; false: everything through the SDK. */
function run(srcBucket: string, prefix: string, dstBucket: string, options: SyncOptions = {}, log: string[] = [], direct = true): Promise<SyncReport> {
  return syncObjects({
    source: { client: src, requests: direct ? srcRequests : undefined, bucket: srcBucket, prefix, where: `backup store ${backup.endpoint}` },
    destination: { client: dst, requests: direct ? dstRequests : undefined, bucket: dstBucket, prefix: '', where: `MinIO ${minio.endpoint}` },
    options: { retryBaseDelayMs: 10, ...options },
    log: (line) => log.push(line),
  });
}

const KEYS = [
  'plain.txt',
  'with space/and more spaces.txt',
  'unicode/ünïcødé/日本語/файл.bin',
  'plus+sign+key',
  'percent%20not-a-space%2F',
  'question?mark=1&x=2',
  'hash#fragment',
  'tilde~star*paren(1)',
  'empty-file',
  'dir/marker/',
  'artifacts/',
  // ~1000 bytes, in path segments short enough for the test server's filesystem.
  `long/${Array.from({ length: 8 }, (_, i) => `${String(i)}${'x'.repeat(121)}`).join('/')}/end`,
];

test.each([
  ['direct requests for small objects', 'shapes', true],
  ['the SDK for every object', 'shapes-sdk', false],
] as const)('every key shape, zero-byte objects and directory markers round-trip with content type and metadata; the prefix is removed; a rerun copies nothing: %s', async (_mode, shapes, direct) => {
  await bucket(src, shapes);
  const bodies = new Map<string, Buffer>();
  for (const key of KEYS) {
    const body = key === 'empty-file' || key.endsWith('/') ? Buffer.alloc(0) : randomBytes(1000 + key.length);
    bodies.set(key, body);
    await put(src, shapes, `cluster-a/mlpipeline/${key}`, body, { ContentType: 'application/x-test', Metadata: { origin: 'kfp', 'run-id': '42' } });
  }
  await put(src, shapes, 'cluster-b/mlpipeline/other', 'not ours');
  expect(KEYS.at(-1)!.length).toBeGreaterThan(990);

  const log: string[] = [];
  const report = await run(shapes, 'cluster-a/mlpipeline/', `${shapes}-dst`, {}, log, direct);
  expect(report).toMatchObject({ copied: { objects: KEYS.length }, skipped: { objects: 0 }, deleted: { objects: 0 }, errorCount: 0, retries: 0 });
  expect(report.copied.bytes).toBe([...bodies.values()].reduce((sum, body) => sum + body.length, 0));
  await dst.send(new HeadBucketCommand({ Bucket: `${shapes}-dst` }));
  const copied = await contents(dst, `${shapes}-dst`);
  expect(new Map([...copied].sort())).toEqual(new Map([...bodies].map(([key, body]) => [key, sha(body)] as const).sort()));
  for (const key of ['plus+sign+key', 'dir/marker/', 'question?mark=1&x=2']) {
    const head = await dst.send(new HeadObjectCommand({ Bucket: `${shapes}-dst`, Key: key }));
    expect(head.ContentType).toBe('application/x-test');
    expect(head.Metadata).toEqual({ origin: 'kfp', 'run-id': '42' });
  }
  expect(log.some((line) => /^copy: 12\/12 objects, .* MiB\/s, done in/.test(line))).toBe(true);
  expect(log.join('\n')).not.toContain('minio-secret-value');

  const again = await run(shapes, 'cluster-a/mlpipeline/', `${shapes}-dst`, {}, [], direct);
  expect(again).toMatchObject({ copied: { objects: 0, bytes: 0 }, skipped: { objects: KEYS.length }, deleted: { objects: 0 }, planned: { copy: { objects: 0 } } });
});

test('more than 1000 objects: all copied, progress logged on the interval, the rerun is a no-op', async () => {
  await bucket(src, 'many');
  const keys = Array.from({ length: 1050 }, (_, i) => `p/${['a', 'a-b', 'a/b', 'é'][i % 4]}/${String(i).padStart(5, '0')}`);
  const queue = [...keys];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) await put(src, 'many', key, key);
  }));
  const log: string[] = [];
  const report = await run('many', 'p/', 'many-dst', { progressIntervalMs: 50, transfers: 8 }, log);
  expect(report.copied.objects).toBe(1050);
  // Each body is its source key, so sizes check every object and a sample of reads checks bytes
  // (s3rver serves ~150 GETs/s: reading all back would dominate the suite).
  const { listObjects } = await import('../../../src/storage/objects');
  const listed = await listObjects(dst, 'many-dst', '', 'test');
  expect(listed.map((object) => [object.key, object.size])).toEqual(keys.map((key) => [key.slice(2), Buffer.byteLength(key)]).sort((a, b) => Buffer.compare(Buffer.from(a[0] as string), Buffer.from(b[0] as string))));
  for (const key of keys.filter((_, i) => i % 97 === 0)) expect((await read(dst, 'many-dst', key.slice(2))).toString()).toBe(key);
  // Periodic lines during the copy, not only the final one.
  expect(log.filter((line) => /^copy: \d+\/1050 objects/.test(line)).length).toBeGreaterThan(1);
  const again = await run('many', 'p/', 'many-dst');
  expect(again.copied.objects).toBe(0);
  expect(again.skipped.objects).toBe(1050);
});

test.each([
  ['as 7 parts of 8 MiB, 4 at a time (see syncFaults for the parts on the wire)', 'bigparts', { partSizeBytes: 8 * 1024 * 1024, multipartThresholdBytes: 16 * 1024 * 1024 }],
  ['as one streamed PUT (below the default multipart cutoff, 200 MiB)', 'bigone', {}],
] as const)('a 50 MiB object arrives byte for byte %s', async (_, b, options) => {
  await bucket(src, b);
  const data = randomBytes(50 * 1024 * 1024 + 123);
  await put(src, b, 'b/model.bin', data);
  const report = await run(b, 'b/', `${b}-dst`, options);
  expect(report.copied).toEqual({ objects: 1, bytes: data.length });
  expect(sha(await read(dst, `${b}-dst`, 'model.bin'))).toBe(sha(data));
});

test('sync deletes extras and replaces size differences; copy-only keeps extras', async () => {
  await bucket(src, 'diff');
  await bucket(dst, 'diff-dst');
  await put(src, 'diff', 's/same', 'same');
  await put(src, 'diff', 's/changed', 'new content, longer');
  await put(src, 'diff', 's/new', 'new');
  await put(dst, 'diff-dst', 'same', 'same');
  await put(dst, 'diff-dst', 'changed', 'old');
  await put(dst, 'diff-dst', 'extra-1', 'x');
  await put(dst, 'diff-dst', 'extra/2', 'yy');

  const copyOnly = await run('diff', 's/', 'diff-dst', { deleteExtra: false });
  expect(copyOnly).toMatchObject({ copied: { objects: 2 }, skipped: { objects: 1 }, deleted: { objects: 0 }, planned: { delete: { objects: 0 } } });
  expect([...(await contents(dst, 'diff-dst')).keys()].sort()).toEqual(['changed', 'extra-1', 'extra/2', 'new', 'same']);

  const sync = await run('diff', 's/', 'diff-dst');
  expect(sync).toMatchObject({ copied: { objects: 0 }, skipped: { objects: 3 }, deleted: { objects: 2, bytes: 3 } });
  expect(await contents(dst, 'diff-dst')).toEqual(await contents(src, 'diff', 's/'));
});

test('compare=checksum copies same-size objects whose content differs; compare=size does not', async () => {
  await bucket(src, 'sums');
  await bucket(dst, 'sums-dst');
  await put(src, 'sums', 'k/a', 'AAAA');
  await put(src, 'sums', 'k/b', 'BBBB');
  await put(dst, 'sums-dst', 'a', 'AAAA');
  await put(dst, 'sums-dst', 'b', 'bbbb');
  expect((await run('sums', 'k/', 'sums-dst')).copied.objects).toBe(0);
  const report = await run('sums', 'k/', 'sums-dst', { compare: 'checksum' });
  expect(report).toMatchObject({ copied: { objects: 1, bytes: 4 }, skipped: { objects: 1 } });
  expect((await read(dst, 'sums-dst', 'b')).toString()).toBe('BBBB');
  expect((await run('sums', 'k/', 'sums-dst', { compare: 'checksum' })).copied.objects).toBe(0);
});

test('dry run reports what would happen and writes nothing, not even the bucket', async () => {
  await bucket(src, 'dry');
  await put(src, 'dry', 'd/one', '1');
  await put(src, 'dry', 'd/two', '22');
  const report = await run('dry', 'd/', 'dry-dst', { dryRun: true });
  expect(report).toMatchObject({ dryRun: true, planned: { copy: { objects: 2, bytes: 3 }, delete: { objects: 0 } }, copied: { objects: 0 }, sample: { copy: ['one', 'two'] } });
  await expect(dst.send(new HeadBucketCommand({ Bucket: 'dry-dst' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });

  await bucket(dst, 'dry-dst');
  await put(dst, 'dry-dst', 'one', '1');
  await put(dst, 'dry-dst', 'stale', 'zzz');
  const second = await run('dry', 'd/', 'dry-dst', { dryRun: true, sampleSize: 5 });
  expect(second).toMatchObject({ planned: { copy: { objects: 1, bytes: 2 }, delete: { objects: 1, bytes: 3 }, unchanged: { objects: 1 } }, sample: { copy: ['two'], delete: ['stale'] }, deleted: { objects: 0 } });
  expect([...(await contents(dst, 'dry-dst')).keys()].sort()).toEqual(['one', 'stale']);
});

test('an empty source listing is refused, naming both sides, and nothing is deleted', async () => {
  await bucket(src, 'refuse');
  await put(src, 'refuse', 'cluster-a/mlpipeline/x', 'x');
  await bucket(dst, 'refuse-dst');
  await put(dst, 'refuse-dst', 'keep-me', 'k');
  const error = await run('refuse', 'cluster-a/mlpipleine/', 'refuse-dst').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SyncFailedError);
  const failure = error as SyncFailedError;
  expect(failure.reason).toBe('empty-source');
  expect(failure.message).toContain(`refuse/cluster-a/mlpipleine/ on backup store ${backup.endpoint}`);
  expect(failure.message).toContain(`the 1 objects under refuse-dst/ on MinIO ${minio.endpoint}`);
  expect(failure.hint).toMatch(/Check the backup store bucket and prefix/);
  expect(failure.report.source.objects).toBe(0);
  expect([...(await contents(dst, 'refuse-dst')).keys()]).toEqual(['keep-me']);
});

test('max-delete: above it nothing is deleted and the run fails; at it the deletes happen', async () => {
  await bucket(src, 'maxdel');
  await bucket(dst, 'maxdel-dst');
  await put(src, 'maxdel', 'm/keep', 'k');
  for (const key of ['x1', 'x2', 'x3']) await put(dst, 'maxdel-dst', key, key);
  const error = (await run('maxdel', 'm/', 'maxdel-dst', { maxDelete: 2 }).catch((caught: unknown) => caught)) as SyncFailedError;
  expect(error).toBeInstanceOf(SyncFailedError);
  expect(error.reason).toBe('max-delete');
  expect(error.message).toMatch(/refusing to delete 3 objects .*more than max-delete \(2\)/);
  expect(error.report).toMatchObject({ copied: { objects: 1 }, deleted: { objects: 0 } });
  expect((await contents(dst, 'maxdel-dst')).size).toBe(4);
  const report = await run('maxdel', 'm/', 'maxdel-dst', { maxDelete: 3 });
  expect(report.deleted.objects).toBe(3);
  expect([...(await contents(dst, 'maxdel-dst')).keys()]).toEqual(['keep']);
});

test('bwlimit: the whole transfer, across parallel objects, takes at least what the limit implies', async () => {
  await bucket(src, 'slow');
  for (let i = 0; i < 6; i++) await put(src, 'slow', `s/${i}`, randomBytes(512 * 1024));
  const started = performance.now();
  const report = await run('slow', 's/', 'slow-dst', { bwlimit: '4M', transfers: 6 });
  const seconds = (performance.now() - started) / 1000;
  expect(report.copied.bytes).toBe(3 * 1024 * 1024);
  // 3 MiB at 4 MiB/s = 0.75 s, less one 64 KiB burst.
  expect(seconds).toBeGreaterThanOrEqual(0.7);
});

test('bad options are refused before anything is touched', async () => {
  await expect(run('nope', '', 'nope-dst', { bwlimit: '20 megs' })).rejects.toBeInstanceOf(InvalidInputError);
  await expect(run('nope', '', 'nope-dst', { transfers: 0 })).rejects.toThrow(/invalid transfers 0/);
  await expect(run('nope', '', 'nope-dst', { maxDelete: -1 })).rejects.toThrow(/invalid max-delete/);
});

test('a missing source bucket fails with the store named and nothing created', async () => {
  const error = await run('no-such-source', 'x/', 'never-created').catch((caught: unknown) => caught);
  expect((error as Error).message).toBe(`listing no-such-source/x/ on backup store ${backup.endpoint}: the bucket does not exist`);
  await expect(dst.send(new HeadBucketCommand({ Bucket: 'never-created' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
});
