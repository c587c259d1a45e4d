/** What a sync did (or, in a dry run, would do). Plain data: it goes into action results as is. */
export interface Tally {
  objects: number;
  bytes: number;
}

export interface SyncReport {
  dryRun: boolean;
  /** Objects listed under the source prefix and the destination prefix. */
  source: Tally;
  destination: Tally;
  planned: { copy: Tally; delete: Tally; unchanged: Tally };
  copied: Tally;
  /** Already the same on the destination (by size, or by checksum with compare=checksum). */
  skipped: Tally;
  deleted: Tally;
  /** Attempts repeated after transient failures (per object, listings, deletes). */
  retries: number;
  /** Failed keys with reasons: the first 10; `errorCount` has them all. */
  errors: { key: string; reason: string }[];
  errorCount: number;
  /** Dry run: the first keys that would be copied / deleted. */
  sample: { copy: string[]; delete: string[] };
  aborted: boolean;
  durationMs: number;
  /** Bytes copied per second of the whole run, in MiB/s. */
  throughputMiBps: number;
}

export const MiB = 1024 * 1024;

export function emptyReport(dryRun: boolean): SyncReport {
  const zero = (): Tally => ({ objects: 0, bytes: 0 });
  return {
    dryRun,
    source: zero(),
    destination: zero(),
    planned: { copy: zero(), delete: zero(), unchanged: zero() },
    copied: zero(),
    skipped: zero(),
    deleted: zero(),
    retries: 0,
    errors: [],
    errorCount: 0,
    sample: { copy: [], delete: [] },
    aborted: false,
    durationMs: 0,
    throughputMiBps: 0,
  };
}

export function recordError(report: SyncReport, key: string, reason: string): void {
  report.errorCount++;
  if (report.errors.length < 10) report.errors.push({ key, reason });
}
