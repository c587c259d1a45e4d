/*
 * The content jobs on a second thread (the bundled worker, as the packed charm runs it) give exactly the
 * answers of the inline path, and their errors arrive as the same typed errors.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { BUNDLE_OPTIONS, ROOT } from '../../../scripts/build';
import { buildMlmdDatabase, SqlDumpError, TruncatedGzipError, UnverifiableContentError, type RequestedMlmdFormat } from '../../../src/mlmd';
import { createHostileMlmdDatabase } from '../../helpers/hostileMlmd';
import { dumpWithSqlite3 } from '../../helpers/mlmdFixtures';
import { differences, readReference } from '../../helpers/sqliteReference';

const dir = mkdtempSync(join(tmpdir(), 'mlmd-threads-'));
const source = join(dir, 'source.db');
const dumpGz = join(dir, 'source.dump.gz');
let worker: URL;
let n = 0;

beforeAll(async () => {
  await build({ ...BUNDLE_OPTIONS, entryPoints: { contentWorker: `${ROOT}src/mlmd/content/contentWorker.ts` }, outdir: dir, outExtension: { '.js': '.mjs' } });
  worker = pathToFileURL(join(dir, 'contentWorker.mjs'));
  createHostileMlmdDatabase(source, { randomDoubles: 20_000 });
  await dumpWithSqlite3(source, dumpGz, { gzip: true });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function both(input: string, requestedFormat: RequestedMlmdFormat = 'auto') {
  const [a, b] = [join(dir, `a-${++n}.db`), join(dir, `b-${n}.db`)];
  const threaded = await buildMlmdDatabase({ input, output: a, requestedFormat, contentWorker: worker });
  const inline = await buildMlmdDatabase({ input, output: b, requestedFormat, contentWorker: null });
  return { threaded, inline, a, b };
}

test('a dump built with the reader on a second thread: same database, same fingerprint, same checks', async () => {
  const { threaded, inline, a, b } = await both(dumpGz);
  expect(threaded.contentCheck.threads).toBe(2);
  expect(inline.contentCheck.threads).toBe(1);
  expect(threaded.fingerprint).toBe(inline.fingerprint);
  expect(threaded.backupFingerprint).toBe(threaded.fingerprint);
  expect(threaded.contentCheck.rows).toBe(inline.contentCheck.rows);
  expect(threaded.statements).toBe(inline.statements);
  expect(differences(readReference(a), readReference(b))).toEqual([]);
}, 120_000);

test('a raw file digested on two threads has the fingerprint of one', async () => {
  const { threaded, inline } = await both(source, 'sqlite');
  expect(threaded.contentCheck).toMatchObject({ method: 'raw-file', threads: 2 });
  expect(threaded.fingerprint).toBe(inline.fingerprint);
  expect(threaded.contentCheck.rows).toBe(inline.contentCheck.rows);
}, 60_000);

describe('errors met on the reader thread arrive typed, with their hints', () => {
  const threadedFailure = async (name: string, bytes: Buffer): Promise<unknown> => {
    const input = join(dir, name);
    writeFileSync(input, bytes);
    return buildMlmdDatabase({ input, output: join(dir, `f-${++n}.db`), requestedFormat: 'auto', contentWorker: worker }).then(
      () => undefined,
      (e: unknown) => e,
    );
  };

  test('a truncated gzip', async () => {
    const whole = readFileSync(dumpGz);
    const error = await threadedFailure('cut.dump.gz', whole.subarray(0, Math.floor(whole.length * 0.7)));
    expect(error).toBeInstanceOf(TruncatedGzipError);
    expect((error as TruncatedGzipError).hint).toMatch(/pick another backup/);
  });

  test('a dump cut inside a statement', async () => {
    const text = gunzipSync(readFileSync(dumpGz)).toString('utf8');
    const cut = text.slice(0, text.indexOf('INSERT INTO ExecutionProperty') + 40);
    const error = await threadedFailure('cut.sql', Buffer.from(cut));
    expect(error).toBeInstanceOf(SqlDumpError);
    expect((error as SqlDumpError).line).toBe(cut.split('\n').length);
    expect((error as SqlDumpError).message).toContain('ends in the middle of statement');
  });

  test('bytes that are not UTF-8', async () => {
    // past the first 4 KiB, which decide whether the file is SQL text at all
    const filler = `INSERT INTO t VALUES('${'y'.repeat(5000)}');\n`;
    const bytes = Buffer.from(`PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n${filler}INSERT INTO t VALUES('x');\nCOMMIT;\n`);
    bytes[bytes.indexOf("'x'") + 1] = 0xc3; // a lead byte with no continuation
    const error = await threadedFailure('bad-utf8.sql', bytes);
    expect(error).toBeInstanceOf(UnverifiableContentError);
  });
});
