/**
 * restore-mlpipeline's sync engine against Debian's rclone (`rclone sync --size-only --fast-list`) and
 * against the raw limit (a bare parallel GET+PUT loop), between two s3rver servers on loopback.
 * Usage: npm run bench:mlpipeline   (env BENCH_SMALL=1 for a quick run with 1/10 of the data)
 * Prints a markdown table and the target ratios; writes nothing else (RESULTS.md is written by hand).
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { S3Client as Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from '../../tests/helpers/faultProxy.ts';
import { startS3Server, type S3TestServer } from '../../tests/helpers/s3server.ts';

const SMALL = process.env.BENCH_SMALL === '1';
const OURS = Number(process.env.BENCH_TRANSFERS ?? 16);
const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'bench-mlpipeline-'));
await build({ entryPoints: [join(import.meta.dirname, 'runner.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(work, 'runner.mjs'), logLevel: 'error', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
const runnerPath = join(work, 'runner.mjs');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function client(server: S3TestServer): S3Client {
  const e = server.s3Endpoint;
  return new Client({ endpoint: e.endpoint, region: e.region, forcePathStyle: true, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 32 }) } });
}

async function seed(c: S3Client, bucket: string, prefix: string, sizes: number[]): Promise<void> {
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < sizes.length) {
      const i = next++;
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}run-${String(i % 97).padStart(3, '0')}/artifact-${String(i).padStart(5, '0')}.tgz`, Body: randomBytes(sizes[i] as number) }));
    }
  }));
}

interface Measured {
  ms: number;
  objects: number;
  bytes: number;
  rssMiB: number;
}

function rssFromTime(stderr: string): number | undefined {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return match ? Number(match[1]) / 1024 : undefined;
}

async function timed(file: string, args: string[], env: Record<string, string | undefined>): Promise<{ ms: number; stdout: string; rssMiB: number | undefined }> {
  const started = performance.now();
  const result = TIME
    ? await execa(TIME, ['-v', file, ...args], { env, extendEnv: false, reject: false })
    : await execa(file, args, { env, extendEnv: false, reject: false });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${file} failed (${String(result.exitCode)}): ${String(result.stderr).slice(-2000)}`);
  return { ms, stdout: String(result.stdout), rssMiB: rssFromTime(String(result.stderr)) };
}

let destinationCounter = 0;
const freshBucket = (): string => `dst-${String(++destinationCounter).padStart(3, '0')}`;

async function ours(mode: 'engine' | 'raw', src: { endpoint: string; server: S3TestServer }, dst: S3TestServer, bucket: string, prefix: string, transfers: number, destinationBucket = freshBucket(), bwlimit?: string): Promise<Measured> {
  const job = { mode, source: { ...src.server.s3Endpoint, endpoint: src.endpoint }, destination: dst.s3Endpoint, sourceBucket: bucket, prefix, destinationBucket, transfers, bwlimit };
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const run = await timed(process.execPath, [runnerPath, JSON.stringify(job)], env);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { objects: number; bytes: number; maxRssKiB: number };
  return { ms: run.ms, objects: out.objects, bytes: out.bytes, rssMiB: run.rssMiB ?? out.maxRssKiB / 1024 };
}

async function rclone(src: { endpoint: string; server: S3TestServer }, dst: S3TestServer, bucket: string, prefix: string, objects: number, bytes: number, transfers: number | undefined, destinationBucket = freshBucket()): Promise<Measured> {
  const remote = (name: string, endpoint: string, server: S3TestServer) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: 's3',
    [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Other',
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: server.accessKey,
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: server.secretKey,
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: endpoint,
    [`RCLONE_CONFIG_${name}_REGION`]: 'us-east-1',
    [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: 'true',
  });
  // No AWS_CA_BUNDLE (rclone would try to load it), no user config file.
  const env = { PATH: process.env.PATH, HOME: work, RCLONE_CONFIG: join(work, 'none.conf'), ...remote('SRC', src.endpoint, src.server), ...remote('DST', dst.endpoint, dst) };
  const args = ['sync', `src:${bucket}/${prefix}`, `dst:${destinationBucket}`, '--size-only', '--fast-list', ...(transfers ? ['--transfers', String(transfers)] : [])];
  const run = await timed('rclone', args, env);
  return { ms: run.ms, objects, bytes, rssMiB: run.rssMiB ?? Number.NaN };
}

const rows: string[] = [];
const row = (scenario: string, tool: string, m: Measured): Measured => {
  const s = m.ms / 1000;
  const line = `| ${scenario} | ${tool} | ${s.toFixed(2)} | ${(m.objects / s).toFixed(0)} | ${(m.bytes / MiB / s).toFixed(1)} | ${m.rssMiB.toFixed(0)} |`;
  rows.push(line);
  console.error(line);
  return m;
};

const [backup, minio] = await Promise.all([startS3Server(), startS3Server()]);
const seeder = client(backup);
const direct = { endpoint: backup.endpoint, server: backup };
try {
  const countA = SMALL ? 500 : 5000;
  const sizesA = Array.from({ length: countA }, (_, i) => 1024 + ((i * 7919) % (15 * 1024 + 1)));
  const bytesA = sizesA.reduce((a, b) => a + b, 0);
  const countB = SMALL ? 2 : 8;
  const sizesB = Array.from({ length: countB }, () => 64 * MiB);
  const bytesB = countB * 64 * MiB;
  console.error(`seeding: (a) ${countA} objects, ${(bytesA / MiB).toFixed(1)} MiB; (b) ${countB} × 64 MiB`);
  await seed(seeder, 'backups', 'cluster-a/mlpipeline/', sizesA);
  await seed(seeder, 'models', 'cluster-a/mlpipeline/', sizesB);
  await seed(seeder, 'limited', 'p/', Array.from({ length: 25 }, () => MiB));

  // (a) many small objects
  const rawA = [row('(a) small', `raw GET+PUT ×${OURS}`, await ours('raw', direct, minio, 'backups', 'cluster-a/mlpipeline/', OURS)), row('(a) small', 'raw GET+PUT ×64', await ours('raw', direct, minio, 'backups', 'cluster-a/mlpipeline/', 64))];
  const bucketA = freshBucket();
  const engineA = row('(a) small', `engine ×${OURS}`, await ours('engine', direct, minio, 'backups', 'cluster-a/mlpipeline/', OURS, bucketA));
  const engineA32 = row('(a) small', 'engine ×32', await ours('engine', direct, minio, 'backups', 'cluster-a/mlpipeline/', 32));
  const rcloneBucketA = freshBucket();
  const rcloneA = row('(a) small', 'rclone defaults (4)', await rclone(direct, minio, 'backups', 'cluster-a/mlpipeline/', countA, bytesA, undefined, rcloneBucketA));
  row('(a) small', `rclone --transfers ${OURS}`, await rclone(direct, minio, 'backups', 'cluster-a/mlpipeline/', countA, bytesA, OURS));

  // (c) no-op re-sync of (a), onto the destinations just synced
  const engineC = row('(c) no-op', `engine ×${OURS}`, { ...(await ours('engine', direct, minio, 'backups', 'cluster-a/mlpipeline/', OURS, bucketA)), objects: countA, bytes: 0 });
  const rcloneC = row('(c) no-op', 'rclone defaults', { ...(await rclone(direct, minio, 'backups', 'cluster-a/mlpipeline/', countA, 0, undefined, rcloneBucketA)) });

  // (d) (a) with 20 ms added to every source request
  const proxy = await startFaultProxy({ target: backup.endpoint, latencyMs: 20 });
  const remote = { endpoint: proxy.endpoint, server: backup };
  const engineD = row('(d) small +20 ms', `engine ×${OURS}`, await ours('engine', remote, minio, 'backups', 'cluster-a/mlpipeline/', OURS));
  const engineD64 = row('(d) small +20 ms', 'engine ×64', await ours('engine', remote, minio, 'backups', 'cluster-a/mlpipeline/', 64));
  const rcloneD = row('(d) small +20 ms', 'rclone defaults (4)', await rclone(remote, minio, 'backups', 'cluster-a/mlpipeline/', countA, bytesA, undefined));
  row('(d) small +20 ms', `rclone --transfers ${OURS}`, await rclone(remote, minio, 'backups', 'cluster-a/mlpipeline/', countA, bytesA, OURS));
  await proxy.close();

  // (b) a few large objects
  const rawB = row('(b) 8 × 64 MiB', `raw GET+PUT ×${OURS}`, await ours('raw', direct, minio, 'models', 'cluster-a/mlpipeline/', OURS));
  const engineB = row('(b) 8 × 64 MiB', `engine ×${OURS}`, await ours('engine', direct, minio, 'models', 'cluster-a/mlpipeline/', OURS));
  const rcloneB = row('(b) 8 × 64 MiB', 'rclone defaults (4)', await rclone(direct, minio, 'models', 'cluster-a/mlpipeline/', countB, bytesB, undefined));
  row('(b) 8 × 64 MiB', `rclone --transfers ${OURS}`, await rclone(direct, minio, 'models', 'cluster-a/mlpipeline/', countB, bytesB, OURS));

  // bwlimit
  const limited = row('bwlimit 5M, 25 × 1 MiB', `engine ×${OURS}`, await ours('engine', direct, minio, 'limited', 'p/', OURS, freshBucket(), '5M'));

  const bestRawA = Math.min(...rawA.map((m) => m.ms));
  const limitedRate = limited.bytes / MiB / (limited.ms / 1000);
  console.log(`\n| scenario | tool | wall s | objects/s | MiB/s | peak RSS MiB |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
  console.log(`- (a) engine vs rclone defaults: ${(rcloneA.ms / engineA.ms).toFixed(2)}× faster (target ≥ 1.5×); engine ×32: ${(rcloneA.ms / engineA32.ms).toFixed(2)}×`);
  console.log(`- (a) engine vs best raw: ${((bestRawA / engineA.ms) * 100).toFixed(0)}% of raw speed (target ≥ 80%)`);
  console.log(`- (c) no-op: engine ${(engineC.ms / 1000).toFixed(2)} s vs rclone ${(rcloneC.ms / 1000).toFixed(2)} s (target: no slower)`);
  console.log(`- (d) engine vs rclone defaults: ${(rcloneD.ms / engineD.ms).toFixed(2)}× faster (target ≥ 3×); engine ×64: ${(rcloneD.ms / engineD64.ms).toFixed(2)}×`);
  console.log(`- (b) engine peak RSS ${engineB.rssMiB.toFixed(0)} MiB (target ≤ 200 MB); speed ${((rawB.ms / engineB.ms) * 100).toFixed(0)}% of raw, ${(rcloneB.ms / engineB.ms).toFixed(2)}× rclone defaults`);
  console.log(`- bwlimit 5M: measured ${limitedRate.toFixed(2)} MiB/s over the whole run incl. process start and listing (target 5 ± 0.5)`);
} finally {
  seeder.destroy();
  await Promise.all([backup.close(), minio.close()]);
  rmSync(work, { recursive: true, force: true });
}
