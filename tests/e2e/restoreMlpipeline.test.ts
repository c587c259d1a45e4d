/** restore-mlpipeline through the packed charm: relation data → action → objects in "MinIO" (s3rver). */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { createS3Client } from '../../src/storage/client';
import { listObjects } from '../../src/storage/objects';
import { e2eSession, type E2eUnit } from '../helpers/e2eCharm';
import { fakeRelation, minioAppData, s3IntegratorAppData } from '../helpers/relationData';
import { startS3Server, type S3TestServer } from '../helpers/s3server';

const STORE_KEYS = { accessKey: 'AKIAPIPELINESTORE01', secretKey: 'pipeline-store-secret-4d3c2b' };
const MINIO_KEYS = { accessKey: 'minio', secretKey: 'pipeline-minio-secret-8a7b6c' };
const KEYS = ['artifacts/run-1/model.bin', 'artifacts/run-1/main.log', 'pipelines/ünïcode name.yaml', 'pipelines/a+b%c?d#e.yaml', 'v2/dir-marker/', 'empty.txt'];

const session = e2eSession();
let store: S3TestServer;
let minio: S3TestServer;
let storeClient: S3Client;
let minioClient: S3Client;
const bodies = new Map<string, Buffer>();

beforeAll(async () => {
  [store, minio] = await Promise.all([startS3Server(STORE_KEYS), startS3Server(MINIO_KEYS)]);
  storeClient = createS3Client(store.s3Endpoint);
  minioClient = createS3Client(minio.s3Endpoint);
  await storeClient.send(new CreateBucketCommand({ Bucket: 'ckf-backups' }));
  await minioClient.send(new CreateBucketCommand({ Bucket: 'mlpipeline' }));
  for (const [index, key] of KEYS.entries()) {
    const body = key.endsWith('/') || key === 'empty.txt' ? Buffer.alloc(0) : randomBytes(1000 + index * 5000);
    bodies.set(key, body);
    await storeClient.send(new PutObjectCommand({ Bucket: 'ckf-backups', Key: `cluster-a/mlpipeline/${key}`, Body: body, ContentType: 'application/x-test' }));
  }
  await minioClient.send(new PutObjectCommand({ Bucket: 'mlpipeline', Key: 'stale/old-run.log', Body: 'stale' }));
});
afterAll(async () => {
  storeClient.destroy();
  minioClient.destroy();
  await Promise.all([store.close(), minio.close()]);
});

function unit(): E2eUnit {
  return session.unit({
    config: { 'minio-endpoint': minio.endpoint },
    relations: [
      fakeRelation('s3-credentials:3', 's3-credentials', 's3-integrator', s3IntegratorAppData({ ...STORE_KEYS, bucket: 'ckf-backups', endpoint: store.endpoint, path: 'cluster-a', region: 'us-east-1' })),
      fakeRelation('object-storage:4', 'object-storage', 'minio', minioAppData(MINIO_KEYS)),
    ],
  });
}

const minioKeys = async () => (await listObjects(minioClient, 'mlpipeline', '', 'minio')).map((object) => object.key).sort();
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

test('dry-run plans the copies and the deletion and changes nothing', async () => {
  const result = await unit().action('restore-mlpipeline', { 'dry-run': true });
  expect(result.state.failure).toBeNull();
  expect(result.state.results).toMatchObject({ 'dry-run': 'true', 'planned.copy.objects': String(KEYS.length), 'planned.delete.objects': '1', 'copied.objects': '0' });
  expect(await minioKeys()).toEqual(['stale/old-run.log']);
});

test('sync: every object arrives byte for byte with its content type, the extra is deleted; a rerun copies nothing', async () => {
  const result = await unit().action('restore-mlpipeline', { bwlimit: '0' });
  expect(result.state.failure).toBeNull();
  expect([result.exitCode, result.state.results.outcome]).toEqual([0, 'ok']);
  expect(result.state.results).toMatchObject({ 'copied.objects': String(KEYS.length), 'deleted.objects': '1', 'error-count': '0' });
  expect(await minioKeys()).toEqual([...KEYS].sort());
  for (const key of KEYS) {
    const object = await minioClient.send(new GetObjectCommand({ Bucket: 'mlpipeline', Key: key }));
    expect([key, sha(await object.Body!.transformToByteArray())]).toEqual([key, sha(bodies.get(key)!)]);
    expect(object.ContentType).toBe('application/x-test');
  }
  const again = await unit().action('restore-mlpipeline', {});
  expect(again.state.results).toMatchObject({ 'copied.objects': '0', 'deleted.objects': '0', 'skipped.objects': String(KEYS.length) });
});

