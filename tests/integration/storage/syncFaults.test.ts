/**
 * The sync engine with a fault-injecting proxy in front of both stores: transient faults are retried
 * (and counted and logged) until every object's bytes match; persistent ones fail the run by key, delete
 * nothing, and a rerun finishes the job; an aborted run leaves a state the rerun completes.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { listObjects } from '../../../src/storage/objects';
import { USER_AGENT, type ObjectRequests } from '../../../src/storage/requests/objectRequests';
import { createSyncClient, createSyncRequests, syncObjects, SyncFailedError, type SyncOptions, type SyncReport } from '../../../src/storage/sync';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../../helpers/faultProxy';
import { startS3Server, type S3TestServer } from '../../helpers/s3server';

let backup: S3TestServer;
let minio: S3TestServer;
let srcProxy: FaultProxy;
let dstProxy: FaultProxy;
/** Direct clients (seeding, verifying) and clients through the proxies (the engine). */
let srcDirect: S3Client;
let dstDirect: S3Client;
let src: S3Client;
let dst: S3Client;
/** The engine's direct requests for small objects, also through the proxies. */
let srcRequests: ObjectRequests;
let dstRequests: ObjectRequests;

beforeAll(async () => {
  [backup, minio] = await Promise.all([startS3Server(), startS3Server()]);
  [srcProxy, dstProxy] = await Promise.all([startFaultProxy({ target: backup.endpoint }), startFaultProxy({ target: minio.endpoint })]);
  srcDirect = createSyncClient(backup.s3Endpoint);
  dstDirect = createSyncClient(minio.s3Endpoint);
  src = createSyncClient({ ...backup.s3Endpoint, endpoint: srcProxy.endpoint }, 4);
  dst = createSyncClient({ ...minio.s3Endpoint, endpoint: dstProxy.endpoint }, 4);
  srcRequests = createSyncRequests({ ...backup.s3Endpoint, endpoint: srcProxy.endpoint }, 4)!;
  dstRequests = createSyncRequests({ ...minio.s3Endpoint, endpoint: dstProxy.endpoint }, 4)!;
});
afterAll(async () => {
  for (const client of [srcDirect, dstDirect, src, dst, srcRequests, dstRequests]) client.destroy();
  await Promise.all([srcProxy.close(), dstProxy.close()]);
  await Promise.all([backup.close(), minio.close()]);
});
afterEach(() => {
  srcProxy.setFault(undefined);
  dstProxy.setFault(undefined);
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function seed(bucket: string, objects: Record<string, Buffer>): Promise<void> {
  await srcDirect.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(objects)) await srcDirect.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Destination key → sha256, read directly from the server. */
async function hashes(client: S3Client, bucket: string, prefix = ''): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const object of await listObjects(client, bucket, prefix, 'test')) {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
    result[object.key.slice(prefix.length)] = sha(await response.Body!.transformToByteArray());
  }
  return result;
}

/** `direct`: small objects go by direct requests, as in the charm; false: everything through the SDK. */
function run(bucket: string, options: SyncOptions = {}, log: string[] = [], signal?: AbortSignal, direct = true): Promise<SyncReport> {
  return syncObjects({
    source: { client: src, requests: direct ? srcRequests : undefined, bucket, prefix: 'f/', where: `backup store ${srcProxy.endpoint}` },
    destination: { client: dst, requests: direct ? dstRequests : undefined, bucket: `${bucket}-dst`, prefix: '', where: `MinIO ${dstProxy.endpoint}` },
    options: { transfers: 4, retryBaseDelayMs: 5, attempts: 5, ...options },
    log: (line) => log.push(line),
    ...(signal ? { signal } : {}),
  });
}

/** A fault on the first `times` requests for which `match` holds. */
function firstTimes(times: number, match: (request: ProxiedRequest) => boolean, fault: Fault): (request: ProxiedRequest) => Fault | undefined {
  let left = times;
  return (request) => {
    if (left <= 0 || !match(request)) return undefined;
    left--;
    return fault;
  };
}

