/** list-backups: what the backup store (and, with controller access, mysql-k8s) can restore. */
import { describeError, RestoreError } from '../errors';
import type { ActionHandler } from '../juju/actionRunner';
import type { Results } from '../juju/actionResults';
import { ParamReader } from '../juju/params';
import { backupStoreEndpoint, describeBackupStore } from '../relations/backupStore';
import { listDatabaseBackups } from '../restore/databases/listDatabaseBackups';
import type { DatabaseBackups } from '../restore/databases/types';
import { listStoreBackups, type StoreBackups } from '../restore/listBackups';
import { createS3Client } from '../storage/client';
import { readConfig, requireBackupStore } from './charmState';
import { readControllerAccess } from './controllerAccess';

const MIB = 1024 * 1024;

function summary(where: string, store: StoreBackups | string, databases: DatabaseBackups[] | string): string {
  const lines: string[] = [];
  if (typeof store === 'string') {
    lines.push(`Backup store: ${store}`, '');
  } else {
    lines.push(`Backup store: ${where}`, '', `MLMD backups (restore-mlmd backup=<name>), newest first: ${store.mlmd.length}`);
    lines.push(...table(['name', 'taken (UTC)', 'age', 'uploaded', 'size', 'format'], store.mlmd.map((e) => [e.name, e.taken ?? '-', e.age ?? '?', e.modified ?? '?', `${(e.bytes / MIB).toFixed(1)} MiB`, e.format])));
    const p = store.mlpipeline;
    lines.push('', `mlpipeline (restore-mlpipeline prefix=${p.prefix}): ${p.objects} objects, ${(p.bytes / MIB).toFixed(1)} MiB, newest ${p.newest ?? 'n/a'}`, '');
  }
  if (typeof databases === 'string') {
    lines.push(`Databases: ${databases}`);
  } else {
    for (const db of databases) {
      lines.push(`${db.database} (${db.app}) backups (restore-databases ${db.database}-backup-id=<id>):`);
      for (const backup of db.backups) lines.push(`  ${backup.id}  ${backup.type}  ${backup.status}`);
    }
  }
  return lines.join('\n');
}

/** Rows as aligned columns, indented two spaces. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return rows.length === 0 ? [] : [line(head), ...rows.map(line)];
}

export const listBackupsAction: ActionHandler = {
  name: 'list-backups',
  async run({ context, params: raw, log }) {
    new ParamReader(raw).rejectUnknown();
    const config = await readConfig();
    // The two halves are independent: one that cannot be listed becomes a note, so the other still shows.
    let where = '';
    let found: StoreBackups | string;
    try {
      const store = await requireBackupStore();
      where = `backup store ${describeBackupStore(store)}`;
      const client = createS3Client(backupStoreEndpoint(store));
      try {
        found = await listStoreBackups(client, store.bucket, store.path, 'mlpipeline', where);
      } finally {
        client.destroy();
      }
    } catch (error) {
      found = `could not list it: ${describeError(error)}`;
    }

    let databases: DatabaseBackups[] | string;
    if (!config.jujuCredentials) {
      databases = 'set juju-credentials to list the kfp-db and katib-db backups (see the README)';
    } else {
      try {
        const access = await readControllerAccess(config, context);
        databases = await listDatabaseBackups(access, { databases: ['kfp-db', 'katib-db'], appNames: { 'kfp-db': config.kfpDbApp, 'katib-db': config.katibDbApp } }, { log });
      } catch (error) {
        // The store listing is still worth showing; the database part says what went wrong.
        databases = `could not list them: ${describeError(error)}`;
      }
    }

    if (typeof found === 'string' && typeof databases === 'string' && config.jujuCredentials) {
      throw new RestoreError(`nothing could be listed. Backup store: ${found}. Databases: ${databases}`);
    }
    const results: Results = {
      summary: summary(where, found, databases),
      ...(typeof found === 'string'
        ? { store: { note: found } }
        : { mlmd: { count: found.mlmd.length, backups: found.mlmd.map((entry) => ({ ...entry })) }, mlpipeline: { ...found.mlpipeline } }),
      databases:
        typeof databases === 'string'
          ? { note: databases }
          : Object.fromEntries(databases.map((db) => [db.database, { app: db.app, backups: db.backups.map((backup) => ({ ...backup })) }])),
    };
    return results;
  },
};
