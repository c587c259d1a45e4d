/**
 * One measured run in its own process (so its peak RSS is its own): `engine` runs syncObjects, `raw` is
 * the bare limit, a parallel GET-into-memory + PUT loop with no planning, limiting or checks, over the
 * same direct requests the engine uses for small objects (the fastest way this code base has).
 * Bundled by main.ts with esbuild; argv[2] is the JSON job; prints one JSON line.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { S3Endpoint } from '../../src/storage/endpoint';
import { createS3Client } from '../../src/storage/client';
import { listObjects } from '../../src/storage/objects';
import { createSyncClient, createSyncRequests, syncObjects } from '../../src/storage/sync';
import { retry } from '../../src/util/retry';

interface Job {
  mode: 'engine' | 'raw';
  source: S3Endpoint;
  destination: S3Endpoint;
  sourceBucket: string;
  prefix: string;
  destinationBucket: string;
  transfers: number;
  bwlimit?: string;
  partsInParallel?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
// s3rver drops the odd keep-alive connection: the raw loop retries at once, up to 3 attempts.
const RAW_RETRY = { attempts: 3, baseDelayMs: 0 };
const makeClient = (endpoint: S3Endpoint) => (job.mode === 'engine' ? createSyncClient(endpoint, job.transfers) : createS3Client(endpoint, { maxSockets: job.transfers, maxAttempts: 3 }));
const source = makeClient(job.source);
const destination = makeClient(job.destination);
const sourceRequests = createSyncRequests(job.source, job.transfers)!;
const destinationRequests = createSyncRequests(job.destination, job.transfers)!;
const started = performance.now();
let objects = 0;
let bytes = 0;
if (job.mode === 'engine') {
  const report = await syncObjects({
    source: { client: source, requests: sourceRequests, bucket: job.sourceBucket, prefix: job.prefix, where: 'backup store' },
    destination: { client: destination, requests: destinationRequests, bucket: job.destinationBucket, prefix: '', where: 'MinIO' },
    options: { transfers: job.transfers, ...(job.bwlimit ? { bwlimit: job.bwlimit } : {}), ...(job.partsInParallel ? { partsInParallel: job.partsInParallel } : {}) },
  });
  objects = report.copied.objects;
  bytes = report.copied.bytes;
} else {
  await destination.send(new CreateBucketCommand({ Bucket: job.destinationBucket }));
  const queue = await listObjects(source, job.sourceBucket, job.prefix, 'backup store');
  await Promise.all(
    Array.from({ length: job.transfers }, async () => {
      for (let item = queue.pop(); item; item = queue.pop()) {
        const got = await retry(() => sourceRequests.getObject(job.sourceBucket, item.key, item.size), RAW_RETRY);
        await retry(() => destinationRequests.putObject(job.destinationBucket, item.key.slice(job.prefix.length), got.body, got.headers), RAW_RETRY);
        objects++;
        bytes += got.body.length;
      }
    }),
  );
}
for (const client of [source, destination, sourceRequests, destinationRequests]) client.destroy();
process.stdout.write(`${JSON.stringify({ objects, bytes, ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
