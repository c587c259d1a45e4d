import { ControllerCallError, ModelAccessDeniedError } from './errors';
import { redactedMessage } from '../../util/redact';
import { toApplicationInfo, type RawFullStatus } from './status';
import type { ActionLogLine, ActionState, ActionStatus, ApplicationInfo, EnqueuedAction } from './types';

/** The facade methods we call, whichever version jujulib picked (their shapes agree on what we read). */
export interface ModelFacades {
  client: { fullStatus(params: { patterns: string[] }): Promise<RawFullStatus> };
  action: {
    enqueueOperation(params: { actions: { receiver: string; name: string; parameters?: Record<string, unknown> }[] }):
      Promise<{ operation: string; actions?: RawActionResult[] }>;
    actions(params: { entities: { tag: string }[] }): Promise<{ results?: RawActionResult[] }>;
  };
  application: {
    scaleApplications(params: { applications: { 'application-tag': string; scale: number; force: boolean }[] }):
      Promise<{ results?: { error?: RawError; info?: { 'num-units': number } }[] }>;
  };
}

interface RawError {
  message: string;
  code: string;
}

interface RawActionResult {
  action?: { tag: string; receiver: string; name: string };
  status?: string;
  message?: string;
  output?: Record<string, unknown>;
  log?: ActionLogLine[] | null;
  error?: RawError;
}

export interface ModelClientContext {
  facades: ModelFacades;
  close: () => void;
  serverVersion: string;
  address: string;
  username: string;
  modelName: string;
  callTimeoutMs: number;
  /** Strings that must never appear in an error (the password). */
  secrets: readonly string[];
}

/** `kfp-db/0` → `unit-kfp-db-0`. */
export function unitTag(unitName: string): string {
  return `unit-${unitName.replace('/', '-')}`;
}

/** `unit-kfp-db-0` → `kfp-db/0`. */
export function unitNameFromTag(tag: string): string {
  const body = tag.replace(/^unit-/, '');
  const dash = body.lastIndexOf('-');
  return `${body.slice(0, dash)}/${body.slice(dash + 1)}`;
}

/**
 * A logged-in connection to one model, with the few calls the restore needs, typed and bounded.
 * Every call has a time bound (jujulib never fails a call whose answer does not come, e.g. when the
 * connection drops) and every error message is redacted.
 */
export class ModelClient {
  private closed = false;

  constructor(private readonly ctx: ModelClientContext) {}

  get serverVersion(): string {
    return this.ctx.serverVersion;
  }

  get address(): string {
    return this.ctx.address;
  }

  /** The named applications that exist in the model (absent names are simply missing from the map). */
  async getApplications(names: readonly string[]): Promise<Map<string, ApplicationInfo>> {
    const status = await this.call('Client.FullStatus', () => this.ctx.facades.client.fullStatus({ patterns: [...names] }));
    const apps = new Map<string, ApplicationInfo>();
    for (const [name, raw] of Object.entries(status.applications ?? {})) {
      if (names.includes(name)) apps.set(name, toApplicationInfo(name, raw));
    }
    return apps;
  }

  /** Queues one action on one unit (`kfp-db/0`). */
  async enqueueAction(unit: string, name: string, parameters: Record<string, unknown>): Promise<EnqueuedAction> {
    const result = await this.call('Action.EnqueueOperation', () =>
      this.ctx.facades.action.enqueueOperation({ actions: [{ receiver: unitTag(unit), name, parameters }] }));
    const action = result.actions?.[0];
    if (!action || action.error || !action.action?.tag) {
      throw new ControllerCallError(`Juju refused to run ${name} on ${unit}: ${action?.error?.message ?? 'no action in the answer'}`);
    }
    return { operationId: result.operation.replace(/^operation-/, ''), actionId: action.action.tag.replace(/^action-/, '') };
  }

  async getAction(actionId: string): Promise<ActionState> {
    const result = await this.call('Action.Actions', () =>
      this.ctx.facades.action.actions({ entities: [{ tag: `action-${actionId}` }] }));
    const action = result.results?.[0];
    if (!action || action.error) {
      throw new ControllerCallError(`cannot read action ${actionId}: ${action?.error?.message ?? 'no result'}`);
    }
    return {
      id: actionId,
      unit: action.action ? unitNameFromTag(action.action.receiver) : '',
      name: action.action?.name ?? '',
      status: (action.status ?? 'pending') as ActionStatus,
      message: action.message ?? '',
      output: action.output ?? {},
      log: action.log ?? [],
    };
  }

  /** Asks Juju for `units` units of `app`; Juju accepts at once and Kubernetes gets there later. */
  async scaleApplication(app: string, units: number): Promise<void> {
    const result = await this.call('Application.ScaleApplications', () =>
      this.ctx.facades.application.scaleApplications({ applications: [{ 'application-tag': `application-${app}`, scale: units, force: false }] }));
    const first = result.results?.[0];
    if (!first || first.error) {
      throw new ControllerCallError(`Juju refused to scale ${app} to ${units}: ${first?.error?.message ?? 'no result'}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.close();
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ControllerCallError(`${what}: the controller connection is closed`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ControllerCallError(`${what} got no answer from the controller at ${this.ctx.address} within ${this.ctx.callTimeoutMs} ms`)),
        this.ctx.callTimeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (error) {
      if (error instanceof ControllerCallError) throw error;
      const message = redactedMessage(error, this.ctx.secrets);
      if (/permission denied/i.test(message)) {
        throw new ModelAccessDeniedError(`Juju user ${this.ctx.username} may not call ${what} in model ${this.ctx.modelName}`, {
          hint: `Give it admin access: juju grant ${this.ctx.username} admin ${this.ctx.modelName}`,
        });
      }
      throw new ControllerCallError(`${what} failed: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
