/*
 * What an MLMD database holds, in the terms an operator weighs a restore by: how many artifacts,
 * executions, contexts and events, when the newest was created and last updated, and — comparing the live
 * database with a backup — how much recorded work is newer than the backup (the restore discards it; it
 * stays in the pre-restore snapshot).
 */
import type { DatabaseSync } from 'node:sqlite';

export interface MlmdActivity {
  artifacts: number;
  executions: number;
  contexts: number;
  events: number;
  /** Newest create_time_since_epoch over artifacts, executions and contexts (ms since the epoch, UTC). */
  newestCreated: number | undefined;
  /** Newest last_update_time_since_epoch over the same. */
  newestUpdated: number | undefined;
}

export interface NewerRows {
  artifacts: number;
  executions: number;
  contexts: number;
  events: number;
  total: number;
}

const NODES = [
  ['artifacts', 'Artifact'],
  ['executions', 'Execution'],
  ['contexts', 'Context'],
] as const;

function columnsOf(db: DatabaseSync, table: string): Set<string> {
  return new Set(db.prepare('SELECT name FROM pragma_table_info(?)').all(table).map((row) => String(row.name).toLowerCase()));
}

const maxOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

function single(db: DatabaseSync, sql: string, ...params: number[]): number | undefined {
  const value = Object.values(db.prepare(sql).get(...params) ?? {})[0];
  return value === null || value === undefined ? undefined : Number(value);
}

export function readMlmdActivity(db: DatabaseSync): MlmdActivity {
  const activity: MlmdActivity = { artifacts: 0, executions: 0, contexts: 0, events: 0, newestCreated: undefined, newestUpdated: undefined };
  for (const [key, table] of NODES) {
    const columns = columnsOf(db, table);
    if (columns.size === 0) continue;
    activity[key] = single(db, `SELECT count(*) FROM "${table}"`) ?? 0;
    if (columns.has('create_time_since_epoch')) activity.newestCreated = maxOf(activity.newestCreated, single(db, `SELECT max(create_time_since_epoch) FROM "${table}"`));
    if (columns.has('last_update_time_since_epoch')) activity.newestUpdated = maxOf(activity.newestUpdated, single(db, `SELECT max(last_update_time_since_epoch) FROM "${table}"`));
  }
  if (columnsOf(db, 'Event').size > 0) activity.events = single(db, 'SELECT count(*) FROM "Event"') ?? 0;
  return activity;
}

/** The newest moment a database records: its newest creation, update or event. */
export function newestRecorded(db: DatabaseSync, activity: MlmdActivity): number | undefined {
  const events = columnsOf(db, 'Event').has('milliseconds_since_epoch') ? single(db, 'SELECT max(milliseconds_since_epoch) FROM "Event"') : undefined;
  return maxOf(maxOf(activity.newestCreated, activity.newestUpdated), events);
}

/** Rows of `db` created or updated after `since` (ms): work a restore to an older backup discards. */
export function rowsNewerThan(db: DatabaseSync, since: number): NewerRows {
  const out: NewerRows = { artifacts: 0, executions: 0, contexts: 0, events: 0, total: 0 };
  for (const [key, table] of NODES) {
    const columns = columnsOf(db, table);
    const times = ['create_time_since_epoch', 'last_update_time_since_epoch'].filter((c) => columns.has(c));
    if (times.length === 0) continue;
    out[key] = single(db, `SELECT count(*) FROM "${table}" WHERE ${times.map((c) => `${c} > ?`).join(' OR ')}`, ...times.map(() => since)) ?? 0;
  }
  if (columnsOf(db, 'Event').has('milliseconds_since_epoch')) out.events = single(db, 'SELECT count(*) FROM "Event" WHERE milliseconds_since_epoch > ?', since) ?? 0;
  out.total = out.artifacts + out.executions + out.contexts + out.events;
  return out;
}

/** ms since the epoch as an ISO UTC time, or undefined. */
export function utc(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
