/**
 * restore-mlpipeline's sync engine against Debian's rclone (`rclone sync --size-only --fast-list`) and
 * against the raw limit (a bare parallel GET+PUT loop), between two s3rver servers on loopback.
 * Usage: npm run bench:mlpipeline   (env BENCH_SMALL=1 for a quick run with 1/10 of the data;
 *        BENCH_SCENARIOS=ac,d,b,bl,bw to run only some; BENCH_TRANSFERS / BENCH_ALT_TRANSFERS for the engine's
 *        two settings; BENCH_ROUNDS (3) and BENCH_ROUNDS_NOOP (5) alternating rounds, medians reported)
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
import { BUNDLE_OPTIONS } from '../../scripts/build.ts';
import { DEFAULT_TRANSFERS } from '../../src/storage/sync/engine.ts';
import { startFaultProxy } from '../../tests/helpers/faultProxy.ts';
import { startS3Server, type S3TestServer } from '../../tests/helpers/s3server.ts';

const SMALL = process.env.BENCH_SMALL === '1';
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'ac,d,b,bl,bw').split(',');
const want = (scenario: string): boolean => SCENARIOS.includes(scenario);
/** The engine's transfers (default: the action's default) and a second setting measured beside it. */
const OURS = Number(process.env.BENCH_TRANSFERS ?? DEFAULT_TRANSFERS);
const ALT = Number(process.env.BENCH_ALT_TRANSFERS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUNDS_NOOP = Number(process.env.BENCH_ROUNDS_NOOP ?? 5);
const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'bench-mlpipeline-'));
await build({ ...BUNDLE_OPTIONS, entryPoints: [join(import.meta.dirname, 'runner.ts')], outfile: join(work, 'runner.mjs') });
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
  /** The tool's own CPU time (user + system), seconds: on 2 cores it competes with both servers. */
  cpuS: number;
}

function rssFromTime(stderr: string): number | undefined {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return match ? Number(match[1]) / 1024 : undefined;
}

function cpuFromTime(stderr: string): number {
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return user && system ? Number(user[1]) + Number(system[1]) : Number.NaN;
}

