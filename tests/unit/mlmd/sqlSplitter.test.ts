import { SqlStatementSplitter, type SqlStatement } from '../../../src/mlmd/sqlSplitter';

function splitAll(text: string, chunkSize = text.length || 1): { statements: SqlStatement[]; rest: string | undefined } {
  const splitter = new SqlStatementSplitter();
  const statements: SqlStatement[] = [];
  for (let i = 0; i < text.length; i += chunkSize) statements.push(...splitter.push(text.slice(i, i + chunkSize)));
  return { statements, rest: splitter.finish()?.sql };
}

function sqls(text: string, chunkSize?: number): string[] {
  return splitAll(text, chunkSize).statements.map((s) => s.sql);
}

describe('SqlStatementSplitter', () => {
  test('splits plain statements and drops the whitespace between them', () => {
    expect(sqls('CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n\n')).toEqual([
      'CREATE TABLE t(a);',
      'INSERT INTO t VALUES(1);',
    ]);
  });

  test('a ; inside a single-quoted string, with doubled-quote escapes, does not end the statement', () => {
    const text = "INSERT INTO t VALUES('a;b','it''s; fine',''';');SELECT 1;";
    expect(sqls(text)).toEqual(["INSERT INTO t VALUES('a;b','it''s; fine',''';');", 'SELECT 1;']);
  });

  test('double-quoted, bracketed and backticked identifiers can hold ;', () => {
    const text = 'CREATE TABLE "a;b"([c;d] INT, `e;f` TEXT);SELECT 2;';
    expect(sqls(text)).toEqual(['CREATE TABLE "a;b"([c;d] INT, `e;f` TEXT);', 'SELECT 2;']);
  });

  test('comments are not statements and a ; inside one does not count', () => {
    const text = "-- leading; comment\nSELECT 1 /* a; b */ + 2; -- trailing ;\n/* only; a comment */\nSELECT '--not a comment';";
    expect(sqls(text)).toEqual(['SELECT 1 /* a; b */ + 2;', "SELECT '--not a comment';"]);
  });

  test('a minus sign and a slash are operators, not comments', () => {
    expect(sqls('SELECT 4-2;SELECT 4/2;')).toEqual(['SELECT 4-2;', 'SELECT 4/2;']);
  });

  test('CREATE TRIGGER … BEGIN … END; is one statement despite the ; inside', () => {
    const trigger =
      'CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n  INSERT INTO log VALUES(new.a);\n  UPDATE c SET n = n + 1;\nEND;';
    const temp = 'create temp trigger t2 before delete on t begin select raise(abort, \'no;\'); end;';
    expect(sqls(`${trigger}\nSELECT 1;\n${temp}\nSELECT 2;`)).toEqual([trigger, 'SELECT 1;', temp, 'SELECT 2;']);
  });

  test('a trigger body may use END inside (CASE … END) without closing the trigger', () => {
    const trigger = 'CREATE TRIGGER x AFTER UPDATE ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; END;';
    expect(sqls(`${trigger}SELECT 3;`)).toEqual([trigger, 'SELECT 3;']);
  });

  test('EXPLAIN CREATE TRIGGER is handled like CREATE TRIGGER; CREATE TABLE named trigger is not a trigger', () => {
    const explain = 'EXPLAIN CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END;';
    expect(sqls(`${explain}CREATE TABLE "trigger"(a);SELECT 1;`)).toEqual([
      explain,
      'CREATE TABLE "trigger"(a);',
      'SELECT 1;',
    ]);
  });

  test('every chunk boundary gives the same statements as one chunk', () => {
    const text =
      "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE `T`(`x` TEXT);\nINSERT INTO T VALUES('a;''b\n--c');\n" +
      "/* c;m */ INSERT INTO T VALUES(X'00ff'); -- x;\nCREATE TRIGGER tr AFTER INSERT ON T BEGIN SELECT 1; SELECT 'END;'; END;\nCOMMIT;\n";
    const whole = sqls(text);
    expect(whole).toHaveLength(7);
    for (let size = 1; size <= 12; size++) expect(sqls(text, size)).toEqual(whole);
  });

  test('reports statement numbers, start lines and first keywords', () => {
    const { statements } = splitAll("BEGIN;\n\n-- x\nINSERT INTO t VALUES('a\nb');\n  commit;");
    expect(statements.map(({ index, line, keyword }) => ({ index, line, keyword }))).toEqual([
      { index: 1, line: 1, keyword: 'BEGIN' },
      { index: 2, line: 4, keyword: 'INSERT' },
      { index: 3, line: 6, keyword: 'COMMIT' },
    ]);
  });

  test('an unfinished statement at the end is returned by finish()', () => {
    expect(splitAll('SELECT 1;\nINSERT INTO t VALUES(1').rest).toBe('INSERT INTO t VALUES(1');
    expect(splitAll("SELECT 'open string;").rest).toBe("SELECT 'open string;");
    expect(splitAll('CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;').rest).toBe(
      'CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;',
    );
  });

  test('trailing comments and whitespace are a clean end', () => {
    expect(splitAll('SELECT 1;\n-- done').rest).toBeUndefined();
    expect(splitAll('SELECT 1;\n/* unterminated').rest).toBeUndefined();
    expect(splitAll('  \n').rest).toBeUndefined();
  });

  test('keeps only the unfinished statement in memory (a long string split across many chunks)', () => {
    const splitter = new SqlStatementSplitter();
    expect(splitter.push("INSERT INTO t VALUES('")).toEqual([]);
    for (let i = 0; i < 1000; i++) expect(splitter.push('x;'.repeat(100))).toEqual([]);
    const done = splitter.push("');");
    expect(done).toHaveLength(1);
    expect(done[0]?.sql.length).toBe("INSERT INTO t VALUES('');".length + 200_000);
  });
});

test('a statement longer than the limit is refused with its number and line', () => {
  const splitter = new SqlStatementSplitter(1000);
  splitter.push('SELECT 1;\n');
  expect(() => {
    for (let i = 0; i < 20; i++) splitter.push(`INSERT INTO t VALUES('${'x'.repeat(100)}`);
  }).toThrow(expect.objectContaining({ name: 'SqlDumpError', statement: 2, line: 2 }));
});
