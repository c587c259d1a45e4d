/*
 * The build checks what SQLite stored against the dump's own values, read by our code. Differences are
 * planted the way a faulty build would make them — a trigger in the dump that changes a value as it is
 * inserted, or SQLite's own REAL parsing — and each must be refused naming table, rowid, column, expected
 * and found, with nothing left behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { buildMlmdDatabase, ContentMismatchError, UnverifiableContentError } from '../../../src/mlmd';
import { DumpContentReader } from '../../../src/mlmd/content/dumpContent';
import { readDatabaseContent } from '../../../src/mlmd/content/databaseContent';
import { verifyAgainstDump } from '../../../src/mlmd/content/verifyContent';
import { dumpStatements } from '../../../src/mlmd/dumpStatements';
import { RestoreError } from '../../../src/errors';
import { createHostileMlmdDatabase } from '../../helpers/hostileMlmd';
import { dumpWithSqlite3 } from '../../helpers/mlmdFixtures';
import { readReference, referenceFingerprint } from '../../helpers/sqliteReference';

const dir = mkdtempSync(join(tmpdir(), 'mlmd-verify-'));
const source = join(dir, 'source.db');
const dump = join(dir, 'source.sql');
let dumpText: string;
let counter = 0;

beforeAll(async () => {
  createHostileMlmdDatabase(source, { randomDoubles: 3000 });
  await dumpWithSqlite3(source, dump, { gzip: false });
  dumpText = readFileSync(dump, 'utf8');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string | Buffer, gzip = false): string {
  const path = join(dir, `input-${++counter}.${gzip ? 'sql.gz' : 'sql'}`);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** The dump with `sql` added right after the CREATE TABLE of `table` (so it acts on that table's rows). */
function withAfterCreate(table: string, sql: string): string {
  const lines = dumpText.split('\n');
  const at = lines.findIndex((line) => line.startsWith(`CREATE TABLE \`${table}\``));
  let end = at;
  while (!lines[end]!.trimEnd().endsWith(';')) end++;
  lines.splice(end + 1, 0, sql);
  return lines.join('\n');
}

async function refused(input: string): Promise<RestoreError> {
  const output = join(dir, `out-${++counter}.db`);
  const error = await buildMlmdDatabase({ input, output, requestedFormat: 'auto' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestoreError);
  expect(existsSync(output)).toBe(false);
  expect(existsSync(`${output}.partial`)).toBe(false);
  expect((error as RestoreError).hint).toMatch(/Nothing (in the cluster )?was changed/);
  return error as RestoreError;
}

/** rowid of ArtifactProperty's row for (artifact_id, name) in the dump's order (the build keeps it). */
function propertyRowid(artifactId: number, name: string): string {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    return String(db.prepare('SELECT rowid FROM ArtifactProperty WHERE artifact_id = ? AND name = ?').get(artifactId, name)!.rowid);
  } finally {
    db.close();
  }
}

