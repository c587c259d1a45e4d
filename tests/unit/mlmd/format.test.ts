import { gzipSync } from 'node:zlib';
import { InvalidInputError } from '../../../src/errors';
import { BackupFormatMismatchError } from '../../../src/mlmd/errors';
import { detectContentKind, detectFormat, guessFormatFromName, resolveFormat } from '../../../src/mlmd/format';

const sqliteHead = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(84)]);
const sqlHead = Buffer.from('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n');

test('content kinds from magic bytes', () => {
  expect(detectContentKind(Buffer.alloc(0))).toBe('empty');
  expect(detectContentKind(gzipSync(sqlHead))).toBe('gzip');
  expect(detectContentKind(sqliteHead)).toBe('sqlite');
  expect(detectContentKind(sqlHead)).toBe('text');
  // "SQLite format 3" without its NUL is text, not a database header.
  expect(detectContentKind(Buffer.from('SQLite format 3 is a nice format'))).toBe('text');
});

test('formats: gzip is looked into again after gunzipping', () => {
  expect(detectFormat(sqlHead)).toBe('sql-dump');
  expect(detectFormat(sqliteHead)).toBe('sqlite');
  expect(detectFormat(gzipSync(sqlHead), sqlHead)).toBe('sql-dump-gz');
  expect(detectFormat(gzipSync(sqliteHead), sqliteHead)).toBe('sqlite-gz');
  expect(detectFormat(Buffer.alloc(0))).toBeUndefined();
  expect(detectFormat(gzipSync(Buffer.alloc(0)), Buffer.alloc(0))).toBeUndefined();
});

test('format guessed from object names for listings', () => {
  expect(guessFormatFromName('mlmd-2024-05-01-10-30.dump.gz')).toBe('sql-dump-gz');
  expect(guessFormatFromName('backups/mlmd.SQL.GZ')).toBe('sql-dump-gz');
  expect(guessFormatFromName('mlmd.sql')).toBe('sql-dump');
  expect(guessFormatFromName('mlmd.dump')).toBe('sql-dump');
  expect(guessFormatFromName('mlmd.db')).toBe('sqlite');
  expect(guessFormatFromName('mlmd.sqlite')).toBe('sqlite');
  expect(guessFormatFromName('mlmd.db.gz')).toBe('sqlite-gz');
  expect(guessFormatFromName('mlmd.tar')).toBe('unknown');
  expect(guessFormatFromName('notes.gz')).toBe('unknown');
});

test('a requested format must agree with the bytes', () => {
  expect(resolveFormat('auto', 'sql-dump-gz')).toBe('sql-dump-gz');
  expect(resolveFormat('sqlite', 'sqlite')).toBe('sqlite');
  const mismatch = (() => {
    try {
      resolveFormat('sqlite', 'sql-dump-gz');
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  expect(mismatch).toBeInstanceOf(BackupFormatMismatchError);
  expect(mismatch).toBeInstanceOf(InvalidInputError);
  expect((mismatch as BackupFormatMismatchError).message).toContain('"sqlite"');
  expect((mismatch as BackupFormatMismatchError).message).toContain('gzipped SQL dump');
  expect((mismatch as BackupFormatMismatchError).hint).toContain('format=sql-dump-gz');
});
