/*
 * An MLMD database full of values that are hard to carry through an SQL dump exactly: doubles from random
 * 64-bit patterns and every edge of IEEE-754, 64-bit integers at both ends, text that sqlite3 .dump has to
 * write through replace()/char() expressions, blobs, and one column holding 1, 1.0 and '1'. Values are
 * bound as parameters (exact bits) into the MLMD v10 schema of mlmdFixtures.
 */
import { DatabaseSync } from 'node:sqlite';
import { createMlmdDatabase } from './mlmdFixtures';

/** Deterministic 32-bit generator (xorshift32), so the corpus is the same on every run. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function fromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi >>> 0);
  view.setUint32(4, lo >>> 0);
  return view.getFloat64(0);
}

/** Doubles that sit on an edge: zeros, subnormals, the ends of the normal range, infinities, one per exponent. */
export function edgeDoubles(): number[] {
  const out = [
    0, -0, 5e-324, -5e-324, fromBits(0x000fffff, 0xffffffff), fromBits(0x00100000, 0), -fromBits(0x00100000, 0),
    Number.MAX_VALUE, -Number.MAX_VALUE, fromBits(0x7fefffff, 0xfffffffe), Infinity, -Infinity,
    0.1, 1 / 3, -2.5e-300, -2.49999999999999998e-300, 1e-6, 123.456, 2, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 1e20, 1e22, 1e23,
    Number.EPSILON, 1 + Number.EPSILON, 4.35, 0.30000000000000004,
  ];
  const random = xorshift(99);
  // Every biased exponent 0..2046 (2047 is Inf/NaN), with a random mantissa, both signs.
  for (let exponent = 0; exponent < 2047; exponent++) {
    const hi = (exponent << 20) | (random() & 0xfffff);
    out.push(fromBits(hi, random()), -fromBits(hi, random()));
  }
  return out;
}

/** `count` doubles from uniformly random 64-bit patterns, NaNs skipped. */
export function randomDoubles(count: number, seed = 2024): number[] {
  const random = xorshift(seed);
  const out: number[] = [];
  while (out.length < count) {
    const value = fromBits(random(), random());
    if (!Number.isNaN(value)) out.push(value);
  }
  return out;
}

export const EDGE_INTEGERS = [
  -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 63n) + 1n, 2n ** 63n - 2n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n, -1n, 1n, 4294967296n, -4294967297n,
];

/** Text sqlite3 .dump writes as plain literals, or through replace(…, char(10)) / char(13) expressions. */
export const HOSTILE_TEXT = [
  '', "'", "''", "it's", 'line\nbreak', 'cr\rcr', 'crlf\r\n', '\n', '\r\n\r\n', 'literal \\n backslash-n and a real\nnewline',
  'literal \\r\\n and \r\n both', 'tab\there', 'héllo wörld', '日本語テキスト', '🚀🧪 astral', '\u2028\u2029 separators', 'ends with quote\'',
  'NULL', "X'00'", '1e999', "replace('a','b',char(10))", ' leading and trailing ', 'semi;colon);--',
];

export interface HostileCorpusSize {
  randomDoubles: number;
}

/**
 * Writes the hostile MLMD database at `path`: a small regular MLMD database plus artifacts whose
 * properties carry the values above. Returns how many doubles went in.
 */
export function createHostileMlmdDatabase(path: string, size: HostileCorpusSize): { doubles: number } {
  createMlmdDatabase(path, { artifacts: 20, executions: 10, contexts: 5 });
  const db = new DatabaseSync(path);
  try {
    db.exec('BEGIN');
    const doubles = [...edgeDoubles(), NaN, ...randomDoubles(size.randomDoubles)];
    const owners = ['Artifact', 'Execution', 'Context'] as const;
    const insert = Object.fromEntries(
      owners.map((owner) => [owner, db.prepare(`INSERT INTO ${owner}Property VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)]),
    ) as Record<(typeof owners)[number], ReturnType<DatabaseSync['prepare']>>;
    // ids above the regular fixture's, so the primary keys stay unique
    doubles.forEach((value, i) => {
      const owner = owners[i % 3]!;
      insert[owner].run(1000 + Math.floor(i / 3), `metric-${i}`, 1, null, value, null, null, null, null);
    });
    EDGE_INTEGERS.forEach((value, i) => insert.Artifact.run(500_000 + i, 'big-int', 1, value, null, null, null, null, null));
    HOSTILE_TEXT.forEach((value, i) => insert.Execution.run(500_000 + i, 'odd-text', 0, null, null, value, null, null, null));
    const blobs = [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, b) => b), new Uint8Array([0x27, 0x00, 0x3b, 0x0a]), new Uint8Array(4096).fill(0xff)];
    blobs.forEach((value, i) => insert.Context.run(500_000 + i, 'bytes', 1, null, null, null, value, null, null));
    // byte_value is BLOB, so no affinity: 1, 1.0 and '1' keep their storage classes; '' is not NULL.
    const classes: (bigint | number | string | null)[] = [1n, 1.0, '1', '', null, -0.0, 9223372036854775807n];
    const storage = db.prepare('INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, byte_value, proto_value) VALUES (?, ?, 1, ?, ?)');
    classes.forEach((value, i) => storage.run(600_000 + i, 'storage-class', value, value));
    db.exec('COMMIT');
    return { doubles: doubles.length };
  } finally {
    db.close();
  }
}
