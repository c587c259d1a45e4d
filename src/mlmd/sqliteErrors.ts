/** Fields node:sqlite puts on the errors it throws (code ERR_SQLITE_ERROR). */
interface NodeSqliteError extends Error {
  errcode?: number;
  errstr?: string;
}

// SQLite primary result codes that mean the file itself is bad.
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

// Duck-typed rather than `instanceof Error`: errors from node's built-ins can come from another realm
// (e.g. under jest's VM contexts), where instanceof fails.
export function isNodeSqliteError(error: unknown): error is NodeSqliteError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR';
}

/** Whether SQLite said the database file is damaged or not a database at all. */
export function isCorruptionError(error: unknown): boolean {
  if (!isNodeSqliteError(error) || error.errcode === undefined) return false;
  const primary = error.errcode & 0xff; // extended codes keep the primary code in the low byte
  return primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB;
}

/** SQLite's message for an error, without node's decoration. */
export function sqliteMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
