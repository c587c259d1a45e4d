import { randomBytes } from 'node:crypto';
import { RowEncoder, TableDigest } from '../../../src/mlmd/content/rowDigest';

test('a table digest is the sum of its row hashes mod 2^256, past the lazy carry every 2^20 rows', () => {
  const digest = new TableDigest();
  let reference = 0n;
  const rows = (1 << 20) + 4321;
  const pool = Array.from({ length: 997 }, () => randomBytes(32));
  pool.push(Buffer.alloc(32, 0xff)); // carries in every lane
  for (let i = 0; i < rows; i++) {
    const row = pool[i % pool.length]!;
    digest.add(row);
    reference = (reference + BigInt(`0x${row.toString('hex')}`)) % 2n ** 256n;
  }
  expect(digest.rows).toBe(rows);
  expect(digest.sum().toString('hex')).toBe(reference.toString(16).padStart(64, '0'));
});

test('order does not matter, multiplicity does', () => {
  const [a, b] = [randomBytes(32), randomBytes(32)];
  const of = (...rows: Buffer[]) => {
    const d = new TableDigest();
    rows.forEach((r) => d.add(r));
    return d;
  };
  expect(of(a, b).equals(of(b, a))).toBe(true);
  expect(of(a, a).equals(of(a))).toBe(false);
  expect(of(a, a, b).equals(of(a, b, b))).toBe(false);
});

test('the row encoding keeps storage classes and bits apart', () => {
  const encode = (fill: (e: RowEncoder) => void): string => {
    const e = new RowEncoder();
    e.begin();
    fill(e);
    return e.finish().toString('hex');
  };
  const rows = [
    encode((e) => e.integer(1n)),
    encode((e) => e.real(1)),
    encode((e) => e.text('1')),
    encode((e) => e.blob(Buffer.from('1'))),
    encode((e) => e.null()),
    encode((e) => e.text('')),
    encode((e) => e.blob(new Uint8Array(0))),
    encode((e) => e.real(0)),
    encode((e) => e.real(-0)),
    encode((e) => {
      e.text('a');
      e.text('b');
    }),
    encode((e) => e.text('ab')),
  ];
  expect(new Set(rows).size).toBe(rows.length);
  // The fast path for safe integers encodes exactly as the bigint path does, negatives included.
  for (const n of [0, 1, -1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1700000000123]) {
    expect(encode((e) => e.smallInteger(n))).toBe(encode((e) => e.integer(BigInt(n))));
  }
  expect(encode((e) => e.blobHex('00ff'))).toBe(encode((e) => e.blob(Buffer.from([0, 255]))));
  expect(() => encode((e) => e.integer(2n ** 63n))).toThrow(RangeError);
});
