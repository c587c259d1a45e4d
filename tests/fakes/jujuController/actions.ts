import { MOVE_RESTORED_CLUSTER, type SimulatedMysqlApp } from './mysqlApp';
import type { FakeBackup, JujuErrorShape } from './types';

export type SimActionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SimAction {
  id: number;
  operationId: number;
  receiver: string;
  name: string;
  parameters: Record<string, unknown>;
  status: SimActionStatus;
  message: string;
  output: Record<string, unknown>;
  log: { timestamp: string; message: string }[];
  enqueued: string;
  started: string;
  completed: string;
}

/** Juju renders unset times as Go's zero time. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
const now = () => new Date().toISOString();

/** The text table mysql-k8s's `list-backups` returns in its `backups` result (lib charms.mysql.v0.backups). */
export function formatBackupsTable(backups: readonly FakeBackup[]): string {
  const header = `${'backup-id'.padEnd(21)} | ${'backup-type'.padEnd(12)} | backup-status`;
  const rows = [...backups]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((b) => `${b.id.padEnd(21)} | ${'physical'.padEnd(12)} | ${b.status}`);
  return [header, '-'.repeat(header.length), ...rows].join('\n');
}

interface Runtime {
  schedule(ms: number, fn: () => void): void;
  stepMs(): number;
  failRestore(app: string): boolean;
}

/**
 * Juju's action queue for the fake model, running mysql-k8s's `list-backups` and `restore` the way
 * the charm does: same checks, same failure messages, results set with action-set, log lines with
 * action-log, and the Blocked status a successful restore leaves behind.
 */
export class SimulatedActions {
  private readonly actions = new Map<number, SimAction>();
  private readonly operations = new Map<number, number[]>();
  private nextId = 1;

  constructor(private readonly runtime: Runtime) {}

  /** Queues one action on a unit; returns it, or a Juju-shaped error for this entry. */
  enqueue(operationId: number, app: SimulatedMysqlApp, ordinal: number, name: string, parameters: Record<string, unknown>):
    SimAction | JujuErrorShape {
    if (!app.units.has(ordinal)) {
      return { message: `unit "${app.unitName(ordinal)}" not found`, code: 'not found' };
    }
    if (name !== 'list-backups' && name !== 'restore' && name !== 'create-backup') {
      return { message: `no action "${name}" defined on unit "${app.unitName(ordinal)}"`, code: 'not found' };
    }
    const action: SimAction = {
      id: this.nextId++,
      operationId,
      receiver: `unit-${app.name}-${ordinal}`,
      name,
      parameters,
      status: 'pending',
      message: '',
      output: {},
      log: [],
      enqueued: now(),
      started: ZERO_TIME,
      completed: ZERO_TIME,
    };
    this.actions.set(action.id, action);
    const ops = this.operations.get(operationId) ?? [];
    ops.push(action.id);
    this.operations.set(operationId, ops);
    this.runtime.schedule(this.runtime.stepMs(), () => this.start(action, app));
    return action;
  }

  newOperationId(): number {
    return this.nextId++;
  }

  get(id: number): SimAction | undefined {
    return this.actions.get(id);
  }

  operation(id: number): SimAction[] | undefined {
    return this.operations.get(id)?.map((actionId) => this.actions.get(actionId)!);
  }

  private start(action: SimAction, app: SimulatedMysqlApp): void {
    action.status = 'running';
    action.started = now();
    if (action.name === 'list-backups') this.listBackups(action, app);
    else if (action.name === 'restore') this.restore(action, app);
    else this.fail(action, 'create-backup is not simulated');
  }

  private listBackups(action: SimAction, app: SimulatedMysqlApp): void {
    this.runtime.schedule(this.runtime.stepMs(), () => {
      if (!app.s3Integrator) return this.fail(action, 'Missing relation with S3 integrator charm');
      this.complete(action, { backups: formatBackupsTable(app.backups) });
    });
  }

  private restore(action: SimAction, app: SimulatedMysqlApp): void {
    const backupId = typeof action.parameters['backup-id'] === 'string' ? action.parameters['backup-id'].trim() : '';
    if (!app.s3Integrator) return this.fail(action, 'Missing relation with S3 integrator charm');
    if (!backupId) return this.fail(action, 'Missing backup-id to restore');
    if (app.targetScale > 1) {
      return this.fail(action, 'Unit cannot restore backup as there are more than one units in the cluster');
    }
    // mysql-k8s checks that {path}/{backup-id}.md5 exists: only finished backups have one.
    if (!app.backups.some((b) => b.id === backupId && b.status === 'finished')) {
      return this.fail(action, `Invalid backup-id: ${backupId}`);
    }
    const ordinal = Number(action.receiver.slice(action.receiver.lastIndexOf('-') + 1));
    const steps = [
      `Restoring backup ${backupId}`,
      'Retrieving the backup with xbcloud',
      'Preparing the retrieved backup with xtrabackup',
      'Moving the restored files into the data directory',
    ];
    const next = (i: number) => {
      if (i < steps.length) {
        this.log(action, steps[i]!);
        this.runtime.schedule(this.runtime.stepMs(), () => next(i + 1));
        return;
      }
      if (this.runtime.failRestore(app.name)) return this.fail(action, `Failed to restore backup ${backupId}`);
      app.markRestored(ordinal);
      this.log(action, `Restore finished; the app now shows "${MOVE_RESTORED_CLUSTER}"`);
      this.complete(action, { completed: 'ok' });
    };
    next(0);
  }

  private log(action: SimAction, message: string): void {
    action.log.push({ timestamp: now(), message });
  }

  private fail(action: SimAction, message: string): void {
    action.status = 'failed';
    action.message = message;
    action.output = { 'return-code': 0 };
    action.completed = now();
  }

  private complete(action: SimAction, results: Record<string, unknown>): void {
    action.status = 'completed';
    action.output = { ...results, 'return-code': 0 };
    action.completed = now();
  }
}
