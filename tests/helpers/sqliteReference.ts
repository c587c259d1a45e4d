/*
 * The reference reading of an SQLite database for exactness tests: Debian's sqlite3 CLI (not node:sqlite,
 * not our code) prints every value of every table with its storage class and exact bits — REALs as their
 * 8-byte IEEE pattern through the shell's own ieee754_to_blob(), TEXT and BLOB as hex bytes, INTEGERs as
 * decimal text — so two databases can be compared cell by cell and bit for bit.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { SQLITE3 } from './mlmdFixtures';

export type ReferenceType = 'null' | 'integer' | 'real' | 'text' | 'blob';

export interface ReferenceCell {
  type: ReferenceType;
  /** integer: decimal; real: 16 hex digits of the IEEE pattern; text/blob: hex of the bytes; null: ''. */
  value: string;
}

export interface ReferenceTable {
  columns: string[];
  /** By rowid, in rowid order. */
  rows: Map<bigint, ReferenceCell[]>;
}

export interface ReferenceDatabase {
  /** `type name` → hex of sqlite_schema.sql, for every schema object but autoindexes. */
  schema: Map<string, string>;
  tables: Map<string, ReferenceTable>;
}

function sqlite3(db: string, sql: string): string {
  return execFileSync(SQLITE3, ['-readonly', '-batch', '-noheader', '-list', '-separator', '|', db, sql], {
    encoding: 'utf8',
    maxBuffer: 2 * 1024 * 1024 * 1024,
  });
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function cellSql(column: string): string {
  const c = quoteIdent(column);
  return `typeof(${c}) || ':' || CASE typeof(${c}) WHEN 'real' THEN hex(ieee754_to_blob(${c})) WHEN 'integer' THEN CAST(${c} AS TEXT) WHEN 'null' THEN '' ELSE hex(${c}) END`;
}

export function readReference(db: string): ReferenceDatabase {
  const schema = new Map<string, string>();
  const tableNames: string[] = [];
  for (const line of sqlite3(db, "SELECT type, hex(name), hex(sql) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name").split('\n')) {
    if (line === '') continue;
    const [type, nameHex, sqlHex] = line.split('|') as [string, string, string];
    const name = Buffer.from(nameHex, 'hex').toString('utf8');
    schema.set(`${type} ${name}`, sqlHex);
    if (type === 'table') tableNames.push(name);
  }
  const tables = new Map<string, ReferenceTable>();
  for (const name of tableNames) {
    const columns = sqlite3(db, `SELECT hex(name) FROM pragma_table_info(${"'" + name.replace(/'/g, "''") + "'"}) ORDER BY cid`)
      .split('\n')
      .filter((l) => l !== '')
      .map((hex) => Buffer.from(hex, 'hex').toString('utf8'));
    const rows = new Map<bigint, ReferenceCell[]>();
    const select = columns.length === 0 ? 'rowid' : `rowid, ${columns.map(cellSql).join(', ')}`;
    for (const line of sqlite3(db, `SELECT ${select} FROM ${quoteIdent(name)} ORDER BY rowid`).split('\n')) {
      if (line === '') continue;
      const [rowid, ...cells] = line.split('|');
      rows.set(
        BigInt(rowid!),
        cells.map((cell) => {
          const colon = cell.indexOf(':');
          return { type: cell.slice(0, colon) as ReferenceType, value: cell.slice(colon + 1) };
        }),
      );
    }
    tables.set(name, { columns, rows });
  }
  return { schema, tables };
}

export interface CellDifference {
  table: string;
  rowid: bigint;
  column: string;
  left: ReferenceCell | undefined;
  right: ReferenceCell | undefined;
}

/** Every cell that differs between two reference readings (a missing row counts once, column '*'). */
export function differences(left: ReferenceDatabase, right: ReferenceDatabase): CellDifference[] {
  const out: CellDifference[] = [];
  const names = new Set([...left.tables.keys(), ...right.tables.keys()]);
  for (const table of names) {
    const l = left.tables.get(table);
    const r = right.tables.get(table);
    const rowids = new Set([...(l?.rows.keys() ?? []), ...(r?.rows.keys() ?? [])]);
    for (const rowid of rowids) {
      const lr = l?.rows.get(rowid);
      const rr = r?.rows.get(rowid);
      if (!lr || !rr) {
        out.push({ table, rowid, column: '*', left: undefined, right: undefined });
        continue;
      }
      const columns = l?.columns ?? r?.columns ?? [];
      for (let i = 0; i < Math.max(lr.length, rr.length); i++) {
        const a = lr[i];
        const b = rr[i];
        if (a?.type !== b?.type || a?.value !== b?.value) out.push({ table, rowid, column: columns[i] ?? String(i), left: a, right: b });
      }
    }
  }
  return out;
}

/** A REAL cell as a number (for messages and ulp distances). */
export function realOf(cell: ReferenceCell): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${cell.value}`));
  return view.getFloat64(0);
}

/** How many representable doubles apart two REAL cells are (±0 count as one point, as they compare equal). */
export function ulpDistance(a: ReferenceCell, b: ReferenceCell): bigint {
  // Map the IEEE patterns onto a line where consecutive doubles are consecutive integers.
  const ordered = (cell: ReferenceCell): bigint => {
    const bits = BigInt(`0x${cell.value}`);
    return bits >= 2n ** 63n ? -(bits - 2n ** 63n) : bits;
  };
  const d = ordered(a) - ordered(b);
  return d < 0n ? -d : d;
}

/**
 * The content fingerprint as README's "content fingerprint" section defines it, computed here from the
 * sqlite3 CLI's reading, independently of src/mlmd: per table (sorted by name, UTF-8 bytes), the row count
 * and the sum modulo 2^256 of SHA-256 over each row's canonical encoding; then SHA-256 over all of that.
 */
export function referenceFingerprint(db: ReferenceDatabase): string {
  const names = [...db.tables.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const outer = createHash('sha256');
  outer.update('ckf-restore content fingerprint v1\n');
  for (const name of names) {
    const table = db.tables.get(name)!;
    let sum = 0n;
    for (const cells of table.rows.values()) {
      const parts: Buffer[] = [u32(cells.length)];
      for (const cell of cells) parts.push(encodeCell(cell));
      sum = (sum + BigInt(`0x${createHash('sha256').update(Buffer.concat(parts)).digest('hex')}`)) % 2n ** 256n;
    }
    const nameBytes = Buffer.from(name, 'utf8');
    outer.update(u32(nameBytes.length));
    outer.update(nameBytes);
    const count = Buffer.alloc(8);
    count.writeBigUInt64BE(BigInt(table.rows.size));
    outer.update(count);
    outer.update(Buffer.from(sum.toString(16).padStart(64, '0'), 'hex'));
  }
  return outer.digest('hex');
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function encodeCell(cell: ReferenceCell): Buffer {
  switch (cell.type) {
    case 'null':
      return Buffer.from([0]);
    case 'integer': {
      const b = Buffer.alloc(9);
      b[0] = 1;
      b.writeBigInt64BE(BigInt(cell.value), 1);
      return b;
    }
    case 'real':
      return Buffer.concat([Buffer.from([2]), Buffer.from(cell.value, 'hex')]);
    case 'text':
    case 'blob': {
      const bytes = Buffer.from(cell.value, 'hex');
      return Buffer.concat([Buffer.from([cell.type === 'text' ? 3 : 4]), u32(bytes.length), bytes]);
    }
  }
}