async function timed(file: string, args: string[], env: Record<string, string | undefined>): Promise<{ ms: number; stdout: string; rssMiB: number | undefined; cpuS: number }> {
  const started = performance.now();
  const result = TIME
    ? await execa(TIME, ['-v', file, ...args], { env, extendEnv: false, reject: false })
    : await execa(file, args, { env, extendEnv: false, reject: false });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${file} failed (${String(result.exitCode)}): ${String(result.stderr).slice(-2000)}`);
  return { ms, stdout: String(result.stdout), rssMiB: rssFromTime(String(result.stderr)), cpuS: cpuFromTime(String(result.stderr)) };
}

let destinationCounter = 0;
const freshBucket = (): string => `dst-${String(++destinationCounter).padStart(3, '0')}`;

async function ours(
  mode: 'engine' | 'raw',
  src: { endpoint: string; server: S3TestServer },
  dst: S3TestServer,
  bucket: string,
  prefix: string,
  transfers: number,
  destinationBucket = freshBucket(),
  options: { bwlimit?: string; partsInParallel?: number } = {},
): Promise<Measured> {
  const job = { mode, source: { ...src.server.s3Endpoint, endpoint: src.endpoint }, destination: dst.s3Endpoint, sourceBucket: bucket, prefix, destinationBucket, transfers, ...options };
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const run = await timed(process.execPath, [runnerPath, JSON.stringify(job)], env);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { objects: number; bytes: number; maxRssKiB: number };
  return { ms: run.ms, objects: out.objects, bytes: out.bytes, rssMiB: run.rssMiB ?? out.maxRssKiB / 1024, cpuS: run.cpuS };
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
  return { ms: run.ms, objects, bytes, rssMiB: run.rssMiB ?? Number.NaN, cpuS: run.cpuS };
}

const rows: string[] = [];
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
/** One table row: the median run (wall, CPU), the spread of wall times, the highest RSS seen. */
const row = (scenario: string, tool: string, runs: Measured[]): Measured => {
  const m: Measured = { ms: median(runs.map((r) => r.ms)), objects: runs[0]?.objects ?? 0, bytes: runs[0]?.bytes ?? 0, rssMiB: Math.max(...runs.map((r) => r.rssMiB)), cpuS: median(runs.map((r) => r.cpuS)) };
  const s = m.ms / 1000;
  const spread = runs.length > 1 ? `${(Math.min(...runs.map((r) => r.ms)) / 1000).toFixed(2)}–${(Math.max(...runs.map((r) => r.ms)) / 1000).toFixed(2)}` : '';
  const line = `| ${scenario} | ${tool} | ${runs.length} | ${s.toFixed(2)} | ${spread} | ${(m.objects / s).toFixed(0)} | ${(m.bytes / MiB / s).toFixed(1)} | ${m.rssMiB.toFixed(0)} | ${m.cpuS.toFixed(1)} |`;
  rows.push(line);
  console.error(line);
  return m;
};

/**
 * Runs every tool once per round, in turn, for `rounds` rounds: on this shared 2-core rig the servers'
 * speed drifts by ±20 % within minutes, so alternating and taking medians compares like with like.
 */
async function alternate(rounds: number, tools: Record<string, () => Promise<Measured>>): Promise<Record<string, Measured[]>> {
  const runs: Record<string, Measured[]> = Object.fromEntries(Object.keys(tools).map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(tools)) {
      const measured = await run();
      runs[name]?.push(measured);
      console.error(`  round ${round}/${rounds} ${name}: ${(measured.ms / 1000).toFixed(2)} s`);
    }
  }
  return runs;
}

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
  // Above the 200 MiB multipart cutoff (ours and rclone's): parts in parallel, 4 at a time, against 1.
  const countL = SMALL ? 1 : 2;
  const sizeL = 320 * MiB;
  if (want('bl')) await seed(seeder, 'huge', 'p/', Array.from({ length: countL }, () => sizeL));

  const ratios: string[] = [];
  const prefixA = 'cluster-a/mlpipeline/';
  // (a) many small objects, then (c) the no-op re-sync onto destinations (a) synced
  if (want('ac')) {
    const engineBuckets: string[] = [];
    const rcloneBuckets: string[] = [];
    const a = await alternate(ROUNDS, {
      raw: () => ours('raw', direct, minio, 'backups', prefixA, 64),
      engine: () => ours('engine', direct, minio, 'backups', prefixA, OURS, engineBuckets[engineBuckets.push(freshBucket()) - 1]),
      engineAlt: () => ours('engine', direct, minio, 'backups', prefixA, ALT),
      rclone: () => rclone(direct, minio, 'backups', prefixA, countA, bytesA, undefined, rcloneBuckets[rcloneBuckets.push(freshBucket()) - 1]),
      rcloneMatched: () => rclone(direct, minio, 'backups', prefixA, countA, bytesA, OURS),
    });
    const rawA = row('(a) small', 'raw GET+PUT ×64', a.raw ?? []);
    const engineA = row('(a) small', `engine ×${OURS}`, a.engine ?? []);
    const engineAltA = row('(a) small', `engine ×${ALT}`, a.engineAlt ?? []);
    const rcloneA = row('(a) small', 'rclone defaults (4)', a.rclone ?? []);
    row('(a) small', `rclone --transfers ${OURS}`, a.rcloneMatched ?? []);
    let round = 0;
    const c = await alternate(ROUNDS_NOOP, {
      engine: () => ours('engine', direct, minio, 'backups', prefixA, OURS, engineBuckets[round % engineBuckets.length]),
      rclone: async () => ({ ...(await rclone(direct, minio, 'backups', prefixA, countA, 0, undefined, rcloneBuckets[round++ % rcloneBuckets.length])) }),
    });
    const engineC = row('(c) no-op', `engine ×${OURS}`, (c.engine ?? []).map((m) => ({ ...m, objects: countA, bytes: 0 })));
    const rcloneC = row('(c) no-op', 'rclone defaults', c.rclone ?? []);
    ratios.push(
      `- (a) engine vs rclone defaults: ${(rcloneA.ms / engineA.ms).toFixed(2)}× faster (target ≥ 1.5×); engine ×${ALT}: ${(rcloneA.ms / engineAltA.ms).toFixed(2)}×`,
      `- (a) engine vs raw: ${((rawA.ms / engineA.ms) * 100).toFixed(0)}% of raw speed (target ≥ 80%)`,
      `- (c) no-op: engine ${(engineC.ms / 1000).toFixed(2)} s vs rclone ${(rcloneC.ms / 1000).toFixed(2)} s, ${(rcloneC.ms / engineC.ms).toFixed(2)}× (target: no slower)`,
    );
  }

  // (d) (a) with 20 ms added to every source request
  if (want('d')) {
    const proxy = await startFaultProxy({ target: backup.endpoint, latencyMs: 20 });
    const remote = { endpoint: proxy.endpoint, server: backup };
    const d = await alternate(ROUNDS, {
      engine: () => ours('engine', remote, minio, 'backups', prefixA, OURS),
      engineAlt: () => ours('engine', remote, minio, 'backups', prefixA, ALT),
      rclone: () => rclone(remote, minio, 'backups', prefixA, countA, bytesA, undefined),
      rcloneMatched: () => rclone(remote, minio, 'backups', prefixA, countA, bytesA, OURS),
    });
    await proxy.close();
    const engineD = row('(d) small +20 ms', `engine ×${OURS}`, d.engine ?? []);
    const engineAltD = row('(d) small +20 ms', `engine ×${ALT}`, d.engineAlt ?? []);
    const rcloneD = row('(d) small +20 ms', 'rclone defaults (4)', d.rclone ?? []);
    row('(d) small +20 ms', `rclone --transfers ${OURS}`, d.rcloneMatched ?? []);
    ratios.push(`- (d) engine vs rclone defaults: ${(rcloneD.ms / engineD.ms).toFixed(2)}× faster (target ≥ 3×); engine ×${ALT}: ${(rcloneD.ms / engineAltD.ms).toFixed(2)}×`);
  }

  // (b) a few large objects
  if (want('b')) {
    const b = await alternate(1, {
      raw: () => ours('raw', direct, minio, 'models', prefixA, OURS),
      engine: () => ours('engine', direct, minio, 'models', prefixA, OURS),
      rclone: () => rclone(direct, minio, 'models', prefixA, countB, bytesB, undefined),
      rcloneMatched: () => rclone(direct, minio, 'models', prefixA, countB, bytesB, OURS),
    });
    const rawB = row(`(b) ${countB} × 64 MiB`, `raw GET+PUT ×${OURS}`, b.raw ?? []);
    const engineB = row(`(b) ${countB} × 64 MiB`, `engine ×${OURS}`, b.engine ?? []);
    const rcloneB = row(`(b) ${countB} × 64 MiB`, 'rclone defaults (4)', b.rclone ?? []);
    row(`(b) ${countB} × 64 MiB`, `rclone --transfers ${OURS}`, b.rcloneMatched ?? []);
    ratios.push(`- (b) engine peak RSS ${engineB.rssMiB.toFixed(0)} MiB (target ≤ 200 MB); speed ${((rawB.ms / engineB.ms) * 100).toFixed(0)}% of raw, ${(rcloneB.ms / engineB.ms).toFixed(2)}× rclone defaults`);
  }

  // (b) beyond the multipart cutoff: not a target, a measure of parallel parts
  if (want('bl')) {
    const l = await alternate(ROUNDS, {
      engine: () => ours('engine', direct, minio, 'huge', 'p/', OURS),
      engineSequential: () => ours('engine', direct, minio, 'huge', 'p/', OURS, freshBucket(), { partsInParallel: 1 }),
      rclone: () => rclone(direct, minio, 'huge', 'p/', countL, countL * sizeL, undefined),
    });
    const label = `(b') ${countL} × ${sizeL / MiB} MiB`;
    const parallel = row(label, `engine ×${OURS}, 4 parts at a time`, l.engine ?? []);
    const sequential = row(label, `engine ×${OURS}, 1 part at a time`, l.engineSequential ?? []);
    const rcloneL = row(label, 'rclone defaults (4 parts at a time)', l.rclone ?? []);
    ratios.push(`- (b') multipart: 4 parts at a time ${(sequential.ms / parallel.ms).toFixed(2)}× 1 at a time; ${(rcloneL.ms / parallel.ms).toFixed(2)}× rclone defaults; peak RSS ${parallel.rssMiB.toFixed(0)} MiB`);
  }

  // bwlimit
  if (want('bw')) {
    const limited = row('bwlimit 5M, 25 × 1 MiB', `engine ×${OURS}`, [await ours('engine', direct, minio, 'limited', 'p/', OURS, freshBucket(), { bwlimit: '5M' })]);
    ratios.push(`- bwlimit 5M: measured ${(limited.bytes / MiB / (limited.ms / 1000)).toFixed(2)} MiB/s over the whole run incl. process start and listing (target 5 ± 0.5)`);
  }

  console.log(`\n| scenario | tool | runs | wall s (median) | wall s (min–max) | objects/s | MiB/s | peak RSS MiB | tool CPU s |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
  console.log(ratios.join('\n'));
} finally {
  seeder.destroy();
  await Promise.all([backup.close(), minio.close()]);
  rmSync(work, { recursive: true, force: true });
}
