/*
 * Checks a database built from an SQL dump against the dump itself: the same schema objects, and in every
 * table the same rows with the same values and storage classes (REALs bit for bit), the dump's side read by
 * our own code (dumpContent.ts), the database's side read back from the file. On a difference it reads the
 * dump again to name the first differing cell: table, rowid, column, expected, found.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ContentMismatchError, UnverifiableContentError, type ContentDifference } from '../errors';
import type { SqlStatement } from '../sqlSplitter';
import { selectAll, type DatabaseContent, type DatabaseTable } from './databaseContent';
import { deleteTarget, describeValue, INTERNAL_TABLE, nameKey, type DumpContent, type DumpTable } from './dumpContent';
import { scanInsert, type ValueSink } from './insertScanner';
import { fingerprintOf, TableDigest, type SqlValue } from './rowDigest';

export interface VerifiedContent {
  /** The fingerprint of the backup's content, from the dump. */
  backupFingerprint: string;
  /** The fingerprint of the built database; equal to the backup's once verified. */
  fingerprint: string;
  tables: number;
  rows: number;
}

const MISMATCH_HINT =
  'Nothing in the cluster was changed. The database SQLite built from this dump does not hold the dump\'s values; ' +
  'restore from the raw database file backup if there is one, and report this with the backup';


/**
 * `built` is the database's content as read from `db` (readDatabaseContent, or digestDatabase on two
 * threads); `db` is read again only to name a difference.
 */
export async function verifyAgainstDump(
  db: DatabaseSync,
  dump: DumpContent,
  built: DatabaseContent,
  reread: () => AsyncIterable<SqlStatement>,
): Promise<VerifiedContent> {
  if (dump.unread) {
    const { index, line, reason, excerpt } = dump.unread;
    throw new UnverifiableContentError(`statement ${index} (line ${line}) of the dump cannot be checked: ${reason}: ${excerpt}`, {
      hint: 'Nothing was changed. Use a backup made by `sqlite3 mlmd.db .dump`, or the raw database file',
    });
  }
  compareSchema(dump, built);

  const expected = new Map<string, { name: string; digest: TableDigest }>();
  let rows = 0;
  for (const [key, table] of built.tables) {
    const fromDump = dump.tables.get(key);
    if (!fromDump) {
      if (!INTERNAL_TABLE.test(table.name)) throw mismatch({ table: table.name, expected: 'no such table in the backup', found: `a table of ${table.digest.rows} rows` });
      expected.set(key, { name: table.name, digest: new TableDigest() });
    } else {
      checkColumns(fromDump, table);
      expected.set(key, { name: table.name, digest: fromDump.digest });
    }
    rows += table.digest.rows;
  }
  for (const [key, table] of dump.tables) {
    if (!built.tables.has(key)) throw mismatch({ table: table.name, expected: `a table of ${table.digest.rows} rows`, found: 'no such table' });
  }
  for (const [key, table] of built.tables) {
    const want = expected.get(key)!.digest;
    if (!want.equals(table.digest)) throw await locateDifference(db, table, want, reread);
  }
  return { backupFingerprint: fingerprintOf(byName(expected)), fingerprint: built.fingerprint, tables: built.tables.size, rows };
}

function byName(tables: Map<string, { name: string; digest: TableDigest }>): Map<string, TableDigest> {
  return new Map([...tables.values()].map((t) => [t.name, t.digest]));
}

function compareSchema(dump: DumpContent, built: DatabaseContent): void {
  const label = (o: { type: string; name: string }): string => `${o.type} ${nameKey(o.name)}`;
  const fromDump = new Map(dump.schema.map((o) => [label(o), o]));
  const inDb = new Map(built.schema.map((o) => [label(o), o]));
  for (const [key, o] of fromDump) {
    if (!inDb.has(key)) throw mismatch({ table: o.name, expected: `the dump creates ${o.type} ${o.name}`, found: 'the built database lacks it' });
  }
  for (const [key, o] of inDb) {
    if (!fromDump.has(key)) throw mismatch({ table: o.name, expected: `no ${o.type} ${o.name} in the dump`, found: `the built database has it` });
  }
}

function checkColumns(fromDump: DumpTable, table: DatabaseTable): void {
  const listed = fromDump.columns;
  if (listed === undefined) return; // the row width is part of each row's digest
  const same = listed.length === table.columns.length && listed.every((name, i) => nameKey(name) === nameKey(table.columns[i]!));
  if (!same) {
    throw new UnverifiableContentError(`the dump's INSERTs into ${table.name} name the columns (${listed.join(', ')}) but the table has (${table.columns.join(', ')})`, {
      hint: 'Nothing was changed. Use a backup made by `sqlite3 mlmd.db .dump` without --preserve-rowids, or the raw database file',
    });
  }
}

