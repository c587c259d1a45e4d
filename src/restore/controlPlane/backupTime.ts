/**
 * Times and durations as the operator writes them and as backups carry them: `at` (`latest` or a UTC
 * time), `max-skew` (`1h`, `30m`, `90s`, `2h30m`), the time in an MLMD backup's name and in a mysql-k8s
 * backup id. Pure; UTC only, so no time zone is ever guessed.
 */
import { InvalidInputError } from '../../errors';
import { takenFromName } from '../../mlmd/backupName';
import { utcDate } from '../../util/utcDate';
import { SNAPSHOT_DIR } from '../listBackups';

/** `latest`, or a moment: backups at or before it count. */
export type At = { latest: true } | { latest: false; time: Date };

/** 2024-05-01T10:30Z, 2024-05-01T10:30:00Z, 2024-05-01T10:30:00.000Z (list-backups prints the last). */
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?[Zz]$/;


/** A UTC time in one of the forms above, or undefined. */
export function parseUtcTime(text: string): Date | undefined {
  const m = UTC_TIME.exec(text);
  if (!m) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  return utcDate(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6] === undefined ? 0 : Number(m[6]), ms);
}

export function parseAt(text: string, parameter = 'at'): At {
  const value = text.trim();
  if (value === 'latest') return { latest: true };
  const time = parseUtcTime(value);
  if (!time) {
    throw new InvalidInputError(`parameter ${parameter} must be "latest" or a UTC time, got ${JSON.stringify(text)}`, {
      hint: 'Write it as 2024-05-01T10:30Z or 2024-05-01T10:30:00Z (UTC, ending in Z), as list-backups prints times',
    });
  }
  return { latest: false, time };
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** A year: a larger skew is surely a typo. */
const MAX_DURATION_MS = 366 * 24 * 3600 * 1000;

/** `1h`, `30m`, `90s`, `2h30m`, `1h0m30s`, `0s` → milliseconds. */
export function parseDuration(text: string, parameter = 'max-skew'): number {
  const value = text.trim();
  const m = DURATION.exec(value);
  if (!m || value === '' || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    throw new InvalidInputError(`parameter ${parameter} must be a duration like 1h, 30m, 90s or 2h30m, got ${JSON.stringify(text)}`, {
      hint: 'Hours, minutes and seconds as whole numbers, in that order (h, m, s)',
    });
  }
  const ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  if (ms > MAX_DURATION_MS) throw new InvalidInputError(`parameter ${parameter} is more than a year (${JSON.stringify(text)})`);
  return ms;
}

/** `2h5m`, `45s`, `1h30s`, `0s`. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text || '0s';
}

/** `2024-05-01T10:30:00Z`: seconds precision, as mysql-k8s backup ids are written. */
export function formatUtc(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * When an MLMD backup was taken, from its name (src/mlmd/backupName.ts): `snapshot` for this charm's
 * pre-restore snapshots (`ckf-restore/pre-restore/mlmd-YYYY-MM-DDTHH-MM-SSZ.db`), else `runbook`.
 */
export function mlmdBackupTime(name: string): { time: Date; kind: 'runbook' | 'snapshot' } | undefined {
  const kind = name.startsWith(SNAPSHOT_DIR) ? 'snapshot' : 'runbook';
  // A runbook backup sits at the store's root; an mlmd-… name elsewhere is someone else's object.
  if (kind === 'runbook' && name.includes('/')) return undefined;
  const time = takenFromName(name);
  return time && { time, kind };
}

/** mysql-k8s backup ids are their UTC start time, `2024-05-01T10:25:00Z`. */
export function databaseBackupTime(id: string): Date | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(id) ? parseUtcTime(id) : undefined;
}