test('a mistyped prefix (empty source) refuses to delete anything and says what it listed', async () => {
  const result = await unit().action('restore-mlpipeline', { prefix: 'mlpipelin' });
  expect(result.state.failure).toMatch(/ckf-backups\/cluster-a\/mlpipelin\//);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
  expect(result.stderr).toContain('ckf-restore: restore-mlpipeline refused: refusing to sync: the source lists no objects');
  expect(await minioKeys()).toEqual([...KEYS].sort());
});

test.each([
  [{ bwlimit: 'fast' }, /bwlimit/],
  [{ prefix: '../other' }, /^parameter prefix must not contain "\.\." segments/],
  [{ bucket: 'Not_A_Bucket' }, /^parameter bucket must be an S3 bucket name/],
  [{ transfers: 0 }, /^parameter transfers must be between 1 and 256/],
])('bad params %j: refused with exit status 1, nothing changed', async (params, message) => {
  const result = await unit().action('restore-mlpipeline', params);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
  expect(result.state.failure).toMatch(message);
  expect(await minioKeys()).toEqual([...KEYS].sort());
});

test('a run killed mid-way (SIGKILL, nothing cleaned up) deletes nothing; the rerun finishes the job without copying anything twice', async () => {
  const bulk = Array.from({ length: 40 }, (_, i) => `run-${i % 4}/part-${String(i).padStart(2, '0')}.bin`);
  const data = new Map(bulk.map((key) => [key, randomBytes(100_000)]));
  for (const [key, body] of data) await storeClient.send(new PutObjectCommand({ Bucket: 'ckf-backups', Key: `cluster-a/bulk/${key}`, Body: body }));
  await minioClient.send(new CreateBucketCommand({ Bucket: 'bulk' }));
  await minioClient.send(new PutObjectCommand({ Bucket: 'bulk', Key: 'extra.log', Body: 'not in the backup' }));
  const landed = async () => (await listObjects(minioClient, 'bulk', '', 'minio')).length - 1;

  // 4 MB at 1 MiB/s: about 4 s. Killed once some objects have landed, well before the end.
  const kill = new AbortController();
  const killed = unit().action('restore-mlpipeline', { prefix: 'bulk', bucket: 'bulk', bwlimit: '1M' }, { killSignal: kill.signal });
  while ((await landed()) < 5) await new Promise((resolve) => setTimeout(resolve, 50));
  kill.abort();
  const first = await killed;
  expect(first.exitCode).not.toBe(0);
  // What the killed run finished: present at full size (an upload cut by the kill could leave a short one).
  const leftBehind = await listObjects(minioClient, 'bulk', '', 'minio');
  const complete = leftBehind.filter((object) => data.get(object.key)?.length === object.size).length;
  expect(complete).toBeGreaterThanOrEqual(5);
  expect(complete).toBeLessThan(bulk.length);
  expect(leftBehind.map((object) => object.key)).toContain('extra.log');

  const rerun = await unit().action('restore-mlpipeline', { prefix: 'bulk', bucket: 'bulk', bwlimit: '0' });
  expect(rerun.state.failure).toBeNull();
  const results = rerun.state.results as Record<string, string>;
  // Exactly what the killed run had not finished is copied; nothing it finished is copied again.
  expect(results).toMatchObject({ 'copied.objects': String(bulk.length - complete), 'skipped.objects': String(complete), 'deleted.objects': '1' });
  const after = await listObjects(minioClient, 'bulk', '', 'minio');
  expect(after.map((object) => object.key).sort()).toEqual([...bulk].sort());
  for (const key of bulk) {
    const object = await minioClient.send(new GetObjectCommand({ Bucket: 'bulk', Key: key }));
    expect([key, sha(await object.Body!.transformToByteArray())]).toEqual([key, sha(data.get(key)!)]);
  }
});

test('no key of either store appears in any output', () => {
  const output = session.visibleOutput();
  for (const value of [STORE_KEYS.secretKey, STORE_KEYS.accessKey, MINIO_KEYS.secretKey]) expect(output).not.toContain(value);
});
