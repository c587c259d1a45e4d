import type { DatabaseSync } from 'node:sqlite';
import { SqlDumpError } from './errors';
import { excerpt } from './excerpt';
import { SqlStatementSplitter, type SqlStatement } from './sqlSplitter';
import { sqliteMessage } from './sqliteErrors';

export interface SqlDumpStats {
  /** Statements executed. */
  statements: number;
}

export interface ExecuteSqlDumpOptions {
  /** Characters of SQL handed to SQLite per exec() call; big batches keep the per-call overhead low. */
  batchChars?: number;
}

/**
 * A statement of the dump with the SQL to run for it: `sql` is what SQLite executes (the content reader
 * rewrites REAL literals), `text` the statement as the dump has it when that differs (for messages).
 */
export interface RunnableStatement {
  sql: string;
  text?: string;
  index: number;
  line: number;
  keyword: string;
}

/** Savepoint around each batch, so a failing batch can be undone and replayed to find the bad statement. */
const SAVEPOINT = 'ckf_restore_batch';

/** Statements that manage transactions or connection settings: run alone, outside batch savepoints. */
const RUN_ALONE = new Set(['BEGIN', 'COMMIT', 'END', 'SAVEPOINT', 'RELEASE', 'PRAGMA']);

/**
 * Statements a dump made by `sqlite3 .dump` never holds and that could touch files other than the
 * database being built (ATTACH creates files at any path; VACUUM INTO writes one).
 */
const REFUSED = new Set(['ATTACH', 'DETACH', 'VACUUM']);

const NOT_A_GOOD_DUMP_HINT = 'The backup is damaged or not made by `sqlite3 mlmd.db .dump`; pick another backup';

/** The statements of SQL text arriving in chunks; a dump that ends inside a statement is an error. */
export async function* splitDump(chunks: AsyncIterable<string>): AsyncGenerator<SqlStatement[]> {
  const splitter = new SqlStatementSplitter();
  for await (const chunk of chunks) {
    const statements = splitter.push(chunk);
    if (statements.length > 0) yield statements;
  }
  const rest = splitter.finish();
  if (rest !== undefined) {
    throw new SqlDumpError(`The dump ends in the middle of statement ${rest.index} (line ${rest.line}): ${excerpt(rest.sql)}`, where(rest), {
      hint: 'The backup is truncated (an interrupted upload or copy); pick another backup',
    });
  }
}

/**
 * Runs the SQL text arriving as `chunks` against `db`, statement by statement in effect, but handing
 * SQLite many statements per exec() call. Throws SqlDumpError naming the failing statement; the caller
 * discards the database then.
 */
export async function executeSqlDump(db: DatabaseSync, chunks: AsyncIterable<string>, options: ExecuteSqlDumpOptions = {}): Promise<SqlDumpStats> {
  return executeStatements(db, splitDump(chunks), options);
}

/** Runs statements already split (and possibly rewritten) by a producer, in batches; see executeSqlDump. */
export async function executeStatements(
  db: DatabaseSync,
  batches: AsyncIterable<readonly RunnableStatement[]>,
  options: ExecuteSqlDumpOptions = {},
): Promise<SqlDumpStats> {
  const batchChars = options.batchChars ?? 256 * 1024;
  let batch: RunnableStatement[] = [];
  let batchLength = 0;
  let executed = 0;

  const flush = (): void => {
    if (batch.length === 0) return;
    runBatch(db, batch);
    executed += batch.length;
    batch = [];
    batchLength = 0;
  };

  for await (const statements of batches) {
    for (const statement of statements) {
      const keyword = statement.keyword;
      if (REFUSED.has(keyword)) {
        throw new SqlDumpError(
          `Statement ${statement.index} (line ${statement.line}) is ${keyword}, which a database dump never contains and which could write outside the database: ${excerpt(textOf(statement))}`,
          where(statement),
          { hint: NOT_A_GOOD_DUMP_HINT },
        );
      }
      if (keyword === 'ROLLBACK') {
        // `sqlite3 .dump` ends with ROLLBACK when it could not read the whole source database.
        throw new SqlDumpError(
          `Statement ${statement.index} (line ${statement.line}) is ROLLBACK: sqlite3 .dump met errors reading the source database, so this backup is incomplete`,
          where(statement),
          { hint: 'Pick another backup; check the source database with `PRAGMA integrity_check` before the next backup' },
        );
      }
      if (RUN_ALONE.has(keyword)) {
        flush();
        runAlone(db, statement);
        executed++;
        continue;
      }
      batch.push(statement);
      batchLength += statement.sql.length;
      if (batchLength >= batchChars) flush();
    }
  }
  flush();

  if (db.isTransaction) {
    throw new SqlDumpError(
      `The dump opens a transaction it never commits (no COMMIT after ${executed} statements)`,
      { statement: executed },
      { hint: 'The backup is truncated (an interrupted upload or copy); pick another backup' },
    );
  }
  return { statements: executed };
}

const textOf = (statement: RunnableStatement): string => statement.text ?? statement.sql;

function where(statement: { index: number; line: number }): { statement: number; line: number } {
  return { statement: statement.index, line: statement.line };
}

function failure(statement: RunnableStatement, error: unknown): SqlDumpError {
  return new SqlDumpError(
    `Statement ${statement.index} (line ${statement.line}) of the dump failed: ${sqliteMessage(error)}: ${excerpt(textOf(statement))}`,
    where(statement),
    { hint: NOT_A_GOOD_DUMP_HINT, cause: error },
  );
}

function runAlone(db: DatabaseSync, statement: RunnableStatement): void {
  try {
    db.exec(statement.sql);
  } catch (error) {
    throw failure(statement, error);
  }
}

function runBatch(db: DatabaseSync, batch: RunnableStatement[]): void {
  db.exec(`SAVEPOINT ${SAVEPOINT}`);
  try {
    db.exec(batch.length === 1 ? batch[0]!.sql : batch.map((s) => s.sql).join('\n'));
  } catch (batchError) {
    throw locateFailure(db, batch, batchError);
  }
  db.exec(`RELEASE ${SAVEPOINT}`);
}

/** Undoes a failed batch and replays it one statement at a time to name the statement that fails. */
function locateFailure(db: DatabaseSync, batch: RunnableStatement[], batchError: unknown): SqlDumpError {
  const first = batch[0]!;
  const last = batch[batch.length - 1]!;
  const rangeError = (): SqlDumpError =>
    new SqlDumpError(
      `Statements ${first.index}–${last.index} (lines ${first.line}–${last.line}) of the dump failed: ${sqliteMessage(batchError)}`,
      where(first),
      { hint: NOT_A_GOOD_DUMP_HINT, cause: batchError },
    );
  try {
    db.exec(`ROLLBACK TO ${SAVEPOINT}`);
  } catch (rollbackError) {
    // SQLite already rolled back the whole transaction (e.g. disk full): the savepoint is gone, so the
    // batch cannot be replayed; name the range instead.
    return new SqlDumpError(rangeError().message, where(first), {
      hint: NOT_A_GOOD_DUMP_HINT,
      cause: new AggregateError([batchError, rollbackError]),
    });
  }
  for (const statement of batch) {
    try {
      db.exec(statement.sql);
    } catch (error) {
      return failure(statement, error);
    }
  }
  return rangeError();
}
