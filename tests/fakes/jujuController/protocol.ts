import type { SimAction, SimulatedActions } from './actions';
import type { SimulatedMysqlApp, SimStatus } from './mysqlApp';
import type { FakeUser, JujuErrorShape, RecordedCall } from './types';

/** The facades and versions the fake serves, those of a Juju 3.6 model connection that we use. */
export const FAKE_FACADES: ReadonlyArray<{ name: string; versions: number[] }> = [
  { name: 'Action', versions: [7] },
  { name: 'Application', versions: [19] },
  { name: 'Client', versions: [6, 7] },
];

export const CLOSE_CONNECTION = Symbol('close connection');

/** Thrown by a handler to answer with a Juju envelope error (`error` + `error-code`). */
export class JujuRpcError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export interface ModelState {
  uuid: string;
  name: string;
  controllerUuid: string;
  serverVersion: string;
  users: FakeUser[];
  apps: Map<string, SimulatedMysqlApp>;
  actions: SimulatedActions;
  calls: RecordedCall[];
  hostPorts: () => { host: string; port: number }[];
}

interface Envelope {
  'request-id': number;
  type: string;
  version: number;
  request: string;
  params?: unknown;
}

/**
 * One client connection's view of the Juju API: before login only Admin.Login answers; after it, the
 * facades in FAKE_FACADES. Envelopes, error strings and codes follow juju/juju rpc/jsoncodec and apiserver.
 */
export class FakeApiConnection {
  private user: FakeUser | null = null;

  constructor(private readonly state: ModelState, private readonly requestedModelUuid: string) {}

  /**
   * Handles one text frame; returns the text frame to send back, or CLOSE_CONNECTION when the frame is
   * not a request envelope (Juju's codec fails the read and the connection is dropped).
   */
  handle(frame: string): string | typeof CLOSE_CONNECTION {
    let msg: Envelope;
    try {
      msg = JSON.parse(frame) as Envelope;
    } catch (error) {
      if (error instanceof SyntaxError) return CLOSE_CONNECTION;
      throw error;
    }
    const id = msg?.['request-id'];
    if (typeof id !== 'number' || id <= 0) return CLOSE_CONNECTION;
    try {
      const response = this.dispatch(msg);
      return JSON.stringify({ 'request-id': id, response });
    } catch (error) {
      if (error instanceof JujuRpcError) {
        return JSON.stringify({ 'request-id': id, error: error.message, 'error-code': error.code, response: {} });
      }
      throw error;
    }
  }

  private dispatch(msg: Envelope): unknown {
    const params = (msg.params ?? {}) as Record<string, unknown>;
    this.state.calls.push({
      facade: msg.type,
      version: msg.version,
      method: msg.request,
      params: msg.type === 'Admin' ? { ...params, credentials: '<redacted>' } : params,
    });
    if (msg.type === 'Admin') {
      if (msg.version !== 3) throw new JujuRpcError(`unknown version (${msg.version}) of interface "Admin"`, 'not implemented');
      if (msg.request === 'Login') return this.login(params);
      if (msg.request === 'RedirectInfo') throw new JujuRpcError('not redirected', '');
      throw new JujuRpcError(`no such request - method Admin.${msg.request} is not implemented`, 'not implemented');
    }
    if (!this.user) throw new JujuRpcError(`unknown object type "${msg.type}"`, 'not implemented');
    const facade = FAKE_FACADES.find((f) => f.name === msg.type);
    if (!facade) throw new JujuRpcError(`unknown object type "${msg.type}"`, 'not implemented');
    if (!facade.versions.includes(msg.version)) {
      throw new JujuRpcError(`unknown version (${msg.version}) of interface "${msg.type}"`, 'not implemented');
    }
    const key = `${msg.type}.${msg.request}`;
    switch (key) {
      case 'Client.FullStatus':
        return this.fullStatus();
      case 'Action.EnqueueOperation':
        return this.enqueueOperation(params);
      case 'Action.Actions':
        return this.actionsResults(params);
      case 'Action.Operations':
        return this.operationsResults(params);
      case 'Application.ScaleApplications':
        return this.scaleApplications(params);
      default:
        throw new JujuRpcError(`no such request - method ${key} is not implemented`, 'not implemented');
    }
  }

