import type { BackupEntry } from './types';

/**
 * Parses the `backups` result of mysql-k8s's `list-backups`: a header row
 * `backup-id | backup-type | backup-status`, a dashed rule, then one row per backup. Columns are found
 * by header name so a reordered or extra column does not break it. Returns null if there is no header.
 */
export function parseBackupsTable(text: string): BackupEntry[] | null {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const headerIndex = lines.findIndex((line) => line.split('|').map((c) => c.trim()).includes('backup-id'));
  if (headerIndex < 0) return null;
  const header = lines[headerIndex]!.split('|').map((c) => c.trim());
  const col = (name: string) => header.indexOf(name);
  const [idCol, typeCol, statusCol] = [col('backup-id'), col('backup-type'), col('backup-status')];
  const entries: BackupEntry[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (/^[-\s|]+$/.test(line)) continue;
    const cells = line.split('|').map((c) => c.trim());
    const id = cells[idCol] ?? '';
    if (!id) continue;
    entries.push({ id, type: typeCol >= 0 ? (cells[typeCol] ?? '') : '', status: statusCol >= 0 ? (cells[statusCol] ?? '') : '' });
  }
  return entries;
}

/** The newest `count` finished backup ids, newest first (ids are timestamps `YYYY-MM-DDTHH:MM:SSZ`). */
export function newestFinished(backups: readonly BackupEntry[], count = 5): string[] {
  return backups
    .filter((b) => b.status === 'finished')
    .map((b) => b.id)
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .slice(0, count);
}
