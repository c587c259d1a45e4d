import { describeError } from '../../errors';
import type { ModelClient } from '../../juju/controller/modelClient';
import type { PreflightOk } from './preflight';
import { ActionTimeoutError, runAction, type ActionRun } from './runAction';
import type { DatabaseRestoreResult, DatabaseRestoreTimeouts } from './types';
import { isSettledAt, isSingleReadyUnit, MOVE_RESTORED_CLUSTER, SettleTimeoutError, waitForUnits } from './waitForUnits';

export interface RestoreOneContext {
  client: ModelClient;
  timeouts: DatabaseRestoreTimeouts;
  restoreToTime: string | undefined;
  log: (line: string) => void;
}

/**
 * Steps 3–6 for one database: scale to one unit, restore on the leader, always scale back, and say
 * what the operator must do next. Never throws for a failure of this database: it is in the result.
 */
export async function restoreOneDatabase(plan: PreflightOk, ctx: RestoreOneContext): Promise<DatabaseRestoreResult> {
  const { client, timeouts } = ctx;
  const { app, database, backupId } = plan.target;
  const log = (line: string) => ctx.log(`[${database}] ${line}`);
  const wait = { timeoutMs: timeouts.settleMs, pollMinMs: timeouts.pollMinMs, pollMaxMs: timeouts.pollMaxMs };
  const started = Date.now();
  const n = plan.units;
  const result = (outcome: DatabaseRestoreResult['outcome'], message: string, unitsAfter: number, followUp: string, operationId?: string): DatabaseRestoreResult => ({
    database, app, backupId, ...(ctx.restoreToTime ? { restoreToTime: ctx.restoreToTime } : {}),
    outcome, message, durationMs: Date.now() - started, unitsBefore: n, unitsAfter, followUp,
    ...(operationId ? { operationId } : {}),
  });

  let restore: ActionRun | undefined;
  let failure: string | undefined;
  try {
    let leader = plan.leader;
    if (n > 1) {
      log(`scaling ${app} from ${n} units to 1 (mysql-k8s restores only a single-unit cluster)`);
      await client.scaleApplication(app, 1);
    }
    const single = await waitForUnits(client, app, isSingleReadyUnit, 'one active unit', wait);
    leader = single.units[0]!.name;
    const parameters: Record<string, unknown> = { 'backup-id': backupId };
    if (ctx.restoreToTime) parameters['restore-to-time'] = ctx.restoreToTime;
    log(`running restore of ${backupId}${ctx.restoreToTime ? ` to ${ctx.restoreToTime}` : ''} on ${leader}`);
    restore = await runAction(client, leader, 'restore', parameters, {
      timeoutMs: timeouts.actionMs, pollMinMs: timeouts.pollMinMs, pollMaxMs: timeouts.pollMaxMs, onLog: log,
    });
    if (restore.state.status === 'completed') log(`restore of ${backupId} completed (operation ${restore.operationId})`);
    else failure = `restore ${restore.state.status}: ${restore.state.message || 'no message'} (operation ${restore.operationId})`;
  } catch (error) {
    if (error instanceof ActionTimeoutError) {
      // The restore may still be running: adding units now would join them to a half-restored cluster.
      log(`${describeError(error)}; not scaling back while it may still run`);
      return result('failed', error.message, 1, `Wait for \`juju show-operation ${error.operationId}\` to finish, then: juju scale-application ${app} ${n}`, error.operationId);
    }
    failure = describeError(error);
  }
  if (failure) log(`failed: ${failure}`);

  // Step 5: always back to N units, whatever happened above.
  let unitsAfter = n;
  try {
    if (n > 1) {
      log(`scaling ${app} back to ${n} units`);
      await client.scaleApplication(app, n);
      await waitForUnits(client, app, isSettledAt(n), `${n} settled units`, wait);
      log(`${app} is back to ${n} units`);
    }
  } catch (error) {
    // The last status the wait saw; -1 when scaling was refused before any was read.
    unitsAfter = error instanceof SettleTimeoutError ? (error.lastSeen?.units.length ?? -1) : -1;
    const message = `scaling back to ${n} units did not finish: ${describeError(error)}`;
    log(message);
    failure = failure ? `${failure}; ${message}` : `restore completed, but ${message}`;
    return result('failed', failure, unitsAfter, `Check \`juju status ${app}\`; if needed: juju scale-application ${app} ${n}`, restore?.operationId);
  }

  if (failure) return result('failed', failure, unitsAfter, `See \`juju show-operation ${restore?.operationId ?? '<id>'}\` and \`juju debug-log --include ${app}\``, restore?.operationId);
  return result(
    'restored',
    `restored ${backupId}`,
    unitsAfter,
    `${app} now shows Blocked "${MOVE_RESTORED_CLUSTER}": point ${plan.s3Integrator} at a new S3 path (juju config ${plan.s3Integrator} path=<new-path>; kfp-db and katib-db must use different paths), then take a new backup`,
    restore?.operationId,
  );
}
