import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import {
  BackupFormatMismatchError,
  buildMlmdDatabase,
  CorruptDatabaseError,
  CorruptGzipError,
  EmptyBackupError,
  NotMlmdDatabaseError,
  readSchemaVersion,
  sha256File,
  SqlDumpError,
  TruncatedGzipError,
  UnrecognizedBackupError,
  type RequestedMlmdFormat,
} from '../../../src/mlmd';
import { RestoreError } from '../../../src/errors';
import { addViewAndTrigger, createMlmdDatabase, databaseContents, dumpWithSqlite3 } from '../../helpers/mlmdFixtures';

const SIZE = { artifacts: 3000, executions: 1000, contexts: 200 };
const dir = mkdtempSync(join(tmpdir(), 'mlmd-build-'));
const source = join(dir, 'mlmd.db');
const withTrigger = join(dir, 'mlmd-trigger.db');
const dumpGz = join(dir, 'mlmd-2024-05-01-10-30.dump.gz');
const dump = join(dir, 'mlmd.dump');
const triggerDumpGz = join(dir, 'trigger.dump.gz');
let sourceContents: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  createMlmdDatabase(source, SIZE);
  copyFileSync(source, withTrigger);
  addViewAndTrigger(withTrigger);
  await Promise.all([
    dumpWithSqlite3(source, dumpGz, { gzip: true }),
    dumpWithSqlite3(source, dump, { gzip: false }),
    dumpWithSqlite3(withTrigger, triggerDumpGz, { gzip: true }),
  ]);
  sourceContents = databaseContents(source);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outputPath(): string {
  return join(dir, `out-${++counter}.db`);
}

async function build(input: string, requestedFormat: RequestedMlmdFormat = 'auto') {
  const output = outputPath();
  const log: string[] = [];
  const built = await buildMlmdDatabase({ input, output, requestedFormat, log: (line) => log.push(line) });
  return { built, output, log };
}

/** Builds `input`, expects it to fail, and checks that no output or partial file is left behind. */
async function buildFails(input: string, requestedFormat: RequestedMlmdFormat = 'auto'): Promise<RestoreError> {
  const output = outputPath();
  const error = await buildMlmdDatabase({ input, output, requestedFormat }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestoreError);
  expect((error as RestoreError).hint).toBeTruthy();
  expect(existsSync(output)).toBe(false);
  expect(existsSync(`${output}.partial`)).toBe(false);
  expect(existsSync(`${output}.partial-journal`)).toBe(false);
  return error as RestoreError;
}

