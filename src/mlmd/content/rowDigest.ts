/*
 * The content fingerprint of an SQLite database: a hash over the typed values of every table, defined by
 * content alone, so a raw database file and the database rebuilt from its dump agree.
 *
 * - A value is encoded by storage class: NULL `00`; INTEGER `01` + 8-byte two's complement big-endian;
 *   REAL `02` + the 8-byte IEEE-754 pattern big-endian (bit for bit: -0.0 and 0.0 differ); TEXT `03` +
 *   u32 byte length + UTF-8; BLOB `04` + u32 length + bytes.
 * - A row is u32 column count + its values; its hash is SHA-256 of that.
 * - A table's digest is its row count and the sum modulo 2^256 of its rows' hashes. A sum, not a chained
 *   hash, because row order is not content: `sqlite3 .dump` does not keep the rowids of tables without an
 *   INTEGER PRIMARY KEY and may list rows in an index's order. (A sum still counts duplicate rows.)
 * - The fingerprint is SHA-256 over the header `ckf-restore content fingerprint v1\n` and, for each table
 *   sorted by the UTF-8 bytes of its name: u32 name length, name, u64 row count, the 32-byte sum.
 */
import { createHash, hash } from 'node:crypto';

export const FINGERPRINT_HEADER = 'ckf-restore content fingerprint v1\n';

const enum Tag {
  Null = 0,
  Integer = 1,
  Real = 2,
  Text = 3,
  Blob = 4,
}

/** Values as node:sqlite returns them with readBigInts: INTEGER is bigint, REAL is number. */
export type SqlValue = null | bigint | number | string | Uint8Array;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_32 = 4294967296;

/** Builds one row's canonical bytes into a reused buffer. */
export class RowEncoder {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  private columns = 0;

  begin(): void {
    this.length = 4;
    this.columns = 0;
  }

  null(): void {
    this.room(1);
    this.buffer[this.length++] = Tag.Null;
    this.columns++;
  }

  integer(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`integer ${value} is outside 64 bits`);
    this.room(9);
    this.buffer[this.length] = Tag.Integer;
    this.buffer.writeBigInt64BE(value, this.length + 1);
    this.length += 9;
    this.columns++;
  }

  /** An INTEGER that is a safe JS integer (the common case, without a BigInt). */
  smallInteger(value: number): void {
    this.room(9);
    const at = this.length;
    this.buffer[at] = Tag.Integer;
    const hi = Math.floor(value / TWO_32);
    this.buffer.writeInt32BE(hi, at + 1);
    this.buffer.writeUInt32BE(value - hi * TWO_32, at + 5);
    this.length += 9;
    this.columns++;
  }

  real(value: number): void {
    this.room(9);
    this.buffer[this.length] = Tag.Real;
    this.buffer.writeDoubleBE(value, this.length + 1);
    this.length += 9;
    this.columns++;
  }

  text(value: string): void {
    this.room(5 + value.length * 3);
    const at = this.length;
    this.buffer[at] = Tag.Text;
    const bytes = this.buffer.write(value, at + 5, 'utf8');
    this.buffer.writeUInt32BE(bytes, at + 1);
    this.length += 5 + bytes;
    this.columns++;
  }

  blob(value: Uint8Array): void {
    this.room(5 + value.length);
    const at = this.length;
    this.buffer[at] = Tag.Blob;
    this.buffer.writeUInt32BE(value.length, at + 1);
    this.buffer.set(value, at + 5);
    this.length += 5 + value.length;
    this.columns++;
  }

  /** A BLOB from the hex digits of an `X'…'` literal (already checked to be hex of even length). */
  blobHex(hex: string): void {
    const size = hex.length / 2;
    this.room(5 + size);
    const at = this.length;
    this.buffer[at] = Tag.Blob;
    this.buffer.writeUInt32BE(size, at + 1);
    const written = this.buffer.write(hex, at + 5, 'hex');
    if (written !== size) throw new RangeError('not hex');
    this.length += 5 + size;
    this.columns++;
  }

  value(value: SqlValue): void {
    if (value === null) this.null();
    else if (typeof value === 'bigint') this.integer(value);
    else if (typeof value === 'number') this.real(value);
    else if (typeof value === 'string') this.text(value);
    else this.blob(value);
  }

  get columnCount(): number {
    return this.columns;
  }

  /** SHA-256 of the row (count + values). */
  finish(): Buffer {
    this.buffer.writeUInt32BE(this.columns, 0);
    return hash('sha256', this.buffer.subarray(0, this.length), 'buffer');
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }
}

/** Rows added: how many, and the sum of their hashes mod 2^256 (carried lazily in 32-bit lanes). */
export class TableDigest {
  rows = 0;
  // Eight 32-bit lanes, most significant first, each holding an unnormalised sum below 2^53.
  private readonly lanes = new Float64Array(8);
  private sinceNormalise = 0;

  add(rowHash: Buffer): void {
    const lanes = this.lanes;
    for (let i = 0; i < 8; i++) lanes[i]! += rowHash.readUInt32BE(i * 4);
    this.rows++;
    if (++this.sinceNormalise >= 1 << 20) this.normalise();
  }

  /** The 32-byte sum, big-endian. */
  sum(): Buffer {
    this.normalise();
    const out = Buffer.alloc(32);
    for (let i = 0; i < 8; i++) out.writeUInt32BE(this.lanes[i]!, i * 4);
    return out;
  }

  /** A digest carried over from another thread: its row count and sum(). */
  static from(rows: number, sum: Buffer): TableDigest {
    const digest = new TableDigest();
    digest.rows = rows;
    for (let i = 0; i < 8; i++) digest.lanes[i] = sum.readUInt32BE(i * 4);
    return digest;
  }

  /** Adds another digest's rows (digests of disjoint parts of one table add up to the table's). */
  merge(other: TableDigest): void {
    const sum = other.sum();
    this.normalise();
    for (let i = 0; i < 8; i++) this.lanes[i]! += sum.readUInt32BE(i * 4);
    this.rows += other.rows;
    this.normalise();
  }

  equals(other: TableDigest): boolean {
    return this.rows === other.rows && this.sum().equals(other.sum());
  }

  private normalise(): void {
    const lanes = this.lanes;
    let carry = 0;
    for (let i = 7; i >= 0; i--) {
      const total = lanes[i]! + carry;
      carry = Math.floor(total / TWO_32);
      lanes[i] = total - carry * TWO_32;
    }
    // the carry out of the top lane is dropped: mod 2^256
    this.sinceNormalise = 0;
  }
}

/** The fingerprint (hex) of a set of table digests, keyed by table name. */
export function fingerprintOf(tables: ReadonlyMap<string, TableDigest>): string {
  const names = [...tables.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const outer = createHash('sha256');
  outer.update(FINGERPRINT_HEADER);
  for (const name of names) {
    const table = tables.get(name)!;
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(nameBytes.length);
    const count = Buffer.alloc(8);
    count.writeBigUInt64BE(BigInt(table.rows));
    outer.update(head);
    outer.update(nameBytes);
    outer.update(count);
    outer.update(table.sum());
  }
  return outer.digest('hex');
}
