/** restore-databases: params → the databases engine → per-database results. */
import { InvalidInputError } from '../errors';
import type { ActionHandler } from '../juju/actionRunner';
import type { ResultValue } from '../juju/actionResults';
import { ParamReader } from '../juju/params';
import { DatabaseRestoreFailedError } from '../restore/databases/errors';
import { restoreDatabases } from '../restore/databases/restoreDatabases';
import { DATABASE_KEYS, type DatabaseKey, type DatabaseRestoreResult } from '../restore/databases/types';
import { readConfig } from './charmState';
import { readControllerAccess } from './controllerAccess';

const BACKUP_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
const RESTORE_TO_TIME = /^(latest|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$/;

export function parseDatabases(text: string): DatabaseKey[] {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(DATABASE_KEYS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidInputError(`parameter databases must list kfp-db and/or katib-db, got ${JSON.stringify(text)}`);
  }
  return [...new Set(names)] as DatabaseKey[];
}

function backupId(params: ParamReader, name: string): string | undefined {
  const value = params.optionalString(name);
  if (value !== undefined && !BACKUP_ID.test(value)) {
    throw new InvalidInputError(`parameter ${name} is not a backup id, got ${JSON.stringify(value)}`, { hint: 'Backup ids look like 2024-05-01T10:25:00Z; run list-backups' });
  }
  return value;
}

export function databaseResults(results: DatabaseRestoreResult[]): Record<string, ResultValue> {
  return Object.fromEntries(
    results.map((result) => [
      result.database,
      {
        app: result.app,
        backupId: result.backupId,
        restoreToTime: result.restoreToTime,
        outcome: result.outcome,
        message: result.message,
        seconds: (result.durationMs / 1000).toFixed(1),
        unitsBefore: result.unitsBefore,
        unitsAfter: result.unitsAfter,
        operationId: result.operationId,
        followUp: result.followUp,
      },
    ]),
  );
}

export const restoreDatabasesAction: ActionHandler = {
  name: 'restore-databases',
  async run({ context, params: raw, log, addResults }) {
    const params = new ParamReader(raw);
    const shared = backupId(params, 'backup-id');
    const perDatabase = { 'kfp-db': backupId(params, 'kfp-db-backup-id') ?? shared, 'katib-db': backupId(params, 'katib-db-backup-id') ?? shared };
    const restoreToTime = params.optionalString('restore-to-time');
    if (restoreToTime !== undefined && !RESTORE_TO_TIME.test(restoreToTime)) {
      throw new InvalidInputError(`parameter restore-to-time must be "YYYY-MM-DD HH:MM:SS" or "latest", got ${JSON.stringify(restoreToTime)}`);
    }
    const databases = parseDatabases(params.string('databases', DATABASE_KEYS.join(',')));
    const dryRun = params.boolean('dry-run', false);
    params.rejectUnknown();

    const config = await readConfig();
    const access = await readControllerAccess(config, context);
    try {
      const results = await restoreDatabases(
        access,
        { databases, backupIds: perDatabase, restoreToTime, dryRun, appNames: { 'kfp-db': config.kfpDbApp, 'katib-db': config.katibDbApp } },
        { log },
      );
      return { dryRun, databases: databaseResults(results) };
    } catch (error) {
      if (error instanceof DatabaseRestoreFailedError) addResults({ dryRun, databases: databaseResults(error.results) });
      throw error;
    }
  },
};