function write(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('round trips: the rebuilt database has the same schema and rows as the source', () => {
  test('sqlite3 .dump | gzip (the runbook backup)', async () => {
    const { built, output, log } = await build(dumpGz);
    expect(built.format).toBe('sql-dump-gz');
    expect(built.schemaVersion).toBe(10);
    expect(built.counts).toEqual({ artifacts: 3000, executions: 1000, contexts: 200, events: 3000 });
    expect(built.inputBytes).toBe(statSync(dumpGz).size);
    expect(built.outputBytes).toBe(statSync(output).size);
    expect(built.sha256).toBe(await sha256File(output));
    expect(built.statements).toBeGreaterThan(3000 * 4);
    expect(databaseContents(output)).toEqual(sourceContents);
    expect(existsSync(`${output}.partial`)).toBe(false);
    expect(log.join('\n')).toContain('gzipped SQL dump');
  });

  test('uncompressed dump, with format given explicitly', async () => {
    const { built, output } = await build(dump, 'sql-dump');
    expect(built.format).toBe('sql-dump');
    expect(databaseContents(output)).toEqual(sourceContents);
  });

  test('raw database file: copied, verified, source untouched', async () => {
    const before = await sha256File(source);
    const { built, output } = await build(source, 'sqlite');
    expect(built.format).toBe('sqlite');
    expect(built.statements).toBeUndefined();
    expect(built.sha256).toBe(before);
    expect(await sha256File(source)).toBe(before);
    expect(databaseContents(output)).toEqual(sourceContents);
  });

  test('gzipped raw database file', async () => {
    const input = write('mlmd.db.gz', gzipSync(readFileSync(source)));
    const { built, output } = await build(input);
    expect(built.format).toBe('sqlite-gz');
    expect(built.sha256).toBe(await sha256File(source));
    expect(databaseContents(output)).toEqual(sourceContents);
  });

  test('dump with a view and a trigger whose body has semicolons', async () => {
    const { output } = await build(triggerDumpGz);
    const contents = databaseContents(output);
    expect(contents).toEqual(databaseContents(withTrigger));
    expect(contents['trigger artifact_audit']).toContain("'uri changed; was '");
    expect(contents['view ArtifactSummary']).toBeDefined();
    expect(contents['rows AuditLog']).toMatch(/^3 /);
  });

  test('an existing output is replaced', async () => {
    const output = outputPath();
    writeFileSync(output, 'old');
    await buildMlmdDatabase({ input: dumpGz, output, requestedFormat: 'auto' });
    expect(readSchemaVersion(output)).toBe(10);
  });
});

describe('bad backups: each has its own error and leaves nothing behind', () => {
  test('empty file, and gzip of nothing', async () => {
    expect(await buildFails(write('empty.dump.gz', ''))).toBeInstanceOf(EmptyBackupError);
    expect(await buildFails(write('empty2.dump.gz', gzipSync(Buffer.alloc(0))))).toBeInstanceOf(EmptyBackupError);
  });

  test('truncated gzip (an interrupted upload)', async () => {
    const whole = readFileSync(dumpGz);
    const error = await buildFails(write('cut.dump.gz', whole.subarray(0, Math.floor(whole.length / 2))));
    expect(error).toBeInstanceOf(TruncatedGzipError);
    expect(error.message).toContain('truncated gzip');
  });

  test('gzip whose compressed data is damaged', async () => {
    const damaged = Buffer.from(readFileSync(dumpGz));
    for (let i = 2000; i < 2064; i++) damaged[i] = damaged[i]! ^ 0x5a;
    expect(await buildFails(write('damaged.dump.gz', damaged))).toBeInstanceOf(CorruptGzipError);
  });

  test('gzip of garbage (neither SQL nor SQLite inside)', async () => {
    const garbage = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919 + 13) % 256));
    const error = await buildFails(write('garbage.dump.gz', gzipSync(garbage)));
    expect(error).toBeInstanceOf(UnrecognizedBackupError);
    expect(error.message).toContain('once gunzipped');
  });

  test('raw SQLite file with a damaged page', async () => {
    const bytes = Buffer.from(readFileSync(source));
    const pageSize = bytes.readUInt16BE(16);
    const page = 10; // somewhere in the middle of the tables
    for (let i = 0; i < pageSize; i += 2) bytes[page * pageSize + i] = 0xa5;
    const error = await buildFails(write('corrupt.db', bytes));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
  });

  test('raw SQLite file with a damaged header', async () => {
    const bytes = Buffer.from(readFileSync(source));
    bytes.fill(0xff, 16, 100); // keep the magic, break the rest of the header
    expect(await buildFails(write('badheader.db', bytes))).toBeInstanceOf(CorruptDatabaseError);
  });

  test('a sound SQLite database that is not MLMD says which tables are missing', async () => {
    const path = join(dir, 'other.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE run_details(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO run_details VALUES (1, \'x\');');
    db.close();
    const error = await buildFails(path);
    expect(error).toBeInstanceOf(NotMlmdDatabaseError);
    expect((error as NotMlmdDatabaseError).missingTables).toEqual(expect.arrayContaining(['MLMDEnv', 'Artifact', 'Execution']));
    expect(error.message).toContain('MLMDEnv');
  });

  test('an MLMD database of version 10 missing a table of that version', async () => {
    const path = join(dir, 'partial-mlmd.db');
    copyFileSync(source, path);
    const db = new DatabaseSync(path);
    db.exec('DROP TABLE ParentContext');
    db.close();
    const error = await buildFails(path);
    expect(error).toBeInstanceOf(NotMlmdDatabaseError);
    expect((error as NotMlmdDatabaseError).missingTables).toEqual(['ParentContext']);
  });

  test('SQL dump with a syntax error names the statement and line', async () => {
    const text = readFileSync(dump, 'utf8');
    const lines = text.split('\n');
    const target = lines.findIndex((l) => l.startsWith('INSERT INTO Execution'));
    lines[target] = lines[target]!.replace('INSERT INTO', 'INSERT INTOO');
    const error = await buildFails(write('syntax.sql.gz', gzipSync(lines.join('\n'))));
    expect(error).toBeInstanceOf(SqlDumpError);
    expect((error as SqlDumpError).line).toBe(target + 1);
    expect(error.message).toMatch(/syntax error/);
    expect(error.message).toContain('INSERT INTOO Execution');
  });

  test('uncompressed dump cut in the middle of a statement', async () => {
    const text = readFileSync(dump, 'utf8');
    const error = await buildFails(write('cut.sql', text.slice(0, Math.floor(text.length / 2))));
    expect(error).toBeInstanceOf(SqlDumpError);
    expect(error.message).toMatch(/ends in the middle of statement|never commits/);
  });

  test('the requested format must match the bytes', async () => {
    const error = await buildFails(dumpGz, 'sqlite');
    expect(error).toBeInstanceOf(BackupFormatMismatchError);
    expect(await buildFails(source, 'sql-dump-gz')).toBeInstanceOf(BackupFormatMismatchError);
    expect(await buildFails(dump, 'sql-dump-gz')).toBeInstanceOf(BackupFormatMismatchError);
  });
});

describe('readSchemaVersion', () => {
  test('reads the version of an MLMD database without changing it', async () => {
    const before = await sha256File(source);
    expect(readSchemaVersion(source)).toBe(10);
    expect(await sha256File(source)).toBe(before);
  });

  test('says when a database is not MLMD, or not a database', () => {
    const path = join(dir, 'plain.db');
    new DatabaseSync(path).close();
    expect(() => readSchemaVersion(path)).toThrow(NotMlmdDatabaseError);
    expect(() => readSchemaVersion(write('text.db', 'hello, this is not a database at all, not even close....................................................'))).toThrow(CorruptDatabaseError);
  });
});
