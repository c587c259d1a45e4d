/**
 * Test helper: fake hook tools on this process's PATH for the duration of a test file, so the real
 * src/juju/hookTools.ts runs against them exactly as it would against Juju's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFakeHookTools, type FakeHookTools } from '../fakes/hookTools/install.ts';
import { emptyState, type HookToolState, readState, writeState } from '../fakes/hookTools/state.ts';

export interface FakeJuju extends FakeHookTools {
  /** Replace the whole state (fresh outputs) for the next test. */
  reset(state?: Partial<HookToolState>): void;
  state(): HookToolState;
}

export function useFakeJuju(): FakeJuju {
  const dir = mkdtempSync(join(tmpdir(), 'fake-juju-'));
  const tools = installFakeHookTools(dir);
  const savedPath = process.env.PATH;
  const savedState = process.env.FAKE_JUJU_STATE;
  beforeAll(() => {
    process.env.PATH = `${tools.binDir}:${savedPath ?? ''}`;
    process.env.FAKE_JUJU_STATE = tools.statePath;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    if (savedState === undefined) delete process.env.FAKE_JUJU_STATE;
    else process.env.FAKE_JUJU_STATE = savedState;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    ...tools,
    reset: (state = {}) => writeState(tools.statePath, emptyState(state)),
    state: () => readState(tools.statePath),
  };
}
