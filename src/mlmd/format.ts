import { BackupFormatMismatchError } from './errors';

/** What an MLMD backup object holds, as told by its bytes. */
export type MlmdBackupFormat =
  | 'sql-dump-gz' // `sqlite3 mlmd.db .dump | gzip` (the runbook's "sqlite3" backup)
  | 'sql-dump' // the same dump, not compressed
  | 'sqlite' // the raw database file (the runbook's "kubectl cp" backup)
  | 'sqlite-gz'; // a gzipped raw database file; not made by the runbook, accepted since it is unambiguous

/** What the operator asked for: `auto`, or a format the bytes must then agree with. */
export type RequestedMlmdFormat = 'auto' | MlmdBackupFormat;

export const REQUESTED_MLMD_FORMATS: readonly RequestedMlmdFormat[] = [
  'auto',
  'sql-dump-gz',
  'sql-dump',
  'sqlite',
  'sqlite-gz',
];

/** What a first block of (uncompressed) bytes looks like. */
export type ContentKind = 'gzip' | 'sqlite' | 'text' | 'empty';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** The 16-byte header every SQLite 3 database file starts with. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Classifies the first bytes of a file (or of a gunzipped stream). */
export function detectContentKind(head: Buffer): ContentKind {
  if (head.length === 0) return 'empty';
  if (head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) return 'gzip';
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return 'sqlite';
  return 'text';
}

/**
 * The backup format given the first bytes of the file and, when it is gzip, the first bytes after
 * gunzipping. Returns undefined for an empty file, or a gzip whose content is empty.
 */
export function detectFormat(head: Buffer, gunzippedHead?: Buffer): MlmdBackupFormat | undefined {
  const outer = detectContentKind(head);
  if (outer === 'empty') return undefined;
  if (outer === 'sqlite') return 'sqlite';
  if (outer === 'text') return 'sql-dump';
  if (gunzippedHead === undefined) return 'sql-dump-gz'; // best guess without looking inside
  const inner = detectContentKind(gunzippedHead);
  if (inner === 'empty') return undefined;
  if (inner === 'sqlite') return 'sqlite-gz';
  return 'sql-dump-gz';
}

/** Guess from an object name, for listings only (the bytes decide when restoring). */
export function guessFormatFromName(name: string): MlmdBackupFormat | 'unknown' {
  const lower = name.toLowerCase();
  if (lower.endsWith('.dump.gz') || lower.endsWith('.sql.gz')) return 'sql-dump-gz';
  if (lower.endsWith('.db.gz') || lower.endsWith('.sqlite.gz')) return 'sqlite-gz';
  if (lower.endsWith('.sql') || lower.endsWith('.dump')) return 'sql-dump';
  if (lower.endsWith('.db') || lower.endsWith('.sqlite') || lower.endsWith('.sqlite3')) return 'sqlite';
  return 'unknown';
}

const DESCRIPTIONS: Record<MlmdBackupFormat, string> = {
  'sql-dump-gz': 'a gzipped SQL dump',
  'sql-dump': 'an uncompressed SQL dump',
  sqlite: 'a raw SQLite database file',
  'sqlite-gz': 'a gzipped SQLite database file',
};

export function describeFormat(format: MlmdBackupFormat): string {
  return DESCRIPTIONS[format];
}

/** The format to use: the detected one, provided the operator's request agrees with it. */
export function resolveFormat(requested: RequestedMlmdFormat, detected: MlmdBackupFormat): MlmdBackupFormat {
  if (requested === 'auto' || requested === detected) return detected;
  throw new BackupFormatMismatchError(
    `The backup was requested as format "${requested}" (${describeFormat(requested)}), but its content is ${describeFormat(detected)} ("${detected}")`,
    { hint: `Run the action again with format=auto or format=${detected}, or pick another backup` },
  );
}

export function isRequestedMlmdFormat(value: string): value is RequestedMlmdFormat {
  return (REQUESTED_MLMD_FORMATS as readonly string[]).includes(value);
}