describe('a value that changes between the dump and the built database is refused, named', () => {
  test('one REAL, in its last bit', async () => {
    const db = new DatabaseSync(source, { readOnly: true });
    const original = Number(db.prepare("SELECT double_value FROM ArtifactProperty WHERE artifact_id = 3 AND name = 'accuracy'").get()!.double_value);
    db.close();
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(original);
    bits.writeBigUInt64BE(bits.readBigUInt64BE() + 1n);
    const nextUp = bits.readDoubleBE();
    const trigger = `CREATE TRIGGER plant AFTER INSERT ON ArtifactProperty WHEN new.artifact_id = 3 AND new.name = 'accuracy' BEGIN UPDATE ArtifactProperty SET double_value = ${nextUp} WHERE rowid = new.rowid; END;`;
    const error = await refused(write(withAfterCreate('ArtifactProperty', trigger), true));
    expect(error).toBeInstanceOf(ContentMismatchError);
    const { difference } = error as ContentMismatchError;
    expect(difference).toMatchObject({ table: 'ArtifactProperty', rowid: propertyRowid(3, 'accuracy'), column: 'double_value' });
    expect(difference.expected).toBe(`REAL ${original} (bits 0x${Buffer.from(new Float64Array([original]).buffer).reverse().toString('hex')})`);
    expect(difference.found).toContain(`REAL ${nextUp} (bits 0x${bits.toString('hex')})`);
    expect(error.message).toContain(`ArtifactProperty, rowid ${propertyRowid(3, 'accuracy')}, column double_value`);
  });

  test('one INTEGER, in a table whose rowid is its INTEGER PRIMARY KEY', async () => {
    const trigger = 'CREATE TRIGGER plant AFTER INSERT ON Artifact WHEN new.id = 5 BEGIN UPDATE Artifact SET create_time_since_epoch = create_time_since_epoch + 1 WHERE id = 5; END;';
    const error = (await refused(write(withAfterCreate('Artifact', trigger)))) as ContentMismatchError;
    expect(error).toBeInstanceOf(ContentMismatchError);
    expect(error.difference).toEqual({ table: 'Artifact', rowid: '5', column: 'create_time_since_epoch', expected: 'INTEGER 1700000000005', found: 'INTEGER 1700000000006' });
  });

  test('one TEXT', async () => {
    const trigger = "CREATE TRIGGER plant AFTER INSERT ON ArtifactProperty WHEN new.artifact_id = 2 AND new.name = 'display_name' BEGIN UPDATE ArtifactProperty SET string_value = string_value || ' ' WHERE rowid = new.rowid; END;";
    const error = (await refused(write(withAfterCreate('ArtifactProperty', trigger)))) as ContentMismatchError;
    expect(error.difference).toMatchObject({ table: 'ArtifactProperty', rowid: propertyRowid(2, 'display_name'), column: 'string_value' });
    expect(error.difference.found).toBe(`${error.difference.expected.slice(0, -1)} "`);
  });

  test.each([
    ["'1'", 'TEXT "1"'],
    ['1.0', 'REAL 1 (bits 0x3ff0000000000000)'],
  ])('one storage class: INTEGER 1 stored as %s', async (planted, found) => {
    // byte_value has no affinity, so SQLite keeps whatever class it is given.
    const trigger = `CREATE TRIGGER plant AFTER INSERT ON ArtifactProperty WHEN new.artifact_id = 600000 BEGIN UPDATE ArtifactProperty SET byte_value = ${planted} WHERE rowid = new.rowid; END;`;
    const error = (await refused(write(withAfterCreate('ArtifactProperty', trigger)))) as ContentMismatchError;
    expect(error.difference).toEqual({ table: 'ArtifactProperty', rowid: propertyRowid(600000, 'storage-class'), column: 'byte_value', expected: 'INTEGER 1', found });
  });

  test('a row the dump never inserted', async () => {
    const trigger = "CREATE TRIGGER plant AFTER INSERT ON EventPath WHEN new.event_id = 4 BEGIN INSERT INTO EventPath VALUES (4, 0, NULL, 'extra'); END;";
    const error = (await refused(write(withAfterCreate('EventPath', trigger)))) as ContentMismatchError;
    expect(error.difference.table).toBe('EventPath');
    expect(error.message).toMatch(/EventPath, rowid \d+, column (event_id|is_index_step|step_index|step_key)/);
  });
});

test("SQLite's own REAL parsing, unchecked, is caught: a database made by plain exec() of the dump fails the check", async () => {
  const path = join(dir, 'plain-exec.db');
  const db = new DatabaseSync(path);
  db.exec(dumpText); // what the restore did before it read REAL literals itself
  db.close();
  const reader = new DumpContentReader();
  for await (const statement of dumpStatements(dump, false)) reader.statement(statement);
  const check = new DatabaseSync(path, { readOnly: true });
  try {
    const error = await verifyAgainstDump(check, reader, readDatabaseContent(check), () => dumpStatements(dump, false)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContentMismatchError);
    const { difference } = error as ContentMismatchError;
    expect(difference.column).toBe('double_value');
    expect(difference.expected).toMatch(/^REAL /);
    expect(difference.found).toMatch(/^REAL /);
    expect(difference.found).not.toBe(difference.expected);
  } finally {
    check.close();
  }
});

