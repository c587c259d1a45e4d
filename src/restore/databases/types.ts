import type { ConnectOptions, ControllerCredentials, ControllerEndpoint } from '../../juju/controller/types';

/** The two CKF databases, by the name the action params use. */
export type DatabaseKey = 'kfp-db' | 'katib-db';

export const DATABASE_KEYS: readonly DatabaseKey[] = ['kfp-db', 'katib-db'];

/** How to reach the model: credentials from the Juju user secret, endpoint from the action env. */
export interface ControllerAccess {
  credentials: ControllerCredentials;
  endpoint: ControllerEndpoint;
  connect?: ConnectOptions;
}

export interface RestoreDatabasesParams {
  /** Which databases to restore. */
  databases: readonly DatabaseKey[];
  /** The backup id per database (as `list-backups` prints it). A selected database without one fails preflight. */
  backupIds: Partial<Record<DatabaseKey, string>>;
  /** Passed to mysql-k8s's restore as `restore-to-time` (point-in-time recovery). */
  restoreToTime?: string;
  /** Check everything, change nothing: no scaling, no restore. */
  dryRun: boolean;
  /** The mysql-k8s application names; default: the keys. */
  appNames?: Partial<Record<DatabaseKey, string>>;
}

/** Time bounds; defaults suit a real cluster, tests pass small ones. */
export interface DatabaseRestoreTimeouts {
  /** For scaling to settle (down to 1, and back to N). Default 15 min. */
  settleMs: number;
  /** For one action (list-backups, restore) to finish. Default 60 min. */
  actionMs: number;
  /** First poll interval; doubles up to pollMaxMs. Defaults 500 ms / 10 s. */
  pollMinMs: number;
  pollMaxMs: number;
}

export interface EngineOptions {
  log: (line: string) => void;
  timeouts?: Partial<DatabaseRestoreTimeouts>;
}

export type DatabaseOutcome = 'restored' | 'failed' | 'checked';

export interface DatabaseRestoreResult {
  database: DatabaseKey;
  app: string;
  backupId: string;
  restoreToTime?: string;
  outcome: DatabaseOutcome;
  /** mysql-k8s's message (failure), or a one-line summary. */
  message: string;
  durationMs: number;
  unitsBefore: number;
  /** Units when we finished; equals unitsBefore unless scaling back failed or was skipped. */
  unitsAfter: number;
  /** Juju operation id of the restore, when one was enqueued (for `juju show-operation`). */
  operationId?: string;
  /** What the operator must do next, if anything. */
  followUp: string;
}

export interface BackupEntry {
  id: string;
  type: string;
  status: string;
}

export interface DatabaseBackups {
  database: DatabaseKey;
  app: string;
  backups: BackupEntry[];
}
