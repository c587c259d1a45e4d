/*
 * Our reading of INSERT literals, checked against the sqlite3 CLI reading the very same text: storage
 * class and exact bytes (REALs as IEEE patterns) of every value.
 */
import { execFileSync } from 'node:child_process';
import { scanInsert, UnsupportedSql, type ValueSink } from '../../../src/mlmd/content/insertScanner';
import type { SqlValue } from '../../../src/mlmd/content/rowDigest';
import { SQLITE3 } from '../../helpers/mlmdFixtures';

function scan(sql: string): { table: string; columns: string[] | undefined; rows: SqlValue[][]; reals: string[] } {
  const rows: SqlValue[][] = [];
  const reals: string[] = [];
  let row: SqlValue[] = [];
  const sink: ValueSink = {
    beginRow: () => (row = []),
    null: () => row.push(null),
    integer: (value) => row.push(BigInt(value)),
    real: (value, start, end) => {
      row.push(value);
      reals.push(sql.slice(start, end));
    },
    text: (value) => row.push(value),
    blobHex: (hex) => row.push(Buffer.from(hex, 'hex')),
    endRow: () => rows.push(row),
  };
  const target = scanInsert(sql, sink);
  expect(target.rows).toBe(rows.length);
  return { table: target.table, columns: target.columns, rows, reals };
}

/** How sqlite3 stores each expression: `type:hex` (REAL as its IEEE pattern, INTEGER in decimal). */
function sqlite3Reading(expressions: string[]): string[] {
  const select = expressions
    .map((e) => `(SELECT typeof(v) || ':' || CASE typeof(v) WHEN 'real' THEN hex(ieee754_to_blob(v)) WHEN 'integer' THEN CAST(v AS TEXT) WHEN 'null' THEN '' ELSE hex(v) END FROM (SELECT ${e} AS v))`)
    .join(" || char(10) || ");
  return execFileSync(SQLITE3, [':memory:', `SELECT ${select};`], { encoding: 'utf8' }).trimEnd().split('\n');
}

function ourReading(value: SqlValue): string {
  if (value === null) return 'null:';
  if (typeof value === 'bigint') return `integer:${value}`;
  if (typeof value === 'number') {
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(value);
    return `real:${bits.toString('hex').toUpperCase()}`;
  }
  if (typeof value === 'string') return `text:${Buffer.from(value, 'utf8').toString('hex').toUpperCase()}`;
  return `blob:${Buffer.from(value).toString('hex').toUpperCase()}`;
}

// Literals whose value sqlite3 3.40 reads correctly, so it can be the reference for every one of them.
const LITERALS = [
  'NULL', 'null', '0', '-0', '1', '-1', '42', '9223372036854775807', '-9223372036854775808', '-9223372036854775807', '1700000000123',
  '0.0', '-0.0', '1.0', '0.5', '-2.5', '1.5e10', '1E-5', '1e+300', '.5', '5.', '1e999', '-1e999', '12345678901234567890', '123.456e-7',
  "''", "'plain'", "'it''s'", "''''", "'日本語 🚀'", "'semi;colon)'", "'a' || 'b'", "'x' || char(10) || 'y'",
  "replace('a\\nb','\\n',char(10))", "replace(replace('a\\r\\nb\\r','\\r',char(13)),'\\n',char(10))",
  "replace('lit \\\\n and \\n','\\n',char(10))", "char(97,98,99)", "char(128640)", "replace('aaa','a','bb')", "replace('abc','','x')",
  "X''", "x'00ff'", "X'DEADbeef'",
];

test('every literal form reads as sqlite3 reads it: storage class and exact bytes', () => {
  const { rows } = scan(`INSERT INTO t VALUES(${LITERALS.join(',')});`);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.map(ourReading)).toEqual(sqlite3Reading(LITERALS));
});

test('unistr() escapes (written by newer sqlite3 .dump) become the characters they name', () => {
  const { rows } = scan("INSERT INTO t VALUES(unistr('a\\000ab\\u000dc\\+01F680\\U0001F9EA\\\\'));");
  expect(rows[0]).toEqual(['a\nb\rc🚀🧪\\']);
});

test('REAL literals are read correctly rounded, where SQLite in Node is not', () => {
  const { rows, reals } = scan('INSERT INTO t VALUES(-2.49999999999999998e-300, 1.7976931348623156223e+308, 4.9406564584124654428e-324, 9223372036854775808);');
  expect(rows[0]).toEqual([-2.5e-300, Number.MAX_VALUE, 5e-324, 2 ** 63]);
  // An integer literal beyond 64 bits is a REAL to SQLite too, so it is rewritten like one.
  expect(reals).toEqual(['-2.49999999999999998e-300', '1.7976931348623156223e+308', '4.9406564584124654428e-324', '9223372036854775808']);
});

test('names: bare, "quoted", `backticked`, [bracketed]; column lists; several rows', () => {
  expect(scan('INSERT INTO "my ""odd"" table" VALUES(1);').table).toBe('my "odd" table');
  expect(scan('INSERT INTO `Artifact` VALUES(1);').table).toBe('Artifact');
  expect(scan('INSERT INTO [a b] VALUES(1);').table).toBe('a b');
  const listed = scan('insert into t ( "a" , b ) values ( 1 , \'x\' ) , (2,NULL);');
  expect(listed.columns).toEqual(['a', 'b']);
  expect(listed.rows).toEqual([[1n, 'x'], [2n, null]]);
  expect(scan('INSERT INTO t VALUES(1)').rows).toEqual([[1n]]); // no `;`
});

test.each([
  ['a hexadecimal integer', 'INSERT INTO t VALUES(0x10);'],
  ['TRUE', 'INSERT INTO t VALUES(TRUE);'],
  ['another function', 'INSERT INTO t VALUES(abs(-1));'],
  ['a column reference', 'INSERT INTO t VALUES(a);'],
  ['arithmetic', 'INSERT INTO t VALUES(1+1);'],
  ['an unterminated string', "INSERT INTO t VALUES('abc);"],
  ['a blob of odd length', "INSERT INTO t VALUES(X'abc');"],
  ['a blob that is not hex', "INSERT INTO t VALUES(X'zz');"],
  ['text after the values', 'INSERT INTO t VALUES(1); DROP TABLE t;'],
  ['INSERT … SELECT', 'INSERT INTO t SELECT 1;'],
  ['INSERT OR REPLACE', 'INSERT OR REPLACE INTO t VALUES(1);'],
  ['char() of a surrogate', 'INSERT INTO t VALUES(char(55296));'],
  ['replace() with two arguments', "INSERT INTO t VALUES(replace('a','b'));"],
  ['a malformed number', 'INSERT INTO t VALUES(1e);'],
  ['a number run into a word', 'INSERT INTO t VALUES(12abc);'],
])('%s is reported as unsupported, never guessed', (_what, sql) => {
  expect(() => scan(sql)).toThrow(UnsupportedSql);
});