describe('what the check cannot read is refused, not trusted', () => {
  test.each([
    ['an UPDATE', "UPDATE ArtifactProperty SET string_value = 'x';"],
    ['a DELETE with a condition', 'DELETE FROM Artifact WHERE id = 1;'],
    ['an INSERT of a function value', "INSERT INTO ParentType VALUES(abs(-9), 1);"],
    ['an INSERT … SELECT', 'INSERT INTO ParentType SELECT 7, 8;'],
    ['a hexadecimal integer', 'INSERT INTO ParentType VALUES(0x10, 1);'],
  ])('%s', async (_what, statement) => {
    const text = dumpText.replace(/\nCOMMIT;\s*$/, `\n${statement}\nCOMMIT;\n`);
    const error = await refused(write(text));
    expect(error).toBeInstanceOf(UnverifiableContentError);
    expect(error.message).toMatch(/^statement \d+ \(line \d+\) of the dump cannot be checked: /);
  });

  test('text that is not UTF-8', async () => {
    const bytes = Buffer.from(dumpText.replace("'odd-text'", "'odd-t\u0001xt'"), 'utf8');
    bytes[bytes.indexOf(0x01)] = 0xff; // a byte that is never UTF-8
    const error = await refused(write(bytes, true));
    expect(error).toBeInstanceOf(UnverifiableContentError);
    expect(error.message).toMatch(/not UTF-8 text/);
    expect(error.hint).toMatch(/raw database file/);
  });
});

describe('the content fingerprint', () => {
  test('is the same for a raw file, a VACUUMed copy of it and the database rebuilt from its dump', async () => {
    // A plain MLMD database (no -0.0, which the dump format cannot carry).
    const plain = join(dir, 'plain.db');
    const db = new DatabaseSync(plain);
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v DOUBLE, s TEXT); CREATE TABLE u(a, b); INSERT INTO t VALUES (1, 0.1, 'a'), (2, -2.49999999999999998e-300, 'b\nc');");
    db.exec('INSERT INTO u VALUES (1, 2), (1, 2), (3, NULL); DELETE FROM u WHERE a = 3; INSERT INTO u VALUES (9, X\'00\');');
    db.close();
    createHostileMlmdDatabase(join(dir, 'h.db'), { randomDoubles: 10 });
    const vacuumed = join(dir, 'vacuumed.db');
    const v = new DatabaseSync(plain);
    v.exec(`VACUUM INTO '${vacuumed}'`);
    v.close();
    const plainDump = join(dir, 'plain.sql');
    await dumpWithSqlite3(plain, plainDump, { gzip: false });
    // Not MLMD databases, so read the fingerprint directly rather than through the MLMD build.
    const fingerprint = (path: string): string => {
      const handle = new DatabaseSync(path, { readOnly: true });
      try {
        return readDatabaseContent(handle).fingerprint;
      } finally {
        handle.close();
      }
    };
    const rebuilt = join(dir, 'rebuilt.db');
    const r = new DatabaseSync(rebuilt);
    r.exec(readFileSync(plainDump, 'utf8'));
    r.close();
    expect(readFileSync(vacuumed).equals(readFileSync(plain))).toBe(false);
    expect(fingerprint(vacuumed)).toBe(fingerprint(plain));
    expect(fingerprint(rebuilt)).toBe(fingerprint(plain));
    // And it is what an independent implementation over the sqlite3 CLI's reading computes.
    expect(fingerprint(plain)).toBe(referenceFingerprint(readReference(plain)));
    expect(fingerprint(join(dir, 'h.db'))).toBe(referenceFingerprint(readReference(join(dir, 'h.db'))));
  });

  test('changes with any one value, its storage class, a duplicated row or a table name', () => {
    const variants = [
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2);',
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 3);',
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2.0);',
      "CREATE TABLE t(a, b); INSERT INTO t VALUES (1, '2');",
      "CREATE TABLE t(a, b); INSERT INTO t VALUES (1, X'32');",
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2), (1, 2);',
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (1, NULL);',
      "CREATE TABLE t(a, b); INSERT INTO t VALUES (1, '');",
      'CREATE TABLE T2(a, b); INSERT INTO T2 VALUES (1, 2);',
      'CREATE TABLE t(a, b); INSERT INTO t VALUES (2, 1);',
    ];
    const prints = variants.map((sql) => {
      const db = new DatabaseSync(':memory:');
      db.exec(sql);
      const print = readDatabaseContent(db).fingerprint;
      db.close();
      return print;
    });
    expect(new Set(prints).size).toBe(variants.length);
  });
});
