/**
 * Which backups make "the control plane as it was at `at`": for each component the newest usable
 * backup at or before `at` (or the one the operator named), then the spread of their times, refused
 * beyond `max-skew` unless forced. Pure: the candidates come from the listings (listStoreBackups,
 * listDatabaseBackups), so every rule is tested without a store or a controller.
 */
import { RefusalError } from '../../errors';
import type { MlmdBackupEntry, PrefixSummary } from '../listBackups';
import type { BackupEntry } from '../databases/types';
import { databaseBackupTime, formatDuration, formatUtc, mlmdBackupTime, type At } from './backupTime';

export type Component = 'mlmd' | 'kfp-db' | 'katib-db' | 'mlpipeline';
export const COMPONENTS: readonly Component[] = ['kfp-db', 'katib-db', 'mlmd', 'mlpipeline'];

/** One backup a component could be restored from. */
export interface Candidate {
  /** What the component's restore takes: an MLMD object name, a mysql-k8s backup id, an mlpipeline prefix. */
  backup: string;
  /** The time it stands for; undefined only when `unusable` says why. */
  time?: Date;
  /** Chosen by `at` (false: only when named, e.g. a pre-restore snapshot). */
  auto: boolean;
  /** Why it cannot be restored at all (not finished, no time, empty). */
  unusable?: string;
}

/**
 * MLMD: the runbook's `mlmd-YYYY-MM-DD-HH-MM…` objects at the store's root count, by the time in their
 * name; this charm's pre-restore snapshots (time in their name too) and other `mlmd*` objects (by their
 * modified time) only when named.
 */
export function mlmdCandidates(entries: readonly MlmdBackupEntry[]): Candidate[] {
  return entries.map((entry) => {
    const named = mlmdBackupTime(entry.name);
    if (named) return { backup: entry.name, time: named.time, auto: named.kind === 'runbook' && !entry.name.includes('/') };
    const modified = entry.modified === undefined ? undefined : new Date(entry.modified);
    if (modified && !Number.isNaN(modified.getTime())) return { backup: entry.name, time: modified, auto: false };
    return { backup: entry.name, auto: false, unusable: 'its name holds no time and the store gave none' };
  });
}

/** kfp-db, katib-db: only `finished` backups count, by the time their id is. */
export function databaseCandidates(entries: readonly BackupEntry[]): Candidate[] {
  return entries.map((entry) => {
    const time = databaseBackupTime(entry.id);
    if (entry.status !== 'finished') return { backup: entry.id, time, auto: false, unusable: `its status is ${JSON.stringify(entry.status)}, not finished` };
    if (!time) return { backup: entry.id, auto: false, unusable: 'its id is not a time (YYYY-MM-DDTHH:MM:SSZ), so when it was made is unknown' };
    return { backup: entry.id, time, auto: true };
  });
}

/** mlpipeline: each prefix stands for the time of its newest object; an empty prefix is no backup. */
export function mlpipelineCandidates(prefixes: readonly PrefixSummary[]): Candidate[] {
  return prefixes.map((summary) => {
    const time = summary.newest === undefined ? undefined : new Date(summary.newest);
    if (summary.objects === 0 || !time || Number.isNaN(time.getTime())) return { backup: summary.prefix, auto: false, unusable: 'it holds no objects' };
    return { backup: summary.prefix, time, auto: true };
  });
}

export interface BackupSetRequest {
  at: At;
  /** Largest allowed spread between the oldest and the newest chosen backup. */
  maxSkewMs: number;
  /** Accept a larger spread (reported in `warnings`). */
  force: boolean;
  /** Every component to restore, with its candidates (a component left out is not restored). */
  candidates: Partial<Record<Component, readonly Candidate[]>>;
  /** Per component, the backup the operator named (`mlmd-backup`, `kfp-db-backup-id`, `prefix`, …). */
  overrides?: Partial<Record<Component, string>>;
}

export interface ChosenBackup {
  component: Component;
  backup: string;
  time: Date;
  /** `override`: named by the operator; `at`: the newest at or before `at` (or the newest, for latest). */
  by: 'at' | 'override';
}

export interface BackupSet {
  /** In COMPONENTS order. */
  chosen: ChosenBackup[];
  /** Newest time minus oldest time of the chosen backups. */
  skewMs: number;
  maxSkewMs: number;
  /** The spread was above max-skew and force allowed it. */
  forced: boolean;
  warnings: string[];
}

export interface SelectionProblem {
  component: Component;
  problem: string;
}

/** Some component has no backup to restore (or the one named does not exist): nothing was changed. */
export class BackupSelectionError extends RefusalError {
  constructor(readonly problems: readonly SelectionProblem[]) {
    super(`no backup set: ${problems.map((p) => `${p.component}: ${p.problem}`).join('; ')}`, {
      hint: 'Run list-backups to see what there is; pick another at, or name the backups (mlmd-backup, kfp-db-backup-id, katib-db-backup-id, prefix)',
    });
  }
}

