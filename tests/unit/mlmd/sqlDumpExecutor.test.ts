import { DatabaseSync } from 'node:sqlite';
import { executeSqlDump } from '../../../src/mlmd/sqlDumpExecutor';
import { SqlDumpError } from '../../../src/mlmd/errors';

async function* chunks(text: string, size = 7): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function rows(db: DatabaseSync, sql: string): unknown[] {
  return db.prepare(sql).all().map((r) => ({ ...r }));
}

async function failure(text: string, batchChars?: number): Promise<SqlDumpError> {
  const db = new DatabaseSync(':memory:');
  try {
    await executeSqlDump(db, chunks(text), batchChars === undefined ? {} : { batchChars });
  } catch (error) {
    if (error instanceof SqlDumpError) return error;
    throw error;
  } finally {
    db.close();
  }
  throw new Error('expected the dump to fail');
}

const dump = [
  'PRAGMA foreign_keys=OFF;',
  'BEGIN TRANSACTION;',
  'CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);',
  ...Array.from({ length: 50 }, (_, i) => `INSERT INTO t VALUES(${i + 1},'v;${i}''s');`),
  'CREATE TRIGGER trg AFTER DELETE ON t BEGIN INSERT INTO t VALUES(1000, \'deleted;\'); END;',
  'CREATE VIEW w AS SELECT v FROM t WHERE id < 3;',
  'COMMIT;',
].join('\n');

test('runs a dump in batches, keeping its transaction, triggers and views', async () => {
  for (const batchChars of [1, 100, 1 << 20]) {
    const db = new DatabaseSync(':memory:');
    const stats = await executeSqlDump(db, chunks(dump), { batchChars });
    expect(stats.statements).toBe(56);
    expect(db.isTransaction).toBe(false);
    expect(rows(db, 'SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 50 }]);
    expect(rows(db, 'SELECT v FROM w')).toEqual([{ v: "v;0's" }, { v: "v;1's" }]);
    db.exec('DELETE FROM t WHERE id = 1');
    expect(rows(db, 'SELECT v FROM t WHERE id = 1000')).toEqual([{ v: 'deleted;' }]);
    db.close();
  }
});

test('a syntax error names its statement, line and a short excerpt, in any batch size', async () => {
  const bad = dump.replace("INSERT INTO t VALUES(30,", "INSERT INTO t VALUES(30 ,, ");
  for (const batchChars of [1, 500, 1 << 20]) {
    const error = await failure(bad, batchChars);
    expect(error.statement).toBe(33);
    expect(error.line).toBe(33);
    expect(error.message).toMatch(/^Statement 33 \(line 33\) of the dump failed: .*syntax error.*: INSERT INTO t VALUES\(30 ,, /);
  }
});

test('a constraint error in the middle of a batch is located too', async () => {
  const error = await failure(dump.replace('INSERT INTO t VALUES(40,', 'INSERT INTO t VALUES(39,'), 1 << 20);
  expect(error.statement).toBe(43);
  expect(error.message).toContain('UNIQUE constraint failed');
});

test('huge statements are cut in messages', async () => {
  const error = await failure(`SELECT nope('${'x'.repeat(100_000)}');`);
  expect(error.message.length).toBeLessThan(400);
});

test('a dump cut short is refused: in a statement, or before COMMIT', async () => {
  const cut = await failure(dump.slice(0, dump.indexOf("INSERT INTO t VALUES(20,") + 30));
  expect(cut.message).toMatch(/ends in the middle of statement 23 \(line 23\)/);
  const noCommit = await failure(dump.slice(0, dump.lastIndexOf('COMMIT;')));
  expect(noCommit.message).toMatch(/never commits/);
});

test('ROLLBACK (sqlite3 .dump met errors) and ATTACH are refused', async () => {
  const rolledBack = await failure(dump.replace('COMMIT;', "/**** ERROR: (11) database disk image is malformed *****/\nROLLBACK; -- due to errors"));
  expect(rolledBack.message).toMatch(/is ROLLBACK: sqlite3 .dump met errors/);
  const attach = await failure(`ATTACH '/tmp/elsewhere.db' AS x;\n${dump}`);
  expect(attach.statement).toBe(1);
  expect(attach.message).toMatch(/is ATTACH/);
});
