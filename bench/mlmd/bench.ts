/*
 * MLMD build benchmark (not a test): makes an MLMD-shaped database whose `sqlite3 .dump` is about 200 MB,
 * gzips the dump as the runbook does, then times our streaming build (in a child process, to read its
 * peak RSS) against `zcat dump.gz | sqlite3 new.db`, alternating runs. Writes bench/mlmd/RESULTS.md.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { addViewAndTrigger, createMlmdDatabase, databaseContents, dumpWithSqlite3, SQLITE3 } from '../../tests/helpers/mlmdFixtures';

const WORK = join(process.cwd(), '.bench', 'mlmd');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZE = { artifacts: 150_000, executions: 50_000, contexts: 5_000 };
const PADDING = 200;
const TARGET_RATIO = 1.3;
const TARGET_RSS = 256 * 1024 * 1024;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

async function ensureDump(): Promise<{ db: string; dump: string; dumpGz: string }> {
  mkdirSync(WORK, { recursive: true });
  const db = join(WORK, 'mlmd.db');
  const dump = join(WORK, 'mlmd.dump');
  const dumpGz = join(WORK, 'mlmd.dump.gz');
  if (!existsSync(dumpGz) || !existsSync(dump)) {
    rmSync(db, { force: true });
    const t = performance.now();
    createMlmdDatabase(db, SIZE, { padding: PADDING, seed: 7 });
    addViewAndTrigger(db);
    await dumpWithSqlite3(db, dump, { gzip: false });
    await dumpWithSqlite3(db, dumpGz, { gzip: true });
    console.log(`fixture made in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { db, dump, dumpGz };
}

async function runOurs(input: string, output: string): Promise<{ ms: number; rss: number }> {
  rmSync(output, { force: true });
  const child = join(process.cwd(), 'node_modules', '.cache', 'bench-mlmd', 'buildChild.mjs');
  const t = performance.now();
  const { stdout } = await execa(process.execPath, ['--no-warnings', child, input, output]);
  const ms = performance.now() - t;
  const { maxRssBytes } = JSON.parse(stdout) as { maxRssBytes: number };
  return { ms, rss: maxRssBytes };
}

async function runSqlite3(input: string, output: string): Promise<{ ms: number }> {
  rmSync(output, { force: true });
  const t = performance.now();
  const zcat = execa('zcat', [input], { stdout: 'pipe', buffer: false });
  const sqlite = execa(SQLITE3, [output], { stdin: 'pipe', stdout: 'ignore' });
  if (zcat.stdout === null || sqlite.stdin === null) throw new Error('no pipes');
  zcat.stdout.pipe(sqlite.stdin);
  await Promise.all([zcat, sqlite]);
  return { ms: performance.now() - t };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { db, dump, dumpGz } = await ensureDump();
  const ours = join(WORK, 'ours.db');
  const theirs = join(WORK, 'sqlite3.db');
  const oursPlain = join(WORK, 'ours-plain.db');
  const runs: { ours: number; sqlite3: number; rss: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await runOurs(dumpGz, ours);
    const b = await runSqlite3(dumpGz, theirs);
    runs.push({ ours: a.ms, sqlite3: b.ms, rss: a.rss });
    console.log(`run ${i + 1}: ours ${(a.ms / 1000).toFixed(2)} s (peak RSS ${mb(a.rss)}), sqlite3 ${(b.ms / 1000).toFixed(2)} s`);
  }
  const plain = await runOurs(dump, oursPlain);
  const same = JSON.stringify(databaseContents(ours)) === JSON.stringify(databaseContents(db));
  const oursMs = median(runs.map((r) => r.ours));
  const sqliteMs = median(runs.map((r) => r.sqlite3));
  const peakRss = Math.max(...runs.map((r) => r.rss), plain.rss);
  const ratio = oursMs / sqliteMs;
  const { stdout: sqliteVersion } = await execa(SQLITE3, ['--version']);
  const lines = [
    '# MLMD build benchmark',
    '',
    `Measured by \`npm run bench:mlmd\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
      `sqlite3 CLI ${sqliteVersion.split(' ')[0]}, ${RUNS} alternating runs, medians.`,
    '',
    `Input: MLMD-shaped database (schema 10; ${SIZE.artifacts} artifacts, ${SIZE.executions} executions, ` +
      `${SIZE.contexts} contexts with properties, events, paths, associations, attributions, a view and a trigger), ` +
      `\`sqlite3 mlmd.db .dump\` = ${mb(statSync(dump).size)}, gzipped ${mb(statSync(dumpGz).size)}; built database ${mb(statSync(ours).size)}.`,
    '',
    '| | wall time | peak RSS |',
    '|---|---|---|',
    `| ours: \`buildMlmdDatabase\` (gunzip + split + exec + integrity check + sha256), child process | ${(oursMs / 1000).toFixed(2)} s | ${mb(peakRss)} |`,
    `| \`zcat dump.gz \\| sqlite3 new.db\` (no verification) | ${(sqliteMs / 1000).toFixed(2)} s | — |`,
    `| ours on the uncompressed dump | ${(plain.ms / 1000).toFixed(2)} s | ${mb(plain.rss)} |`,
    '',
    `Ratio ours / sqlite3: **${ratio.toFixed(2)}×** (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}). ` +
      `Peak RSS: **${mb(peakRss)}** (target ≤ ${mb(TARGET_RSS)}: ${peakRss <= TARGET_RSS ? 'met' : 'NOT met'}). ` +
      `Rebuilt content equals the source: ${same ? 'yes' : 'NO'}.`,
    '',
    'Runs (s): ' + runs.map((r) => `ours ${(r.ours / 1000).toFixed(2)} / sqlite3 ${(r.sqlite3 / 1000).toFixed(2)}`).join('; '),
    '',
  ];
  writeFileSync(join(process.cwd(), 'bench', 'mlmd', 'RESULTS.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  if (!same) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
