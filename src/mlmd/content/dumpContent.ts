/*
 * The content of an SQL dump as our own code reads it, statement by statement: each table's rows
 * (digested, see rowDigest.ts) and the schema objects the dump creates. This is what the built database is
 * checked against, so it never asks SQLite what a value is. It also rewrites each REAL literal of an INSERT
 * into an exact form for SQLite to execute (see exactReal.ts), because SQLite's own decimal-to-double
 * conversion is not always correctly rounded.
 */
import type { SqlStatement } from '../sqlSplitter';
import { exactRealCall } from './exactReal';
import { scanInsert, UnsupportedSql, type ValueSink } from './insertScanner';
import { RowEncoder, TableDigest, type SqlValue } from './rowDigest';

export interface DumpTable {
  /** The name as the dump's CREATE TABLE (or INSERT) spells it. */
  name: string;
  /** The INSERTs' column list, when they have one. */
  columns: string[] | undefined;
  digest: TableDigest;
  /** True when the dump mentions the table in an INSERT or DELETE (sqlite_sequence is created implicitly). */
  written: boolean;
}

export interface SchemaObject {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
}

/** A statement of the dump that this reader cannot account for; its content cannot be verified. */
export interface UnreadStatement {
  index: number;
  line: number;
  reason: string;
  excerpt: string;
}

const keys = new Map<string, string>();

/** SQLite compares names case-insensitively in ASCII. (Memoised: a dump names its few tables millions of times.) */
export function nameKey(name: string): string {
  let key = keys.get(name);
  if (key === undefined) {
    key = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (keys.size < 10_000) keys.set(name, key);
  }
  return key;
}

/** Tables SQLite makes and fills itself (AUTOINCREMENT counters, ANALYZE statistics); a dump refills them. */
export const INTERNAL_TABLE = /^sqlite_(sequence|stat\d)$/i;

const IGNORED = new Set(['PRAGMA', 'BEGIN', 'COMMIT', 'END', 'SAVEPOINT', 'RELEASE']);

/** What a dump holds, as the reader saw it (also what a worker thread sends back, see toWire). */
export interface DumpContent {
  tables: Map<string, DumpTable>;
  schema: SchemaObject[];
  unread: UnreadStatement | undefined;
}

/** DumpContent as structured-clone data, for crossing a thread boundary. */
export interface DumpContentWire {
  tables: { key: string; name: string; columns: string[] | undefined; rows: number; sum: Uint8Array; written: boolean }[];
  schema: SchemaObject[];
  unread: UnreadStatement | undefined;
}

export function toWire(content: DumpContent): DumpContentWire {
  return {
    tables: [...content.tables].map(([key, t]) => ({ key, name: t.name, columns: t.columns, rows: t.digest.rows, sum: t.digest.sum(), written: t.written })),
    schema: content.schema,
    unread: content.unread,
  };
}

export function fromWire(wire: DumpContentWire): DumpContent {
  return {
    tables: new Map(wire.tables.map((t) => [t.key, { name: t.name, columns: t.columns, digest: TableDigest.from(t.rows, Buffer.from(t.sum)), written: t.written }])),
    schema: wire.schema,
    unread: wire.unread,
  };
}

export class DumpContentReader implements DumpContent {
  readonly tables = new Map<string, DumpTable>();
  readonly schema: SchemaObject[] = [];
  unread: UnreadStatement | undefined;
  private readonly encoder = new RowEncoder();

  /** Reads one statement; returns the SQL to execute for it (the statement, REAL literals rewritten). */
  statement(statement: SqlStatement): string {
    switch (statement.keyword) {
      case 'INSERT':
        return this.insert(statement);
      case 'CREATE':
        this.create(statement);
        return statement.sql;
      case 'DELETE':
        this.delete(statement);
        return statement.sql;
      case 'ANALYZE':
        // `ANALYZE sqlite_schema;` is how .dump makes sqlite_stat1 exist before filling it.
        this.table('sqlite_stat1');
        return statement.sql;
      default:
        if (!IGNORED.has(statement.keyword)) this.cannotRead(statement, `${statement.keyword || 'a statement'} is not part of what sqlite3 .dump writes`);
        return statement.sql;
    }
  }

  // One sink for every INSERT (no closures per statement): it encodes each row and notes REAL literals.
  private readonly reals: { value: number; start: number; end: number }[] = [];
  private readonly rowHashes: Buffer[] = [];
  private readonly sink: ValueSink = {
    beginRow: () => this.encoder.begin(),
    null: () => this.encoder.null(),
    integer: (value) => (typeof value === 'number' ? this.encoder.smallInteger(value) : this.encoder.integer(value)),
    real: (value, start, end) => {
      this.encoder.real(value);
      this.reals.push({ value, start, end });
    },
    text: (value) => this.encoder.text(value),
    blobHex: (hex) => this.encoder.blobHex(hex),
    endRow: () => this.rowHashes.push(this.encoder.finish()),
  };

