/*
 * The content of an SQLite database as typed values: every row of every table digested (rowDigest.ts),
 * its schema objects, and its content fingerprint. Values are read with 64-bit integers as bigint and REALs
 * as the doubles SQLite holds, so nothing is rounded on the way.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { UnverifiableContentError } from '../errors';
import { INTERNAL_TABLE, nameKey, type SchemaObject } from './dumpContent';
import { fingerprintOf, RowEncoder, TableDigest, type SqlValue } from './rowDigest';

export interface DatabaseTable {
  name: string;
  columns: string[];
  digest: TableDigest;
  /** Declared WITHOUT ROWID: rows have no rowid to name them by. */
  withoutRowid: boolean;
  /** The column that is the rowid (an INTEGER PRIMARY KEY), if any. */
  rowidColumn: string | undefined;
}

export interface DatabaseContent {
  /** Keyed by nameKey(name). */
  tables: Map<string, DatabaseTable>;
  schema: SchemaObject[];
  fingerprint: string;
}

export const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;


export interface TableLayout {
  name: string;
  columns: string[];
  withoutRowid: boolean;
  rowidColumn: string | undefined;
}

/** The schema objects and the layout of every table, without reading any row. */
export function describeDatabase(db: DatabaseSync): { schema: SchemaObject[]; tables: TableLayout[] } {
  const tables: TableLayout[] = [];
  const schema: SchemaObject[] = [];
  const objects = db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY rowid").all();
  for (const object of objects) {
    const type = String(object.type) as SchemaObject['type'];
    const name = String(object.name);
    const sql = object.sql === null ? '' : String(object.sql);
    if (type !== 'table') {
      schema.push({ type, name });
      continue;
    }
    if (/^CREATE\s+VIRTUAL\s/i.test(sql)) {
      throw new UnverifiableContentError(`the database has a virtual table, ${name}, whose content this restore cannot verify`, {
        hint: 'MLMD databases have no virtual tables: check that this is an MLMD backup',
      });
    }
    if (!INTERNAL_TABLE.test(name)) schema.push({ type, name });
    tables.push(layoutOf(db, name, sql));
  }
  return { schema, tables };
}

/** Reads and digests every table, in this thread. */
export function readDatabaseContent(db: DatabaseSync): DatabaseContent {
  const { schema, tables } = describeDatabase(db);
  const digests = digestParts(db, tables.map((layout) => ({ layout })));
  return assembleContent(schema, tables, [digests]);
}

/** The content from the tables' layouts and the digests of their parts (from any threads). */
export function assembleContent(schema: SchemaObject[], tables: TableLayout[], parts: ReadonlyMap<string, TableDigest>[]): DatabaseContent {
  const byKey = new Map<string, DatabaseTable>();
  for (const layout of tables) {
    const digest = new TableDigest();
    for (const part of parts) {
      const piece = part.get(layout.name);
      if (piece) digest.merge(piece);
    }
    byKey.set(nameKey(layout.name), { ...layout, digest });
  }
  return { tables: byKey, schema, fingerprint: fingerprintOf(digestsByName(byKey)) };
}

/** Table name → digest, for fingerprintOf. */
export function digestsByName(tables: ReadonlyMap<string, { name: string; digest: TableDigest }>): Map<string, TableDigest> {
  return new Map([...tables.values()].map((table) => [table.name, table.digest]));
}

function layoutOf(db: DatabaseSync, name: string, sql: string): TableLayout {
  const info = db.prepare(`SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`).all(name);
  const columns = info.map((column) => String(column.name));
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(sql.slice(sql.lastIndexOf(')') + 1));
  const keys = info.filter((column) => Number(column.pk) > 0);
  // SQLite's rule: a single-column primary key declared exactly INTEGER is the rowid.
  const rowidColumn = !withoutRowid && keys.length === 1 && String(keys[0]!.type).toUpperCase() === 'INTEGER' ? String(keys[0]!.name) : undefined;
  return { name, columns, withoutRowid, rowidColumn };
}

/** A table, or the rows of a rowid table with `from <= rowid < to`. */
export interface TablePart {
  layout: TableLayout;
  rowids?: { from: bigint; to: bigint };
}

/** Digests of the given parts, summed per table name. */
export function digestParts(db: DatabaseSync, parts: TablePart[]): Map<string, TableDigest> {
  const out = new Map<string, TableDigest>();
  const encoder = new RowEncoder();
  for (const { layout, rowids } of parts) {
    const digest = out.get(layout.name) ?? new TableDigest();
    out.set(layout.name, digest);
    const statement = selectAll(db, layout.name, layout.columns, rowids ? 'WHERE rowid >= ? AND rowid < ?' : '');
    const rows = (rowids ? statement.iterate(rowids.from, rowids.to) : statement.iterate()) as Iterable<SqlValue[]>;
    for (const row of rows) {
      encoder.begin();
      for (let i = 0; i < row.length; i++) encoder.value(row[i]!);
      digest.add(encoder.finish());
    }
  }
  return out;
}

/**
 * Splits the tables into two sets of parts with about `share` of the rows in the first, cutting one
 * rowid table at a rowid where needed (rowid spans stand in for row counts).
 */
export function splitParts(db: DatabaseSync, tables: TableLayout[], share: number): [TablePart[], TablePart[]] {
  const sized = tables.map((layout) => {
    if (layout.withoutRowid) return { layout, span: Number(db.prepare(`SELECT count(*) AS n FROM ${quoteName(layout.name)}`).get()!.n), lo: 0n, hi: 0n };
    const bounds = db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${quoteName(layout.name)}`);
    bounds.setReadBigInts(true);
    const { lo, hi } = bounds.get() as { lo: bigint | null; hi: bigint | null };
    return lo === null || hi === null ? { layout, span: 0, lo: 0n, hi: 0n } : { layout, span: Number(hi - lo) + 1, lo, hi };
  });
  const total = sized.reduce((sum, t) => sum + t.span, 0);
  let budget = total * share;
  const first: TablePart[] = [];
  const second: TablePart[] = [];
  for (const table of sized) {
    if (budget <= 0) second.push({ layout: table.layout });
    else if (table.span <= budget || table.layout.withoutRowid) {
      first.push({ layout: table.layout });
      budget -= table.span;
    } else {
      const cut = table.lo + BigInt(Math.floor(budget));
      first.push({ layout: table.layout, rowids: { from: table.lo, to: cut } });
      second.push({ layout: table.layout, rowids: { from: cut, to: table.hi + 1n } });
      budget = 0;
    }
  }
  return [first, second];
}

/** `SELECT <columns> FROM <table> [extra]`, returning arrays with bigints. */
export function selectAll(db: DatabaseSync, table: string, columns: string[], extra = ''): StatementSync {
  const statement = db.prepare(`SELECT ${columns.map(quoteName).join(', ')} FROM ${quoteName(table)} ${extra}`);
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);
  return statement;
}