function combine(...rules: ((request: ProxiedRequest) => Fault | undefined)[]): (request: ProxiedRequest) => Fault | undefined {
  return (request) => {
    for (const rule of rules) {
      const fault = rule(request);
      if (fault) return fault;
    }
    return undefined;
  };
}

const get = (path: string) => (request: ProxiedRequest) => request.method === 'GET' && request.path === path && !request.url.includes('list-type');
const put = (path: string, query = '') => (request: ProxiedRequest) => request.method === 'PUT' && request.path === path && request.url.includes(query);

test.each([
  ['direct requests for small objects', 'trans', true],
  ['the SDK for every object', 'transsdk', false],
] as const)('transient faults on both sides (500, 503 SlowDown, resets and truncation mid-body, cut uploads, a failing and a cut-off listing, a failing part) are retried until every byte matches: %s', async (_mode, b, direct) => {
  const objects: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) objects[`f/obj-${i}`] = randomBytes(150_000 + i);
  objects['f/big.bin'] = randomBytes(20 * 1024 * 1024 + 5);
  await seed(b, objects);
  const injectedBefore = srcProxy.injected.length + dstProxy.injected.length;
  // Which client read and wrote the small objects: the direct requests name themselves, the SDK does not.
  const smallObjectAgents = new Set<string>();
  const noteAgent = (request: ProxiedRequest): undefined => {
    if (/\/obj-\d+$/.test(request.path)) smallObjectAgents.add(request.userAgent === USER_AGENT ? 'direct' : 'sdk');
    return undefined;
  };
  srcProxy.setFault(
    combine(
      noteAgent,
      firstTimes(1, (request) => request.url.includes('list-type'), { kind: 'status', status: 503, code: 'SlowDown' }),
      // The retried listing is then cut off mid-page: read again, never taken as a shorter listing.
      (request) => (request.url.includes('list-type') && request.previous === 1 ? { kind: 'truncate-response', afterBytes: 300 } : undefined),
      firstTimes(1, get(`/${b}/f/obj-1`), { kind: 'status', status: 500, code: 'InternalError' }),
      firstTimes(1, get(`/${b}/f/obj-2`), { kind: 'status', status: 503, code: 'SlowDown' }),
      firstTimes(1, get(`/${b}/f/obj-3`), { kind: 'reset-response', afterBytes: 50_000 }),
      firstTimes(2, get(`/${b}/f/obj-4`), { kind: 'truncate-response', afterBytes: 10_000 }),
      firstTimes(1, get(`/${b}/f/big.bin`), { kind: 'reset-response', afterBytes: 3_000_000 }),
    ),
  );
  dstProxy.setFault(
    combine(
      noteAgent,
      firstTimes(1, put(`/${b}-dst/obj-5`), { kind: 'status', status: 503, code: 'SlowDown' }),
      firstTimes(1, put(`/${b}-dst/obj-6`), { kind: 'reset-request', afterBytes: 60_000 }),
      firstTimes(1, put(`/${b}-dst/obj-7`), { kind: 'status', status: 500, code: 'InternalError' }),
      firstTimes(1, put(`/${b}-dst/big.bin`, 'partNumber=2'), { kind: 'reset-request', afterBytes: 1_000_000 }),
    ),
  );
  const log: string[] = [];
  const report = await run(b, { partSizeBytes: 5 * 1024 * 1024, multipartThresholdBytes: 16 * 1024 * 1024 }, log, undefined, direct);
  const injected = srcProxy.injected.length + dstProxy.injected.length - injectedBefore;
  expect(injected).toBe(12);
  expect(report).toMatchObject({ copied: { objects: 13 }, errorCount: 0 });
  expect(report.retries).toBe(injected);
  expect(log.filter((line) => line.startsWith('retry ')).length).toBe(injected);
  expect(log.join('\n')).toMatch(new RegExp(`retry 1/4 copying f/obj-2 in \\d+ ms: reading ${b}/f/obj-2 on backup store .*SlowDown`));
  expect(log.join('\n')).toContain(`retry 1/4 listing ${b}/f/`);
  expect(log.join('\n')).toContain(`retry 2/4 listing ${b}/f/`);
  expect(await hashes(dstDirect, `${b}-dst`)).toEqual(await hashes(srcDirect, b, 'f/'));
  expect([...smallObjectAgents]).toEqual([direct ? 'direct' : 'sdk']);
});

