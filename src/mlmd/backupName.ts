/*
 * When an MLMD backup was taken, from its name: the runbook names them `mlmd-YYYY-MM-DD-HH-MM…` (UTC),
 * this charm's pre-restore snapshots `mlmd-YYYY-MM-DDTHH-MM-SSZ.db`. A name that does not follow either
 * (or names a date that does not exist) has no such time; its upload time is all there is.
 */
import { utcDate } from '../util/utcDate';

const PATTERN = /(?:^|\/)mlmd-(\d{4})-(\d{2})-(\d{2})[-T](\d{2})-(\d{2})(?:-(\d{2}))?(?=Z?(?:[._-]|$))/;

/** The time in the name as a Date (UTC), or undefined. */
export function takenFromName(name: string): Date | undefined {
  const match = PATTERN.exec(name);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number];
  return utcDate(year, month, day, hour, minute, second);
}

/** How long ago, for people: `45s`, `12m`, `3h 20m`, `4d 6h`. A time in the future says so. */
export function describeAge(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
