export { E2E_CHARM_DIR } from './unpackCharm';

/**
 * Runs the unpacked charm (see unpackCharm.ts) the way Juju does: execute its `dispatch` with the environment Juju builds — from scratch, no HOME, hook
 * tools first on PATH — and commit or drop relation writes by the exit code.
 */
import { execa } from 'execa';
import yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishHook, readState, updateState, type HookToolState } from '../fakes/hookTools/state.ts';

export interface CharmEnv {
  charmDir: string;
  binDir: string;
  statePath: string;
  /** Extra variables a test needs the charm to see (KUBECONFIG for the fake cluster, ...). */
  extraEnv?: Record<string, string>;
  modelName?: string;
}

export interface DispatchResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  state: HookToolState;
}

const MODEL_UUID = 'f1c2d3e4-0000-4000-8000-00000000c0de';

function baseEnv(env: CharmEnv, dispatchPath: string): Record<string, string> {
  const state = readState(env.statePath);
  return {
    PATH: `${env.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    JUJU_CHARM_DIR: env.charmDir,
    JUJU_DISPATCH_PATH: dispatchPath,
    JUJU_UNIT_NAME: state.unit,
    JUJU_MODEL_NAME: env.modelName ?? 'kubeflow',
    JUJU_MODEL_UUID: MODEL_UUID,
    JUJU_VERSION: '3.6.4',
    JUJU_API_ADDRESSES: '127.0.0.1:17070',
    JUJU_AGENT_SOCKET_NETWORK: 'unix',
    FAKE_JUJU_STATE: env.statePath,
    ...env.extraEnv,
  };
}

export interface DispatchOptions {
  /** Aborting it kills the charm process outright (SIGKILL), as a node failure or a pod eviction would. */
  killSignal?: AbortSignal;
}

async function dispatch(env: CharmEnv, vars: Record<string, string>, options: DispatchOptions = {}): Promise<DispatchResult> {
  const started = performance.now();
  const result = await execa(join(env.charmDir, 'dispatch'), [], {
    env: vars,
    extendEnv: false,
    reject: false,
    cwd: env.charmDir,
    timeout: 600_000,
    ...(options.killSignal ? { cancelSignal: options.killSignal, killSignal: 'SIGKILL' as const } : {}),
  });
  const exitCode = result.exitCode ?? -1;
  finishHook(env.statePath, exitCode);
  return { exitCode, stdout: String(result.stdout), stderr: String(result.stderr), durationMs: performance.now() - started, state: readState(env.statePath) };
}

export function runHook(env: CharmEnv, hook: string, relation?: { id: string; endpoint: string; remoteApp: string }): Promise<DispatchResult> {
  const vars = baseEnv(env, `hooks/${hook}`);
  if (relation) {
    vars.JUJU_RELATION = relation.endpoint;
    vars.JUJU_RELATION_ID = relation.id;
    vars.JUJU_REMOTE_APP = relation.remoteApp;
  }
  return dispatch(env, vars);
}

/** Juju fills in the defaults from actions.yaml before the charm sees the params. */
function withDefaults(charmDir: string, name: string, params: Record<string, unknown>): Record<string, unknown> {
  const actions = yaml.load(readFileSync(join(charmDir, 'actions.yaml'), 'utf8')) as Record<string, { params?: Record<string, { default?: unknown }> }>;
  const defaults: Record<string, unknown> = {};
  for (const [param, schema] of Object.entries(actions[name]?.params ?? {})) if (schema.default !== undefined) defaults[param] = schema.default;
  return { ...defaults, ...params };
}

export async function runCharmAction(env: CharmEnv, name: string, params: Record<string, unknown>, options: DispatchOptions = {}): Promise<DispatchResult> {
  updateState(env.statePath, (state) => {
    state.action = { name, params: withDefaults(env.charmDir, name, params) };
    state.results = {};
    state.actionLogs = [];
    state.failure = null;
  });
  const vars = { ...baseEnv(env, `actions/${name}`), JUJU_ACTION_NAME: name, JUJU_ACTION_UUID: String(Date.now()) };
  try {
    return await dispatch(env, vars, options);
  } finally {
    updateState(env.statePath, (state) => {
      state.action = null;
    });
  }
}
