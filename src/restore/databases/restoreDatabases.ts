import { InvalidInputError } from '../../errors';
import { connectToModel } from '../../juju/controller/connect';
import type { ModelClient } from '../../juju/controller/modelClient';
import { DatabaseRestoreFailedError } from './errors';
import { preflightDatabase, type DatabaseTarget, type PreflightOk, type PreflightProblem } from './preflight';
import { restoreOneDatabase } from './restoreDatabase';
import type { RunActionOptions } from './runAction';
import type {
  ControllerAccess, DatabaseKey, DatabaseRestoreResult, DatabaseRestoreTimeouts, EngineOptions, RestoreDatabasesParams,
} from './types';

export const DEFAULT_TIMEOUTS: DatabaseRestoreTimeouts = {
  settleMs: 15 * 60_000,
  actionMs: 60 * 60_000,
  pollMinMs: 500,
  pollMaxMs: 10_000,
};

/** A database failed its checks; nothing was changed for any database. */
export class DatabasePreflightError extends InvalidInputError {
  constructor(readonly problems: PreflightProblem[]) {
    super(
      problems.map((p) => `${p.target.database}: ${p.problem}`).join('; '),
      { hint: problems.map((p) => `${p.target.database}: ${p.hint}`).join('; ') },
    );
  }
}

export function resolveTimeouts(options: EngineOptions): DatabaseRestoreTimeouts {
  return { ...DEFAULT_TIMEOUTS, ...options.timeouts };
}

export function targetsOf(params: Pick<RestoreDatabasesParams, 'databases' | 'appNames'> & { backupIds?: Partial<Record<DatabaseKey, string>> }): DatabaseTarget[] {
  if (params.databases.length === 0) throw new InvalidInputError('no database selected');
  return [...new Set(params.databases)].map((database) => ({
    database,
    app: params.appNames?.[database] ?? database,
    backupId: params.backupIds?.[database]?.trim() || undefined,
  }));
}

export function listActionOptions(timeouts: DatabaseRestoreTimeouts, log: (line: string) => void, database: DatabaseKey): RunActionOptions {
  return {
    timeoutMs: timeouts.actionMs, pollMinMs: timeouts.pollMinMs, pollMaxMs: timeouts.pollMaxMs,
    onLog: (line) => log(`[${database}] list-backups: ${line}`),
  };
}

/**
 * Restores kfp-db and/or katib-db (mysql-k8s) through the Juju controller API. First every selected
 * database is checked (app, s3 relation, backup id finished); any problem stops everything before a
 * change. Then the databases restore in parallel. Returns every result; throws DatabaseRestoreFailedError
 * (carrying all results) if any database failed.
 */
export async function restoreDatabases(
  access: ControllerAccess,
  params: RestoreDatabasesParams,
  options: EngineOptions,
): Promise<DatabaseRestoreResult[]> {
  const targets = targetsOf(params);
  const timeouts = resolveTimeouts(options);
  const client = await connectToModel(access.credentials, access.endpoint, access.connect);
  options.log(`connected to Juju ${client.serverVersion} at ${client.address}`);
  try {
    return await restoreWithClient(client, targets, params, timeouts, options.log);
  } finally {
    client.close();
  }
}

async function restoreWithClient(
  client: ModelClient,
  targets: DatabaseTarget[],
  params: RestoreDatabasesParams,
  timeouts: DatabaseRestoreTimeouts,
  log: (line: string) => void,
): Promise<DatabaseRestoreResult[]> {
  const checks = await Promise.all(targets.map((t) => preflightDatabase(client, t, listActionOptions(timeouts, log, t.database))));
  const problems = checks.filter((c): c is PreflightProblem => !c.ok);
  if (problems.length > 0) throw new DatabasePreflightError(problems);
  const plans = checks as PreflightOk[];
  for (const plan of plans) {
    log(`[${plan.target.database}] ${plan.target.app}: ${plan.units} unit(s), backup ${plan.target.backupId} is finished`);
  }

  if (params.dryRun) {
    return plans.map((plan) => ({
      database: plan.target.database,
      app: plan.target.app,
      backupId: plan.target.backupId,
      ...(params.restoreToTime ? { restoreToTime: params.restoreToTime } : {}),
      outcome: 'checked' as const,
      message: `dry run: would ${plan.units > 1 ? `scale ${plan.target.app} ${plan.units} → 1, ` : ''}restore ${plan.target.backupId}${plan.units > 1 ? `, scale back to ${plan.units}` : ''}`,
      durationMs: 0,
      unitsBefore: plan.units,
      unitsAfter: plan.units,
      followUp: 'Run again without dry-run to restore',
    }));
  }

  const results = await Promise.all(plans.map((plan) => restoreOneDatabase(plan, { client, timeouts, restoreToTime: params.restoreToTime, log })));
  const failed = results.filter((r) => r.outcome === 'failed').map((r) => r.database);
  if (failed.length > 0) {
    throw new DatabaseRestoreFailedError(failed, results, { hint: results.filter((r) => r.outcome === 'failed').map((r) => `${r.database}: ${r.followUp}`).join('; ') });
  }
  return results;
}
