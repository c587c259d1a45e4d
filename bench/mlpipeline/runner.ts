/**
 * One measured run in its own process (so its peak RSS is its own): `engine` runs syncObjects, `raw` is
 * the bare limit, a parallel GET-into-memory + PUT loop with no planning, limiting or checks.
 * Bundled by main.ts with esbuild; argv[2] is the JSON job; prints one JSON line.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Endpoint } from '../../src/storage/endpoint';
import { createS3Client } from '../../src/storage/client';
import { listObjects } from '../../src/storage/objects';
import { createSyncClient, syncObjects } from '../../src/storage/sync';

interface Job {
  mode: 'engine' | 'raw';
  source: S3Endpoint;
  destination: S3Endpoint;
  sourceBucket: string;
  prefix: string;
  destinationBucket: string;
  transfers: number;
  bwlimit?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
// The raw loop has no retries of its own: it gets the SDK's (s3rver drops the odd keep-alive connection).
const makeClient = (endpoint: S3Endpoint) => (job.mode === 'engine' ? createSyncClient(endpoint, job.transfers) : createS3Client(endpoint, { maxSockets: job.transfers, maxAttempts: 3 }));
const source = makeClient(job.source);
const destination = makeClient(job.destination);
const started = performance.now();
let objects = 0;
let bytes = 0;
if (job.mode === 'engine') {
  const report = await syncObjects({
    source: { client: source, bucket: job.sourceBucket, prefix: job.prefix, where: 'backup store' },
    destination: { client: destination, bucket: job.destinationBucket, prefix: '', where: 'MinIO' },
    options: { transfers: job.transfers, ...(job.bwlimit ? { bwlimit: job.bwlimit } : {}) },
  });
  objects = report.copied.objects;
  bytes = report.copied.bytes;
} else {
  await destination.send(new CreateBucketCommand({ Bucket: job.destinationBucket }));
  const queue = await listObjects(source, job.sourceBucket, job.prefix, 'backup store');
  await Promise.all(
    Array.from({ length: job.transfers }, async () => {
      for (let item = queue.pop(); item; item = queue.pop()) {
        const got = await source.send(new GetObjectCommand({ Bucket: job.sourceBucket, Key: item.key }));
        const body = await got.Body!.transformToByteArray();
        await destination.send(new PutObjectCommand({ Bucket: job.destinationBucket, Key: item.key.slice(job.prefix.length), Body: body, ContentLength: body.length }));
        objects++;
        bytes += body.length;
      }
    }),
  );
}
source.destroy();
destination.destroy();
process.stdout.write(`${JSON.stringify({ objects, bytes, ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
