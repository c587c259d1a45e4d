import { DatabaseSync } from 'node:sqlite';
import { CorruptDatabaseError, NotMlmdDatabaseError } from './errors';
import { MLMD_SCHEMA_VERSION_1_14, requiredMlmdTables } from './mlmdSchema';
import { isCorruptionError, sqliteMessage } from './sqliteErrors';

export interface MlmdCounts {
  artifacts: number;
  executions: number;
  contexts: number;
  events: number;
}

export interface MlmdDatabaseFacts {
  schemaVersion: number;
  counts: MlmdCounts;
}

const PICK_ANOTHER = 'Pick another backup';

/** Opens a database read-only, turning "not a database" into CorruptDatabaseError. */
export function openReadOnly(path: string): DatabaseSync {
  try {
    return new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw asCorruption(error, path);
  }
}

export function asCorruption(error: unknown, path: string): unknown {
  if (!isCorruptionError(error)) return error;
  return new CorruptDatabaseError(`${path} is not a readable SQLite database: ${sqliteMessage(error)}`, {
    hint: PICK_ANOTHER,
    cause: error,
  });
}

/** Runs `read` on a read-only connection to `path`; SQLite corruption errors become CorruptDatabaseError. */
export function withReadOnlyDatabase<T>(path: string, read: (db: DatabaseSync) => T): T {
  const db = openReadOnly(path);
  try {
    return read(db);
  } catch (error) {
    throw asCorruption(error, path);
  } finally {
    db.close();
  }
}

function tableNames(db: DatabaseSync): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  // SQLite resolves table names case-insensitively (ASCII), so compare that way.
  return new Set(rows.map((row) => String(row.name).toLowerCase()));
}

/** `MLMDEnv.schema_version` of an open database; throws NotMlmdDatabaseError when there is none. */
export function schemaVersionOf(db: DatabaseSync, path: string): number {
  const tables = tableNames(db);
  if (!tables.has('mlmdenv')) {
    const missing = requiredMlmdTables(MLMD_SCHEMA_VERSION_1_14).filter((t) => !tables.has(t.toLowerCase()));
    throw new NotMlmdDatabaseError(
      `${path} is an SQLite database but not an MLMD one: it lacks the tables ${missing.join(', ')}`,
      missing,
      { hint: 'Check that the backup is of MLMD (/data/mlmd.db), not of another database; pick another backup' },
    );
  }
  const rows = db.prepare('SELECT schema_version FROM MLMDEnv').all();
  const version = rows[0]?.schema_version;
  if (rows.length !== 1 || typeof version !== 'number' || !Number.isInteger(version)) {
    throw new NotMlmdDatabaseError(
      `${path} has an MLMDEnv table but not exactly one integer schema_version in it (${rows.length} rows)`,
      [],
      { hint: PICK_ANOTHER },
    );
  }
  return version;
}

/** The schema version of an existing MLMD database file (e.g. a copy of the live one), read-only. */
export function readSchemaVersion(path: string): number {
  return withReadOnlyDatabase(path, (db) => schemaVersionOf(db, path));
}

/**
 * Checks that `path` is a sound MLMD database: SQLite's integrity check passes, MLMDEnv names a schema
 * version, and every table that version has exists. Returns the version and row counts.
 */
export function verifyMlmdDatabase(path: string): MlmdDatabaseFacts {
  return withReadOnlyDatabase(path, (db) => {
    const problems = db
      .prepare('PRAGMA integrity_check(20)')
      .all()
      .map((row) => String(Object.values(row)[0]));
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new CorruptDatabaseError(`${path} fails SQLite's integrity check: ${problems.slice(0, 5).join('; ')}`, {
        hint: PICK_ANOTHER,
      });
    }
    const schemaVersion = schemaVersionOf(db, path);
    const tables = tableNames(db);
    const missing = requiredMlmdTables(schemaVersion).filter((t) => !tables.has(t.toLowerCase()));
    if (missing.length > 0) {
      throw new NotMlmdDatabaseError(
        `${path} says MLMD schema version ${schemaVersion} but lacks the tables ${missing.join(', ')}`,
        missing,
        { hint: PICK_ANOTHER },
      );
    }
    const count = (table: string): number =>
      tables.has(table.toLowerCase()) ? Number(db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get()?.n) : 0;
    return {
      schemaVersion,
      counts: {
        artifacts: count('Artifact'),
        executions: count('Execution'),
        contexts: count('Context'),
        events: count('Event'),
      },
    };
  });
}