  private login(params: Record<string, unknown>): unknown {
    if (this.user) throw new JujuRpcError('already logged in', '');
    const tag = typeof params['auth-tag'] === 'string' ? params['auth-tag'] : '';
    const password = typeof params.credentials === 'string' ? params.credentials : '';
    const user = this.state.users.find((u) => `user-${u.username}` === tag);
    if (!user || user.password !== password) {
      throw new JujuRpcError('invalid entity name or password', 'unauthorized access');
    }
    if (this.requestedModelUuid !== this.state.uuid) {
      throw new JujuRpcError(`unknown model: "${this.requestedModelUuid}"`, 'model not found');
    }
    if (user.modelAccess === 'none') throw new JujuRpcError('permission denied', 'unauthorized access');
    this.user = user;
    return {
      servers: [this.state.hostPorts().map((hp) => ({ value: hp.host, port: hp.port, type: 'ipv4', scope: 'local-cloud' }))],
      'controller-tag': `controller-${this.state.controllerUuid}`,
      'model-tag': `model-${this.state.uuid}`,
      'user-info': {
        'display-name': '',
        identity: `user-${user.username}`,
        'controller-access': 'login',
        'model-access': user.modelAccess,
      },
      'server-version': this.state.serverVersion,
      facades: FAKE_FACADES.map((f) => ({ name: f.name, versions: [...f.versions] })),
    };
  }

  private requireWrite(): void {
    if (this.user?.modelAccess === 'read') throw new JujuRpcError('permission denied', 'unauthorized access');
  }

  private fullStatus(): unknown {
    const applications: Record<string, unknown> = {};
    const relations: unknown[] = [];
    let relationId = 0;
    for (const app of this.state.apps.values()) {
      const units: Record<string, unknown> = {};
      for (const unit of app.units.values()) {
        units[app.unitName(unit.ordinal)] = {
          'agent-status': detailed(unit.agent, 'agent'),
          'workload-status': detailed(unit.workload, 'workload'),
          'workload-version': '8.0.36-0ubuntu0.22.04.1',
          charm: '',
          machine: '',
          'opened-ports': [],
          'public-address': '',
          address: `10.1.0.${unit.ordinal + 10}`,
          'provider-id': `${app.name}-${unit.ordinal}`,
          subordinates: {},
          ...(app.leader === unit.ordinal ? { leader: true } : {}),
        };
      }
      const appRelations: Record<string, string[]> = { 'database-peers': [app.name] };
      if (app.s3Integrator) {
        appRelations['s3-parameters'] = [app.s3Integrator];
        relations.push({
          id: relationId++,
          key: `${app.s3Integrator}:s3-credentials ${app.name}:s3-parameters`,
          interface: 's3',
          scope: 'global',
          endpoints: [
            { application: app.s3Integrator, name: 's3-credentials', role: 'provider', subordinate: false },
            { application: app.name, name: 's3-parameters', role: 'requirer', subordinate: false },
          ],
          status: detailed({ status: 'joined', info: '' }, ''),
        });
      }
      applications[app.name] = {
        charm: 'ch:amd64/jammy/mysql-k8s-180',
        'charm-channel': '8.0/stable',
        base: { name: 'ubuntu', channel: '22.04' },
        life: '',
        exposed: false,
        relations: appRelations,
        status: detailed(app.applicationStatus(), 'application'),
        units,
        int: app.targetScale,
        scale: app.targetScale,
        'provider-id': app.name,
        'endpoint-bindings': {},
        'subordinate-to': [],
        'workload-version': '8.0.36-0ubuntu0.22.04.1',
      };
    }
    return {
      model: {
        name: this.state.name,
        type: 'caas',
        'cloud-tag': 'cloud-microk8s',
        version: this.state.serverVersion,
        'model-status': detailed({ status: 'available', info: '' }, ''),
      },
      machines: {},
      applications,
      'remote-applications': {},
      offers: {},
      relations,
      'controller-timestamp': new Date().toISOString(),
      branches: {},
    };
  }

  private enqueueOperation(params: Record<string, unknown>): unknown {
    this.requireWrite();
    const requested = Array.isArray(params.actions) ? (params.actions as Record<string, unknown>[]) : [];
    const operationId = this.state.actions.newOperationId();
    const results = requested.map((req) => {
      const receiver = typeof req.receiver === 'string' ? req.receiver : '';
      const name = typeof req.name === 'string' ? req.name : '';
      const parameters = (req.parameters ?? {}) as Record<string, unknown>;
      const target = this.resolveReceiver(receiver);
      if ('message' in target) return { error: target };
      const outcome = this.state.actions.enqueue(operationId, target.app, target.ordinal, name, parameters);
      return 'id' in outcome ? actionResult(outcome) : { error: outcome };
    });
    return { operation: `operation-${operationId}`, actions: results };
  }

