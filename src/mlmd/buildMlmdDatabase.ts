import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { InvalidInputError } from '../errors';
import { openBackupBytes, readFileHead, readGunzippedHead } from './backupInput';
import { EmptyBackupError, UnrecognizedBackupError } from './errors';
import { describeFormat, detectFormat, resolveFormat, type MlmdBackupFormat, type RequestedMlmdFormat } from './format';
import { gzipError } from './gzipErrors';
import { digestDatabase, locateContentWorker, readDumpFor } from './content/contentThreads';
import type { DumpContent } from './content/dumpContent';
import { registerExactReal } from './content/exactReal';
import { verifyAgainstDump } from './content/verifyContent';
import { dumpStatements } from './dumpStatements';
import { asCorruption, openReadOnly, verifyMlmdDatabase, type MlmdCounts, type MlmdDatabaseFacts } from './mlmdDatabase';
import { sha256File } from './sha256File';
import { executeStatements } from './sqlDumpExecutor';
import { looksLikeSqlText } from './sqlText';

export interface BuildMlmdDatabaseOptions {
  /** Local path of the downloaded backup. Never modified. */
  input: string;
  requestedFormat: RequestedMlmdFormat;
  /** Where the verified database goes. Written only on success (built as `<output>.partial`). */
  output: string;
  log?: (line: string) => void;
  /**
   * The bundled content worker script, so reading the dump and digesting the built database run on a
   * second core; undefined: found next to the bundle (contentThreads.ts); null: one thread.
   */
  contentWorker?: URL | null;
}

export interface BuiltDatabase {
  format: MlmdBackupFormat;
  inputBytes: number;
  outputBytes: number;
  /** Hex SHA-256 of the output file. */
  sha256: string;
  /** Content fingerprint of the built database (src/mlmd/content/rowDigest.ts). */
  fingerprint: string;
  /** Content fingerprint of the backup as our own code read it: equal to `fingerprint`, or the build fails. */
  backupFingerprint: string;
  /** How the content was checked, and how much of it. */
  contentCheck: { method: 'dump-values' | 'raw-file'; tables: number; rows: number; threads: 1 | 2 };
  schemaVersion: number;
  counts: MlmdCounts;
  /** SQL statements run (SQL dumps only). */
  statements?: number;
  durationsMs: { build: number; verify: number; content: number; hash: number; total: number };
}

/**
 * Makes a verified MLMD SQLite database at `output` from a backup: runs an SQL dump (gzipped or not) into
 * a new database, or copies a raw database file. On any failure nothing is left at `output` or
 * `<output>.partial`.
 */
export async function buildMlmdDatabase(options: BuildMlmdDatabaseOptions): Promise<BuiltDatabase> {
  const { input, output } = options;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  if (resolve(input) === resolve(output)) {
    throw new InvalidInputError(`The backup ${input} and the database to build are the same file`, {
      hint: 'Build the database at another path',
    });
  }

  const inputBytes = (await stat(input)).size;
  const format = await detectBackupFormat(input, inputBytes, options.requestedFormat);
  log(`MLMD backup ${input}: ${describeFormat(format)} (${inputBytes} bytes)`);

  const partial = `${output}.partial`;
  await removeBuildFiles(partial); // left over from an interrupted run
  try {
    const worker = options.contentWorker === null ? undefined : (options.contentWorker ?? locateContentWorker());
    const buildStart = performance.now();
    const { statements, dump } = await buildInto(partial, input, format, log, worker);
    const verifyStart = performance.now();
    const { content, facts, verifyMs } = await checkContent(partial, input, format, dump, worker);
    const hashStart = performance.now();
    const sha256 = await sha256File(partial);
    const outputBytes = (await stat(partial)).size;
    const done = performance.now();
    await rename(partial, output);
    log(
      `Built ${output}: MLMD schema ${facts.schemaVersion}, ${facts.counts.artifacts} artifacts, ` +
        `${facts.counts.executions} executions, ${facts.counts.contexts} contexts, ${outputBytes} bytes, sha256 ${sha256}`,
    );
    log(
      content.method === 'dump-values'
        ? `Content verified against the dump: ${content.rows} rows in ${content.tables} tables hold the dump's values exactly; fingerprint ${content.fingerprint}`
        : `Content fingerprint ${content.fingerprint} (${content.rows} rows in ${content.tables} tables)`,
    );
    return {
      format,
      inputBytes,
      outputBytes,
      sha256,
      fingerprint: content.fingerprint,
      backupFingerprint: content.backupFingerprint,
      contentCheck: { method: content.method, tables: content.tables, rows: content.rows, threads: content.threads },
      schemaVersion: facts.schemaVersion,
      counts: facts.counts,
      ...(statements === undefined ? {} : { statements }),
      durationsMs: {
        build: verifyStart - buildStart,
        verify: verifyMs,
        content: hashStart - verifyStart - verifyMs,
        hash: done - hashStart,
        total: performance.now() - started,
      },
    };
  } catch (error) {
    await removeBuildFiles(partial);
    throw error;
  }
}