test('persistent faults fail the run naming the keys and reasons, delete nothing, and the rerun copies just those', async () => {
  const objects: Record<string, Buffer> = {};
  for (let i = 0; i < 8; i++) objects[`f/obj-${i}`] = randomBytes(100_000 + i);
  await seed('pers', objects);
  await dstDirect.send(new CreateBucketCommand({ Bucket: 'pers-dst' }));
  await dstDirect.send(new PutObjectCommand({ Bucket: 'pers-dst', Key: 'extra', Body: 'stale' }));
  srcProxy.setFault((request) => (get('/pers/f/obj-3')(request) ? { kind: 'status', status: 500, code: 'InternalError' } : undefined));
  // Every attempt at obj-6 is cut off mid-upload (s3rver keeps the partial object, as real S3 would not).
  dstProxy.setFault((request) => (put('/pers-dst/obj-6')(request) ? { kind: 'reset-request', afterBytes: 30_000 } : undefined));

  const error = (await run('pers', { attempts: 3 }).catch((caught: unknown) => caught)) as SyncFailedError;
  expect(error).toBeInstanceOf(SyncFailedError);
  expect(error.reason).toBe('copy-failed');
  expect(error.message).toMatch(/^2 of 8 objects could not be copied, so nothing was deleted: /);
  expect(error.message).toContain('f/obj-3 (reading pers/f/obj-3 on backup store');
  expect(error.message).toContain('f/obj-6 (writing pers-dst/obj-6 on MinIO');
  expect(error.hint).toMatch(/run the restore again/);
  expect(error.report).toMatchObject({ copied: { objects: 6 }, deleted: { objects: 0 }, errorCount: 2, retries: 4 });
  expect(error.report.errors.map((entry) => entry.key).sort()).toEqual(['f/obj-3', 'f/obj-6']);
  expect(Object.keys(await hashes(dstDirect, 'pers-dst'))).toContain('extra');

  srcProxy.setFault(undefined);
  dstProxy.setFault(undefined);
  const rerun = await run('pers');
  expect(rerun).toMatchObject({ copied: { objects: 2 }, deleted: { objects: 1 }, errorCount: 0 });
  expect(await hashes(dstDirect, 'pers-dst')).toEqual(await hashes(srcDirect, 'pers', 'f/'));
});

test('an aborted run stops mid-way, deletes nothing; the rerun copies only what is missing and the result verifies', async () => {
  const objects: Record<string, Buffer> = {};
  for (let i = 0; i < 40; i++) objects[`f/o${String(i).padStart(2, '0')}`] = randomBytes(80_000);
  await seed('abrt', objects);
  await dstDirect.send(new CreateBucketCommand({ Bucket: 'abrt-dst' }));
  await dstDirect.send(new PutObjectCommand({ Bucket: 'abrt-dst', Key: 'extra', Body: 'stale' }));
  const controller = new AbortController();
  let puts = 0;
  dstProxy.setFault((request) => {
    if (request.method === 'PUT' && ++puts === 15) controller.abort(new Error('operator cancelled'));
    return undefined;
  });
  const error = (await run('abrt', {}, [], controller.signal).catch((caught: unknown) => caught)) as SyncFailedError;
  expect(error).toBeInstanceOf(SyncFailedError);
  expect(error.reason).toBe('aborted');
  expect(error.report.copied.objects).toBeGreaterThan(0);
  expect(error.report.copied.objects).toBeLessThan(40);
  expect(error.report.deleted.objects).toBe(0);
  expect(Object.keys(await hashes(dstDirect, 'abrt-dst'))).toContain('extra');

  const rerun = await run('abrt');
  expect(rerun.copied.objects).toBeLessThanOrEqual(40 - error.report.copied.objects);
  expect(rerun.copied.objects + rerun.skipped.objects).toBe(40);
  expect(rerun.deleted.objects).toBe(1);
  expect(await hashes(dstDirect, 'abrt-dst')).toEqual(await hashes(srcDirect, 'abrt', 'f/'));
});

