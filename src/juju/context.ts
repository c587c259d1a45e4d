import { RestoreError } from '../errors';

/** What Juju tells the charm about this invocation, read from the environment Juju builds for it. */
export type JujuContext = HookContext | ActionContext;

interface CommonContext {
  unitName: string;
  appName: string;
  modelName: string;
  modelUuid: string;
  charmDir: string;
  jujuVersion: string;
  /** Controller API addresses (`host:port`), space separated in JUJU_API_ADDRESSES. */
  apiAddresses: string[];
}

export interface HookContext extends CommonContext {
  kind: 'hook';
  /** e.g. `install`, `object-storage-relation-changed`. */
  hookName: string;
  /** Set for relation hooks. */
  relationName: string | undefined;
  relationId: string | undefined;
  remoteApp: string | undefined;
}

export interface ActionContext extends CommonContext {
  kind: 'action';
  actionName: string;
  actionUuid: string;
}

export class ContextError extends RestoreError {}

export function readContext(env: NodeJS.ProcessEnv): JujuContext {
  const dispatchPath = env.JUJU_DISPATCH_PATH;
  const unitName = env.JUJU_UNIT_NAME;
  if (!dispatchPath || !unitName) {
    throw new ContextError('JUJU_DISPATCH_PATH and JUJU_UNIT_NAME are not set', {
      hint: 'The charm runs only under Juju (through ./dispatch)',
    });
  }
  const common: CommonContext = {
    unitName,
    appName: unitName.split('/')[0] ?? unitName,
    modelName: env.JUJU_MODEL_NAME ?? '',
    modelUuid: env.JUJU_MODEL_UUID ?? '',
    charmDir: env.JUJU_CHARM_DIR ?? process.cwd(),
    jujuVersion: env.JUJU_VERSION ?? '',
    apiAddresses: (env.JUJU_API_ADDRESSES ?? '').split(' ').filter(Boolean),
  };
  const [kind, name] = splitDispatchPath(dispatchPath);
  if (kind === 'actions') {
    return { ...common, kind: 'action', actionName: env.JUJU_ACTION_NAME || name, actionUuid: env.JUJU_ACTION_UUID ?? '' };
  }
  return {
    ...common,
    kind: 'hook',
    hookName: name,
    relationName: env.JUJU_RELATION || undefined,
    relationId: env.JUJU_RELATION_ID || undefined,
    remoteApp: env.JUJU_REMOTE_APP || undefined,
  };
}

function splitDispatchPath(path: string): ['hooks' | 'actions', string] {
  const match = /^(hooks|actions)\/([a-z0-9][a-z0-9-]*)$/.exec(path);
  if (!match) {
    throw new ContextError(`unexpected JUJU_DISPATCH_PATH ${JSON.stringify(path)}`, {
      hint: 'Expected hooks/<hook> or actions/<action>',
    });
  }
  return [match[1] as 'hooks' | 'actions', match[2] as string];
}
