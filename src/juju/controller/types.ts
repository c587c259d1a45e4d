/** A Juju user's login, as stored in the Juju user secret the operator gives the charm. */
export interface ControllerCredentials {
  username: string;
  password: string;
  /** The controller CA certificate (PEM), as `juju show-controller` prints it. */
  caCert: string;
}

/** Where the model's API is: from JUJU_API_ADDRESSES, JUJU_MODEL_UUID, JUJU_VERSION. */
export interface ControllerEndpoint {
  /** `host:port` values, tried in turn. */
  addresses: readonly string[];
  modelUuid: string;
  /** The Juju version the client announces at login (JUJU_VERSION). */
  clientVersion: string;
  /** The model name, only for messages (e.g. `juju grant <user> admin <model>`). Default: "kubeflow". */
  modelName?: string;
}

export interface ConnectOptions {
  /** Bound for opening the WebSocket and logging in, per address. Default 10 s. */
  connectTimeoutMs?: number;
  /** Bound for any single API call once connected. Default 60 s. */
  callTimeoutMs?: number;
}

export interface StatusValue {
  status: string;
  info: string;
}

export interface UnitInfo {
  name: string;
  leader: boolean;
  workload: StatusValue;
  agent: StatusValue;
}

export interface ApplicationInfo {
  name: string;
  status: StatusValue;
  /** Sorted by unit number. */
  units: UnitInfo[];
  /** Endpoint name → related application names (Juju's ApplicationStatus.relations). */
  relations: Record<string, string[]>;
}

/** The states Juju reports for an action (task). */
export type ActionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'aborting' | 'aborted' | 'error';

export interface ActionLogLine {
  timestamp: string;
  message: string;
}

export interface ActionState {
  id: string;
  unit: string;
  name: string;
  status: ActionStatus;
  /** The `action-fail` message, or Juju's error message. */
  message: string;
  /** What the charm set with `action-set` (plus Juju's `return-code`). */
  output: Record<string, unknown>;
  log: ActionLogLine[];
}

export interface EnqueuedAction {
  operationId: string;
  actionId: string;
}

export const FINISHED_ACTION_STATUSES: ReadonlySet<ActionStatus> = new Set(['completed', 'failed', 'cancelled', 'aborted', 'error']);