function mismatch(difference: ContentDifference): ContentMismatchError {
  const where = [difference.table, difference.rowid === undefined ? undefined : `rowid ${difference.rowid}`, difference.column === undefined ? undefined : `column ${difference.column}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return new ContentMismatchError(`the built database differs from the backup at ${where}: the backup has ${difference.expected}, the database ${difference.found}`, difference, {
    hint: MISMATCH_HINT,
  });
}

/**
 * One table's rows from the dump, in order, as typed values. An internal table (sqlite_sequence) is
 * emptied by the dump's `DELETE FROM` before it is refilled, so only the rows after that count; such
 * tables are small and are collected whole.
 */
async function* dumpRows(table: string, reread: () => AsyncIterable<SqlStatement>): AsyncGenerator<SqlValue[]> {
  const key = nameKey(table);
  const internal = INTERNAL_TABLE.test(table);
  let held: SqlValue[][] = [];
  for await (const statement of reread()) {
    if (statement.keyword === 'DELETE' && nameKey(deleteTarget(statement.sql) ?? '') === key) held = [];
    if (statement.keyword !== 'INSERT') continue;
    const rows: SqlValue[][] = [];
    let row: SqlValue[] = [];
    const sink: ValueSink = {
      beginRow: () => (row = []),
      null: () => row.push(null),
      integer: (value) => row.push(BigInt(value)),
      real: (value) => row.push(value),
      text: (value) => row.push(value),
      blobHex: (hex) => row.push(Buffer.from(hex, 'hex')),
      endRow: () => rows.push(row),
    };
    if (nameKey(scanInsert(statement.sql, sink).table) !== key) continue;
    if (internal) held.push(...rows);
    else yield* rows;
  }
  yield* held;
}

function sameValue(a: SqlValue | undefined, b: SqlValue | undefined): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  return a === b;
}

/** The first differing row and column of `table`, as an error; a row-count message when every row matched. */
async function locateDifference(db: DatabaseSync, table: DatabaseTable, expected: TableDigest, reread: () => AsyncIterable<SqlStatement>): Promise<ContentMismatchError> {
  const compareRow = (rowid: string | undefined, want: SqlValue[], got: SqlValue[] | undefined): ContentMismatchError | undefined => {
    if (got === undefined) return mismatch({ table: table.name, rowid, column: undefined, expected: `a row (${want.map(describeValue).join(', ')})`, found: 'no such row' });
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (!sameValue(want[i], got[i])) {
        return mismatch({ table: table.name, rowid, column: table.columns[i] ?? `#${i + 1}`, expected: describeValue(want[i]), found: describeValue(got[i]) });
      }
    }
    return undefined;
  };
  const countMessage = (): ContentMismatchError =>
    mismatch({ table: table.name, rowid: undefined, column: undefined, expected: `${expected.rows} rows`, found: `${table.digest.rows} rows` });

  if (table.withoutRowid) {
    return mismatch({ table: table.name, rowid: undefined, column: undefined, expected: `${expected.rows} rows with their values`, found: `${table.digest.rows} rows, some of them different (a WITHOUT ROWID table: rows have no rowid to name)` });
  }
  if (table.rowidColumn !== undefined) {
    // Rows are stored by their INTEGER PRIMARY KEY: look each dump row up by it.
    const at = table.columns.indexOf(table.rowidColumn);
    const lookup = selectAll(db, table.name, table.columns, 'WHERE rowid = ?');
    for await (const want of dumpRows(table.name, reread)) {
      const key = want[at];
      const got = typeof key === 'bigint' ? (lookup.get(key) as SqlValue[] | undefined) : undefined;
      const difference = compareRow(typeof key === 'bigint' ? String(key) : undefined, want, got);
      if (difference) return difference;
    }
    return countMessage();
  }
  // Other rowid tables: the build inserted the dump's rows in order into an empty table, so the k-th row
  // of the dump has the k-th rowid.
  const built = (selectAll(db, table.name, ['rowid', ...table.columns], 'ORDER BY rowid').iterate() as Iterator<SqlValue[]>);
  for await (const want of dumpRows(table.name, reread)) {
    const next = built.next();
    const got = next.done ? undefined : next.value;
    const difference = compareRow(got ? String(got[0]) : undefined, want, got?.slice(1));
    if (difference) return difference;
  }
  return countMessage();
}
