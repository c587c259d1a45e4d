/** The fake hook tools' own protocol rules, driven raw (argv as Juju's tools take it), not via our wrappers. */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFakeHookTools } from './install.ts';
import { readState } from './state.ts';
import { fakeRelation } from '../../helpers/relationData';

const dir = mkdtempSync(join(tmpdir(), 'fake-tools-'));
const { binDir, statePath } = installFakeHookTools(dir, { action: { name: 'x', params: { a: { b: 'deep' } } }, relations: [fakeRelation('object-storage:1', 'object-storage', 'minio', { data: 'x: 1' })] });
const tool = (name: string, args: string[], input?: string) => execa(join(binDir, name), args, { env: { FAKE_JUJU_STATE: statePath }, reject: false, input });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('usage errors exit 2 with ERROR on stderr', async () => {
  for (const [name, args] of [['status-set', ['sleeping', 'msg']], ['action-set', []], ['action-set', ['novalue']], ['is-leader', ['--bogus']], ['relation-ids', []], ['juju-log', []]] as const) {
    const result = await tool(name, [...args]);
    expect([name, result.exitCode]).toEqual([name, 2]);
    expect(result.stderr).toMatch(/^ERROR /);
  }
});

test('-- ends flag parsing; flags accept both --flag=value and --flag value', async () => {
  await tool('action-log', ['--', '-r', '--app']);
  await tool('juju-log', ['--log-level', 'WARNING', '--', '--not-a-flag']);
  const state = readState(statePath);
  expect(state.actionLogs).toEqual(['-r --app']);
  expect(state.jujuLogs).toEqual([{ level: 'WARNING', message: '--not-a-flag' }]);
  expect((await tool('relation-get', ['-r=object-storage:1', '--app', 'data', 'minio'])).stdout).toBe('x: 1');
});

test('action-get reads a dotted key; without --format=json output is YAML like Juju\'s default', async () => {
  expect((await tool('action-get', ['a.b'])).stdout).toBe('deep');
  expect((await tool('action-get', [])).stdout).toBe('a:\n  b: deep');
});

test('relation-set takes key=value args and YAML on stdin; values must be strings', async () => {
  expect((await tool('relation-set', ['-r', 'object-storage:1', '--app', 'a=1', '--file', '-'], 'b: two\n')).exitCode).toBe(0);
  expect(readState(statePath).pendingWrites.at(-1)).toEqual({ relationId: 'object-storage:1', app: true, data: { b: 'two', a: '1' } });
  const bad = await tool('relation-set', ['-r', 'object-storage:1', '--file', '-'], 'n: 3\n');
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toMatch(/must be a string/);
});

test('every call is recorded with its argv', async () => {
  await tool('is-leader', ['--format=json']);
  expect(readState(statePath).calls.at(-1)).toEqual({ tool: 'is-leader', args: ['--format=json'] });
});