  /** Accepts a unit tag (`unit-kfp-db-0`) or Juju's `<app>/leader` receiver. */
  private resolveReceiver(receiver: string): { app: SimulatedMysqlApp; ordinal: number } | JujuErrorShape {
    const leader = /^(.+)\/leader$/.exec(receiver);
    if (leader) {
      const app = this.state.apps.get(leader[1]!);
      if (!app || app.leader === null) return { message: `could not determine leader for "${leader[1]}"`, code: 'not found' };
      return { app, ordinal: app.leader };
    }
    const unit = /^unit-(.+)-(\d+)$/.exec(receiver);
    if (!unit) return { message: `"${receiver}" is not a valid tag`, code: '' };
    const app = this.state.apps.get(unit[1]!);
    if (!app) return { message: `unit "${unit[1]}/${unit[2]}" not found`, code: 'not found' };
    return { app, ordinal: Number(unit[2]) };
  }

  private actionsResults(params: Record<string, unknown>): unknown {
    const entities = Array.isArray(params.entities) ? (params.entities as { tag?: unknown }[]) : [];
    return {
      results: entities.map((entity) => {
        const tag = typeof entity.tag === 'string' ? entity.tag : '';
        const match = /^action-(\d+)$/.exec(tag);
        const action = match ? this.state.actions.get(Number(match[1])) : undefined;
        if (!action) return { error: { message: `action ${tag.replace(/^action-/, '')} not found`, code: 'not found' } };
        return actionResult(action);
      }),
    };
  }

  private operationsResults(params: Record<string, unknown>): unknown {
    const entities = Array.isArray(params.entities) ? (params.entities as { tag?: unknown }[]) : [];
    return {
      results: entities.map((entity) => {
        const tag = typeof entity.tag === 'string' ? entity.tag : '';
        const match = /^operation-(\d+)$/.exec(tag);
        const actions = match ? this.state.actions.operation(Number(match[1])) : undefined;
        if (!actions) {
          return { operation: tag, summary: '', error: { message: `operation ${tag} not found`, code: 'not found' } };
        }
        const statuses = actions.map((a) => a.status);
        const status = statuses.includes('running') ? 'running'
          : statuses.includes('pending') ? 'pending'
            : statuses.includes('failed') ? 'failed' : 'completed';
        return {
          operation: tag,
          summary: actions.map((a) => `${a.name} run on ${a.receiver}`).join(', '),
          status,
          enqueued: actions[0]?.enqueued,
          actions: actions.map(actionResult),
        };
      }),
    };
  }

  private scaleApplications(params: Record<string, unknown>): unknown {
    this.requireWrite();
    const requested = Array.isArray(params.applications) ? (params.applications as Record<string, unknown>[]) : [];
    return {
      results: requested.map((req) => {
        const tag = typeof req['application-tag'] === 'string' ? req['application-tag'] : '';
        const app = this.state.apps.get(tag.replace(/^application-/, ''));
        if (!app) return { error: { message: `application "${tag.replace(/^application-/, '')}" not found`, code: 'not found' } };
        const scale = typeof req.scale === 'number' ? req.scale : -1;
        const change = typeof req['scale-change'] === 'number' ? req['scale-change'] : 0;
        if (scale < 0 && change === 0) return { error: { message: 'scale < 0 not valid', code: 'not valid' } };
        const target = change !== 0 ? app.targetScale + change : scale;
        app.scale(target);
        return { info: { 'num-units': target } };
      }),
    };
  }
}

function detailed(status: SimStatus, kind: string): Record<string, unknown> {
  return { status: status.status, info: status.info, data: {}, since: new Date().toISOString(), kind, version: '', life: '' };
}

function actionResult(action: SimAction): Record<string, unknown> {
  return {
    action: { tag: `action-${action.id}`, receiver: action.receiver, name: action.name, parameters: action.parameters },
    status: action.status,
    message: action.message,
    output: action.output,
    log: action.log.map((l) => ({ ...l })),
    enqueued: action.enqueued,
    started: action.started,
    completed: action.completed,
  };
}
