import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { InvalidInputError } from '../errors';
import { openBackupBytes, openBackupText, readFileHead, readGunzippedHead } from './backupInput';
import { EmptyBackupError, UnrecognizedBackupError } from './errors';
import { describeFormat, detectFormat, resolveFormat, type MlmdBackupFormat, type RequestedMlmdFormat } from './format';
import { gzipError } from './gzipErrors';
import { verifyMlmdDatabase, type MlmdCounts } from './mlmdDatabase';
import { sha256File } from './sha256File';
import { executeSqlDump } from './sqlDumpExecutor';
import { looksLikeSqlText } from './sqlText';

export interface BuildMlmdDatabaseOptions {
  /** Local path of the downloaded backup. Never modified. */
  input: string;
  requestedFormat: RequestedMlmdFormat;
  /** Where the verified database goes. Written only on success (built as `<output>.partial`). */
  output: string;
  log?: (line: string) => void;
}

export interface BuiltDatabase {
  format: MlmdBackupFormat;
  inputBytes: number;
  outputBytes: number;
  /** Hex SHA-256 of the output file. */
  sha256: string;
  schemaVersion: number;
  counts: MlmdCounts;
  /** SQL statements run (SQL dumps only). */
  statements?: number;
  durationsMs: { build: number; verify: number; hash: number; total: number };
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
    const buildStart = performance.now();
    const statements = await buildInto(partial, input, format, log);
    const verifyStart = performance.now();
    const facts = verifyMlmdDatabase(partial);
    const hashStart = performance.now();
    const sha256 = await sha256File(partial);
    const outputBytes = (await stat(partial)).size;
    const done = performance.now();
    await rename(partial, output);
    log(
      `Built ${output}: MLMD schema ${facts.schemaVersion}, ${facts.counts.artifacts} artifacts, ` +
        `${facts.counts.executions} executions, ${facts.counts.contexts} contexts, ${outputBytes} bytes, sha256 ${sha256}`,
    );
    return {
      format,
      inputBytes,
      outputBytes,
      sha256,
      schemaVersion: facts.schemaVersion,
      counts: facts.counts,
      ...(statements === undefined ? {} : { statements }),
      durationsMs: {
        build: verifyStart - buildStart,
        verify: hashStart - verifyStart,
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

/** Writes the database for `format` at `partial`; returns the statement count for SQL dumps. */
async function buildInto(
  partial: string,
  input: string,
  format: MlmdBackupFormat,
  log: (line: string) => void,
): Promise<number | undefined> {
  switch (format) {
    case 'sqlite':
      await copyFile(input, partial);
      return undefined;
    case 'sqlite-gz':
      try {
        await pipeline(Readable.from(openBackupBytes(input, true)), createWriteStream(partial));
      } catch (error) {
        throw gzipError(error, `The backup ${input}`);
      }
      return undefined;
    case 'sql-dump':
    case 'sql-dump-gz': {
      const db = openNewDatabase(partial);
      try {
        const { statements } = await executeSqlDump(db, openBackupText(input, format === 'sql-dump-gz'));
        log(`Ran ${statements} SQL statements`);
        return statements;
      } finally {
        db.close();
      }
    }
  }
}

/**
 * A brand-new database tuned for one bulk load: no durability until it is closed (it is a temp file
 * that is verified and hashed afterwards), a memory journal (needed to undo a failed batch), a bigger
 * page cache. The sqlite3 shell's defaults otherwise: foreign keys off, double-quoted strings allowed.
 */
function openNewDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false, enableDoubleQuotedStringLiterals: true });
  db.exec(
    'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; ' +
      'PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;',
  );
  return db;
}

async function removeBuildFiles(partial: string): Promise<void> {
  await Promise.all([partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`].map((p) => rm(p, { force: true })));
}
