/**
 * The world the fake hook tools see and change: one JSON file per test. Tests seed the inputs
 * (relations, config, secrets, leadership, action params) and read the outputs (results, logs, failure,
 * statuses, relation writes). Runs under Node's own type stripping, so plain erasable TypeScript only.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';

export interface FakeRelation {
  id: string; // "s3-credentials:3"
  endpoint: string;
  remoteApp: string;
  remoteUnits: string[];
  /** The remote app's databag (what s3-integrator or MinIO wrote). */
  remoteAppData: Record<string, string>;
  remoteUnitData: Record<string, Record<string, string>>;
  /** This app's databag (leader writes). */
  localAppData: Record<string, string>;
  localUnitData: Record<string, string>;
}

export interface PendingRelationWrite {
  relationId: string;
  app: boolean;
  data: Record<string, string>;
}

export interface HookToolState {
  unit: string;
  leader: boolean;
  config: Record<string, unknown>;
  /** Secrets this unit has been granted: URI → content. */
  secrets: Record<string, Record<string, string>>;
  relations: FakeRelation[];
  /** Set while an action runs. */
  action: { name: string; params: Record<string, unknown> } | null;
  // --- outputs ---
  results: Record<string, string>;
  actionLogs: string[];
  failure: string | null;
  statuses: { status: string; message: string; app: boolean }[];
  jujuLogs: { level: string; message: string }[];
  /** relation-set writes of the running hook; Juju commits them only if the hook exits 0. */
  pendingWrites: PendingRelationWrite[];
  calls: { tool: string; args: string[] }[];
}

export function emptyState(overrides: Partial<HookToolState> = {}): HookToolState {
  return {
    unit: 'ckf-restore/0',
    leader: true,
    config: {},
    secrets: {},
    relations: [],
    action: null,
    results: {},
    actionLogs: [],
    failure: null,
    statuses: [],
    jujuLogs: [],
    pendingWrites: [],
    calls: [],
    ...overrides,
  };
}

export function readState(path: string): HookToolState {
  return JSON.parse(readFileSync(path, 'utf8')) as HookToolState;
}

export function writeState(path: string, state: HookToolState): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2));
  renameSync(temp, path);
}

/** Read-modify-write under a lock directory: the charm may run tools concurrently. */
export function updateState<T>(path: string, change: (state: HookToolState) => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    const state = readState(path);
    const result = change(state);
    writeState(path, state);
    return result;
  } finally {
    rmdirSync(lock);
  }
}

/** What Juju does when a hook ends: apply the relation writes if it exited 0, drop them otherwise. */
export function finishHook(path: string, exitCode: number): void {
  updateState(path, (state) => {
    if (exitCode === 0) {
      for (const write of state.pendingWrites) {
        const relation = state.relations.find((candidate) => candidate.id === write.relationId);
        if (!relation) continue;
        const bag = write.app ? relation.localAppData : relation.localUnitData;
        for (const [key, value] of Object.entries(write.data)) {
          if (value === '') delete bag[key];
          else bag[key] = value;
        }
      }
    }
    state.pendingWrites = [];
  });
}