test('an object replaced while its parts are copied fails that attempt (never two versions mixed); the retry copies the new one whole', async () => {
  const before = randomBytes(12 * 1024 * 1024);
  const after = randomBytes(before.length);
  await seed('repl', { 'f/model.bin': before });
  // Parts one at a time: when part 2 is asked for, part 1 is on the destination already; the source
  // object is replaced before that request reaches the server. (s3rver ignores If-Match, so the ETag
  // check is what must catch it.)
  let replaced: Promise<unknown> | undefined;
  srcProxy.setFault((request) => {
    if (request.method !== 'GET' || request.path !== '/repl/f/model.bin' || request.previous !== 1) return undefined;
    replaced = srcDirect.send(new PutObjectCommand({ Bucket: 'repl', Key: 'f/model.bin', Body: after }));
    return { kind: 'delay', ms: 500 };
  });
  const log: string[] = [];
  const report = await run('repl', { partSizeBytes: 5 * 1024 * 1024, multipartThresholdBytes: 5 * 1024 * 1024, partsInParallel: 1 }, log);
  await replaced;
  expect(report).toMatchObject({ copied: { objects: 1 }, retries: 1, errorCount: 0 });
  expect(log.join('\n')).toMatch(/retry 1\/4 copying f\/model\.bin in \d+ ms: reading repl\/f\/model\.bin \(bytes 5242880–10485759\) on backup store .*: the object changed while it was being copied/);
  expect(await hashes(dstDirect, 'repl-dst')).toEqual({ 'model.bin': sha(after) });
});

test('parts of one object go in parallel; a part cut off fails the attempt, and the retry completes the object', async () => {
  const data = randomBytes(24 * 1024 * 1024);
  await seed('para', { 'f/big.bin': data });
  const firstArrival = new Map<number, number>();
  dstProxy.setFault((request) => {
    const part = Number(/partNumber=(\d+)/.exec(request.url)?.[1]);
    if (request.method !== 'PUT' || !part || firstArrival.has(part)) return undefined;
    firstArrival.set(part, performance.now());
    // Part 1 is held back 300 ms on its first attempt; part 3's first upload is cut off.
    if (part === 1) return { kind: 'delay', ms: 300 };
    if (part === 3) return { kind: 'reset-request', afterBytes: 1_000_000 };
    return undefined;
  });
  const log: string[] = [];
  const report = await run('para', { partSizeBytes: 5 * 1024 * 1024, multipartThresholdBytes: 5 * 1024 * 1024 }, log);
  expect(report).toMatchObject({ copied: { objects: 1 }, retries: 1, errorCount: 0 });
  // Part 2 was asked for while part 1 was still held: one at a time, it would have waited 300 ms.
  expect((firstArrival.get(2) as number) - (firstArrival.get(1) as number)).toBeLessThan(300);
  expect(log.join('\n')).toMatch(/retry 1\/4 copying f\/big\.bin in \d+ ms: writing para-dst\/big\.bin \(part 3 of 5\) on MinIO/);
  expect(await hashes(dstDirect, 'para-dst')).toEqual({ 'big.bin': sha(data) });
});
