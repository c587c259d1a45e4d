import { InvalidInputError, RestoreError } from '../errors';

/*
 * One class per way an MLMD backup can be unusable, so callers (and tests) can tell them apart and the
 * operator gets a message that says what to do. Every build failure leaves no output file behind.
 */

/** The backup holds no bytes (or a gzip of nothing). */
export class EmptyBackupError extends RestoreError {}

/** A gzip stream that ends early: the upload or download was cut short. */
export class TruncatedGzipError extends RestoreError {}

/** A gzip header followed by bytes zlib cannot inflate. */
export class CorruptGzipError extends RestoreError {}

/** Content that is neither an SQLite database nor SQL text (e.g. a gzip of random bytes). */
export class UnrecognizedBackupError extends RestoreError {}

/** An SQLite file that SQLite refuses to read or whose integrity check fails. */
export class CorruptDatabaseError extends RestoreError {}

/** A sound SQLite database that lacks the MLMD tables. */
export class NotMlmdDatabaseError extends RestoreError {
  readonly missingTables: readonly string[];

  constructor(message: string, missingTables: readonly string[], options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.missingTables = missingTables;
  }
}

/** A statement of the SQL dump failed (syntax error, constraint, truncated text, ROLLBACK). */
export class SqlDumpError extends RestoreError {
  /** 1-based number of the failing statement, when known. */
  readonly statement: number | undefined;
  /** 1-based line where that statement starts, when known. */
  readonly line: number | undefined;

  constructor(
    message: string,
    where: { statement?: number; line?: number },
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.statement = where.statement;
    this.line = where.line;
  }
}

/** The operator asked for one format and the bytes say another. Nothing was changed. */
export class BackupFormatMismatchError extends InvalidInputError {}

/** A backup made by a newer MLMD than the one running: MLMD cannot downgrade a database. */
export class SchemaTooNewError extends RestoreError {}

/** Not enough free space in a local directory for what is about to be written there. */
export class InsufficientSpaceError extends RestoreError {}

/**
 * The backup holds something whose restored value this restore cannot check against the backup itself
 * (a statement sqlite3 .dump never writes, text that is not UTF-8, a virtual table). Nothing was changed.
 */
export class UnverifiableContentError extends RestoreError {}

/** Where the built database differs from the backup, cell by cell. */
export interface ContentDifference {
  table: string;
  /** The row's rowid in the built database, when it has one. */
  rowid?: string | undefined;
  column?: string | undefined;
  expected: string;
  found: string;
}

/**
 * The database built from the backup does not hold the backup's values: the build is discarded before
 * anything in the cluster changes.
 */
export class ContentMismatchError extends RestoreError {
  constructor(
    message: string,
    readonly difference: ContentDifference,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