  private insert(statement: SqlStatement): string {
    this.reals.length = 0;
    this.rowHashes.length = 0;
    let target;
    try {
      target = scanInsert(statement.sql, this.sink);
    } catch (error) {
      if (!(error instanceof UnsupportedSql)) throw error;
      this.cannotRead(statement, `an INSERT this restore cannot read: ${error.message}`);
      return statement.sql;
    }
    const key = nameKey(target.table);
    if (key === 'sqlite_schema' || key === 'sqlite_master') {
      this.cannotRead(statement, 'it writes the schema table directly (a virtual table?)');
      return statement.sql;
    }
    const table = this.table(target.table);
    if (table.written && !sameColumns(table.columns, target.columns)) {
      this.cannotRead(statement, `its column list differs from the table's earlier INSERTs`);
    }
    table.columns = target.columns;
    table.written = true;
    for (const row of this.rowHashes) table.digest.add(row);
    return this.reals.length === 0 ? statement.sql : rewrite(statement.sql, this.reals);
  }

  private create(statement: SqlStatement): void {
    const match = /^CREATE\s+(?:(?:TEMP|TEMPORARY)\s+)?(?:(UNIQUE)\s+)?(VIRTUAL\s+TABLE|TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?/i.exec(statement.sql);
    const kind = match?.[2]?.toUpperCase();
    if (!match || !kind || kind.startsWith('VIRTUAL') || (match[1] && kind !== 'INDEX')) {
      this.cannotRead(statement, 'a CREATE statement this restore cannot read');
      return;
    }
    const name = readName(statement.sql, match[0].length);
    if (name === undefined) {
      this.cannotRead(statement, 'a CREATE statement whose name this restore cannot read');
      return;
    }
    const type = kind.toLowerCase() as SchemaObject['type'];
    this.schema.push({ type, name });
    if (type === 'table') this.table(name).name = name;
  }

  private delete(statement: SqlStatement): void {
    // .dump writes `DELETE FROM sqlite_sequence;` before that table's rows; nothing else deletes.
    const name = deleteTarget(statement.sql);
    if (name === undefined || !INTERNAL_TABLE.test(name)) {
      this.cannotRead(statement, 'a DELETE other than the `DELETE FROM sqlite_sequence;` that sqlite3 .dump writes');
      return;
    }
    const table = this.table(name);
    table.digest = new TableDigest();
    table.written = true;
  }

  private table(name: string): DumpTable {
    const key = nameKey(name);
    let table = this.tables.get(key);
    if (!table) {
      table = { name, columns: undefined, digest: new TableDigest(), written: false };
      this.tables.set(key, table);
    }
    return table;
  }

  private cannotRead(statement: SqlStatement, reason: string): void {
    this.unread ??= { index: statement.index, line: statement.line, reason, excerpt: statement.sql.slice(0, 120) };
  }
}

function sameColumns(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((name, i) => nameKey(name) === nameKey(b[i]!));
}

/** The table of a `DELETE FROM <table>;` that deletes every row, else undefined. */
export function deleteTarget(sql: string): string | undefined {
  const match = /^DELETE\s+FROM\s+/i.exec(sql);
  return match ? readName(sql, match[0].length, true) : undefined;
}

/** The statement with each REAL literal replaced by its exact call. */
function rewrite(sql: string, reals: { value: number; start: number; end: number }[]): string {
  let out = '';
  let from = 0;
  for (const { value, start, end } of reals) {
    out += sql.slice(from, start) + exactRealCall(value);
    from = end;
  }
  return out + sql.slice(from);
}

/**
 * The (last part of the) name at `at`: bare, "…", `…`, […] or '…', possibly `schema.name`. With
 * `wholeStatement`, only a `;` and space may follow it.
 */
function readName(sql: string, at: number, wholeStatement = false): string | undefined {
  let rest = sql.slice(at);
  let name: string | undefined;
  for (;;) {
    const part = /^(?:"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]|'((?:[^']|'')*)'|([A-Za-z0-9_$\u0080-\uffff]+))/.exec(rest);
    if (!part) return undefined;
    name = part[1] !== undefined ? part[1].replace(/""/g, '"') : part[2] !== undefined ? part[2].replace(/``/g, '`') : part[3] ?? (part[4] !== undefined ? part[4].replace(/''/g, "'") : part[5]);
    rest = rest.slice(part[0].length);
    const dot = /^\s*\.\s*/.exec(rest);
    if (!dot) break;
    rest = rest.slice(dot[0].length);
  }
  if (wholeStatement && !/^\s*;?\s*$/.test(rest)) return undefined;
  return name;
}

/** A value as the dump reader and the database reader both produce it, for messages. */
export function describeValue(value: SqlValue | undefined): string {
  if (value === undefined) return 'no value';
  if (value === null) return 'NULL';
  if (typeof value === 'bigint') return `INTEGER ${value}`;
  if (typeof value === 'number') {
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(value);
    return `REAL ${Object.is(value, -0) ? '-0.0' : String(value)} (bits 0x${bits.toString('hex')})`;
  }
  if (typeof value === 'string') return `TEXT ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  const hex = Buffer.from(value).toString('hex');
  return `BLOB X'${hex.length > 64 ? `${hex.slice(0, 64)}…` : hex}' (${value.length} bytes)`;
}
