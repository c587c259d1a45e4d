import { RestoreError } from '../../errors';
import type { ModelClient } from '../../juju/controller/modelClient';
import type { ApplicationInfo } from '../../juju/controller/types';
import { sleep } from '../../util/sleep';

export const MOVE_RESTORED_CLUSTER = 'Move restored cluster to another S3 repository';

export interface WaitOptions {
  timeoutMs: number;
  pollMinMs: number;
  pollMaxMs: number;
}

/** Scaling did not settle within the bound. */
export class SettleTimeoutError extends RestoreError {
  constructor(readonly lastSeen: ApplicationInfo | undefined, message: string, hint: string) {
    super(message, { hint });
  }
}

/** A summary like `kfp-db/0 active/idle, kfp-db/1 maintenance/executing`. */
export function describeUnits(app: ApplicationInfo | undefined): string {
  if (!app || app.units.length === 0) return 'no units';
  return app.units.map((u) => `${u.name} ${u.workload.status}/${u.agent.status}`).join(', ');
}

/**
 * Exactly one unit, the leader, agent idle and workload active — or Blocked with the message a previous
 * restore leaves (mysql-k8s still accepts a restore then; this keeps a second run possible).
 */
export function isSingleReadyUnit(app: ApplicationInfo): boolean {
  const [unit, ...rest] = app.units;
  return (
    unit !== undefined && rest.length === 0 && unit.leader && unit.agent.status === 'idle' &&
    (unit.workload.status === 'active' || (unit.workload.status === 'blocked' && unit.workload.info === MOVE_RESTORED_CLUSTER))
  );
}

/** `count` units, all agents idle and every workload settled (active, or blocked after a restore). */
export function isSettledAt(count: number): (app: ApplicationInfo) => boolean {
  return (app) =>
    app.units.length === count &&
    app.units.every((u) => u.agent.status === 'idle' && (u.workload.status === 'active' || u.workload.status === 'blocked'));
}

/** Polls FullStatus until `ready(app)` holds; returns that status. */
export async function waitForUnits(
  client: ModelClient,
  appName: string,
  ready: (app: ApplicationInfo) => boolean,
  what: string,
  options: WaitOptions,
): Promise<ApplicationInfo> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.pollMinMs;
  let last: ApplicationInfo | undefined;
  for (;;) {
    last = (await client.getApplications([appName])).get(appName);
    if (last && ready(last)) return last;
    if (Date.now() >= deadline) {
      throw new SettleTimeoutError(
        last,
        `${appName} did not reach ${what} within ${options.timeoutMs} ms (now: ${describeUnits(last)})`,
        `Check \`juju status ${appName}\``,
      );
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, options.pollMaxMs);
  }
}