/** The backup's format from its bytes, checked against what the operator asked for. */
export async function detectBackupFormat(
  input: string,
  inputBytes: number,
  requested: RequestedMlmdFormat,
): Promise<MlmdBackupFormat> {
  const empty = (): EmptyBackupError =>
    new EmptyBackupError(`The backup ${input} is empty`, {
      hint: 'The backup was made from an empty or missing database, or its upload failed; pick another backup',
    });
  if (inputBytes === 0) throw empty();
  const head = await readFileHead(input);
  const gunzipped = head[0] === 0x1f && head[1] === 0x8b ? await readGunzippedHead(input) : undefined;
  const detected = detectFormat(head, gunzipped);
  if (detected === undefined) throw empty();
  const format = resolveFormat(requested, detected);
  if (format === 'sql-dump' || format === 'sql-dump-gz') {
    const text = gunzipped ?? head;
    if (!looksLikeSqlText(text)) {
      throw new UnrecognizedBackupError(
        `The backup ${input} is neither an SQLite database nor SQL text${gunzipped ? ' once gunzipped' : ''}`,
        { hint: 'Pick another backup: MLMD backups are `sqlite3 mlmd.db .dump | gzip` or the raw mlmd.db file' },
      );
    }
  }
  return format;
}

/**
 * Writes the database for `format` at `partial`. For SQL dumps, returns the statement count and the
 * dump's content as our own reader saw it while SQLite ran it.
 */
async function buildInto(
  partial: string,
  input: string,
  format: MlmdBackupFormat,
  log: (line: string) => void,
  worker: URL | undefined,
): Promise<{ statements?: number; dump?: DumpContent }> {
  switch (format) {
    case 'sqlite':
      await copyFile(input, partial);
      return {};
    case 'sqlite-gz':
      try {
        await pipeline(Readable.from(openBackupBytes(input, true)), createWriteStream(partial));
      } catch (error) {
        throw gzipError(error, `The backup ${input}`);
      }
      return {};
    case 'sql-dump':
    case 'sql-dump-gz': {
      const db = openNewDatabase(partial);
      const reading = readDumpFor(input, format === 'sql-dump-gz', worker);
      try {
        const { statements } = await executeStatements(db, reading.batches);
        log(`Ran ${statements} SQL statements${reading.threads === 2 ? ' (the dump read on a second thread)' : ''}`);
        return { statements, dump: reading.content() };
      } finally {
        await reading.stop();
        db.close();
      }
    }
  }
}

interface CheckedContent {
  method: 'dump-values' | 'raw-file';
  fingerprint: string;
  backupFingerprint: string;
  tables: number;
  rows: number;
  threads: 1 | 2;
}

/**
 * SQLite's integrity check and the MLMD checks, and the content: a database built from a dump is compared
 * with the dump, value by value; a raw database file (copied byte for byte) is fingerprinted from its
 * own content. The integrity check runs while a worker thread reads part of the rows.
 */
async function checkContent(
  partial: string,
  input: string,
  format: MlmdBackupFormat,
  dump: DumpContent | undefined,
  worker: URL | undefined,
): Promise<{ content: CheckedContent; facts: MlmdDatabaseFacts; verifyMs: number }> {
  let facts: MlmdDatabaseFacts | undefined;
  let verifyMs = 0;
  const db = openReadOnly(partial);
  try {
    const { content, threads } = await digestDatabase(db, partial, worker, () => {
      const started = performance.now();
      facts = verifyMlmdDatabase(partial);
      verifyMs = performance.now() - started;
    });
    if (!facts) throw new Error('bug: the integrity check did not run');
    if (dump) {
      const gzipped = format === 'sql-dump-gz';
      const verified = await verifyAgainstDump(db, dump, content, () => dumpStatements(input, gzipped));
      return { content: { method: 'dump-values', ...verified, threads }, facts, verifyMs };
    }
    let rows = 0;
    for (const table of content.tables.values()) rows += table.digest.rows;
    return {
      content: { method: 'raw-file', fingerprint: content.fingerprint, backupFingerprint: content.fingerprint, tables: content.tables.size, rows, threads },
      facts,
      verifyMs,
    };
  } catch (error) {
    // A damaged raw file fails here first: say it the way the integrity check would.
    throw asCorruption(error, partial);
  } finally {
    db.close();
  }
}

/**
 * A brand-new database tuned for one bulk load: no durability until it is closed (it is a temp file
 * that is verified and hashed afterwards), a memory journal (needed to undo a failed batch), a bigger
 * page cache. The sqlite3 shell's defaults otherwise: foreign keys off, double-quoted strings allowed.
 */
function openNewDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false, enableDoubleQuotedStringLiterals: true });
  registerExactReal(db);
  db.exec(
    'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; ' +
      'PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;',
  );
  return db;
}

async function removeBuildFiles(partial: string): Promise<void> {
  await Promise.all([partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`].map((p) => rm(p, { force: true })));
}
