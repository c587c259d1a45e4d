/**
 * One packed-charm "unit" per test: fake hook tools in a temp dir, the charm unpacked by globalSetup,
 * and a record of every run so a test file can scan all outputs for planted secrets at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFakeHookTools } from '../fakes/hookTools/install.ts';
import type { HookToolState } from '../fakes/hookTools/state.ts';
import { type CharmEnv, type DispatchOptions, type DispatchResult, E2E_CHARM_DIR, runCharmAction, runHook } from './charmProcess';

export interface E2eUnit {
  env: CharmEnv;
  hook(name: string, relation?: { id: string; endpoint: string; remoteApp: string }): Promise<DispatchResult>;
  action(name: string, params?: Record<string, unknown>, options?: DispatchOptions): Promise<DispatchResult>;
}

export interface E2eSession {
  unit(state: Partial<HookToolState>, extraEnv?: Record<string, string>): E2eUnit;
  runs: DispatchResult[];
  /** Everything a person could see from the runs so far: stdout/stderr, results, logs, statuses, failures. */
  visibleOutput(): string;
}

export function e2eSession(): E2eSession {
  const dirs: string[] = [];
  const runs: DispatchResult[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const record = async (run: Promise<DispatchResult>) => {
    const result = await run;
    runs.push(result);
    return result;
  };
  return {
    runs,
    unit(state, extraEnv) {
      const dir = mkdtempSync(join(tmpdir(), 'e2e-unit-'));
      dirs.push(dir);
      const env: CharmEnv = { charmDir: E2E_CHARM_DIR, ...installFakeHookTools(dir, state), extraEnv };
      return {
        env,
        hook: (name, relation) => record(runHook(env, name, relation)),
        action: (name, params = {}, options = {}) => record(runCharmAction(env, name, params, options)),
      };
    },
    visibleOutput: () =>
      runs
        .map((run) =>
          JSON.stringify({ stdout: run.stdout, stderr: run.stderr, results: run.state.results, logs: run.state.actionLogs, failure: run.state.failure, statuses: run.state.statuses, jujuLogs: run.state.jujuLogs }),
        )
        .join('\n'),
  };
}