/** The chosen backups are further apart than max-skew: restoring them would mix times. */
export class BackupSkewError extends RefusalError {
  constructor(readonly set: BackupSet) {
    super(`the chosen backups span ${formatDuration(set.skewMs)}, more than max-skew ${formatDuration(set.maxSkewMs)}: ${describeSet(set)}`, {
      hint: 'Name backups closer in time (mlmd-backup, kfp-db-backup-id, katib-db-backup-id, prefix), pick another at, raise max-skew, or force=true to restore them anyway',
    });
  }
}

/** `kfp-db 2024-05-01T10:25:00Z (2024-05-01T10:25:00Z), mlmd mlmd-….dump.gz (2024-05-01T10:30:00Z)`. */
export function describeSet(set: Pick<BackupSet, 'chosen'>): string {
  return set.chosen.map((c) => `${c.component} ${c.backup} (${formatUtc(c.time)})`).join(', ');
}

export function selectBackupSet(request: BackupSetRequest): BackupSet {
  const problems: SelectionProblem[] = [];
  const chosen: ChosenBackup[] = [];
  for (const component of COMPONENTS) {
    const candidates = request.candidates[component];
    if (candidates === undefined) continue;
    const named = request.overrides?.[component];
    const pick = named === undefined ? byAt(candidates, request.at) : byName(candidates, named);
    if ('problem' in pick) problems.push({ component, problem: pick.problem });
    else chosen.push({ component, backup: pick.backup, time: pick.time, by: named === undefined ? 'at' : 'override' });
  }
  if (problems.length > 0) throw new BackupSelectionError(problems);

  const times = chosen.map((c) => c.time.getTime());
  const skewMs = times.length > 0 ? Math.max(...times) - Math.min(...times) : 0;
  const set: BackupSet = { chosen, skewMs, maxSkewMs: request.maxSkewMs, forced: false, warnings: [] };
  if (skewMs > request.maxSkewMs) {
    if (!request.force) throw new BackupSkewError(set);
    set.forced = true;
    set.warnings.push(`the backups span ${formatDuration(skewMs)}, more than max-skew ${formatDuration(request.maxSkewMs)} (restoring anyway: forced): ${describeSet(set)}`);
  }
  return set;
}

function byAt(candidates: readonly Candidate[], at: At): { backup: string; time: Date } | { problem: string } {
  const usable = candidates.filter((c): c is Candidate & { time: Date } => c.auto && c.unusable === undefined && c.time !== undefined);
  if (usable.length === 0) {
    const skipped = candidates.length - usable.length;
    return { problem: `no usable backup${skipped > 0 ? ` (${skipped} not usable: ${summarizeUnusable(candidates)})` : ''}` };
  }
  const newestFirst = [...usable].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.backup < b.backup ? 1 : -1));
  const found = at.latest ? newestFirst[0] : newestFirst.find((c) => c.time.getTime() <= at.time.getTime());
  if (!found) {
    const oldest = newestFirst[newestFirst.length - 1]!;
    return { problem: `nothing at or before ${formatUtc((at as { time: Date }).time)}; the oldest is ${oldest.backup} (${formatUtc(oldest.time)})` };
  }
  return { backup: found.backup, time: found.time };
}

function byName(candidates: readonly Candidate[], name: string): { backup: string; time: Date } | { problem: string } {
  const found = candidates.find((c) => c.backup === name);
  if (!found) {
    const known = candidates
      .filter((c): c is Candidate & { time: Date } => c.unusable === undefined && c.time !== undefined)
      .sort((a, b) => b.time.getTime() - a.time.getTime())
      .map((c) => c.backup);
    return { problem: `${name} does not exist${known.length > 0 ? ` (there are: ${known.slice(0, 5).join(', ')}${known.length > 5 ? `, … ${known.length - 5} more` : ''})` : ' (there is none)'}` };
  }
  if (found.unusable !== undefined || found.time === undefined) return { problem: `${name} cannot be restored: ${found.unusable ?? 'its time is unknown'}` };
  return { backup: found.backup, time: found.time };
}

function summarizeUnusable(candidates: readonly Candidate[]): string {
  const reasons = new Map<string, number>();
  for (const c of candidates) if (c.unusable !== undefined) reasons.set(c.unusable, (reasons.get(c.unusable) ?? 0) + 1);
  const notAuto = candidates.filter((c) => c.unusable === undefined && !c.auto).length;
  if (notAuto > 0) reasons.set('only used when named (e.g. pre-restore snapshots)', notAuto);
  return [...reasons].map(([reason, count]) => `${count} ${reason}`).join('; ');
}
