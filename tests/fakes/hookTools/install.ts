/**
 * Puts the fake hook tools on a PATH: one small sh script per tool that runs cli.ts with this Node.
 * Returns the environment a charm process needs to use them.
 */
import { buildSync } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyState, type HookToolState, writeState } from './state.ts';

export const HOOK_TOOLS = [
  'action-get', 'action-set', 'action-log', 'action-fail',
  'relation-ids', 'relation-list', 'relation-get', 'relation-set',
  'is-leader', 'status-set', 'config-get', 'secret-get', 'juju-log',
];

const CLI = join(import.meta.dirname, 'cli.ts');

export interface FakeHookTools {
  binDir: string;
  statePath: string;
}

/** `node` is the Node binary the tools run with (default: this process's). */
export function installFakeHookTools(dir: string, state: Partial<HookToolState> = {}, node = process.execPath): FakeHookTools {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  // One bundled file: a tool call then costs a bare Node start (~45 ms), not module resolution + type stripping (~250 ms).
  const bundle = join(dir, 'fake-hook-tools.mjs');
  buildSync({ entryPoints: [CLI], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' });
  for (const tool of HOOK_TOOLS) {
    const path = join(binDir, tool);
    writeFileSync(path, `#!/bin/sh\nexec "${node}" "${bundle}" ${tool} "$@"\n`);
    chmodSync(path, 0o755);
  }
  const statePath = join(dir, 'juju-state.json');
  writeState(statePath, emptyState(state));
  return { binDir, statePath };
}
