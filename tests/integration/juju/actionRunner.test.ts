import { InvalidInputError, RestoreError } from '../../../src/errors';
import { runAction, type ActionHandler } from '../../../src/juju/actionRunner';
import type { ActionContext } from '../../../src/juju/context';
import { ParamReader } from '../../../src/juju/params';
import { runPhases } from '../../../src/restore/phases';
import { SyncFailedError } from '../../../src/storage/sync/errors';
import { emptyReport } from '../../../src/storage/sync/report';
import { clearSecrets, registerSecret } from '../../../src/util/redact';
import { useFakeJuju } from '../../helpers/fakeJuju';

const juju = useFakeJuju();

const context = (actionName: string): ActionContext => ({
  kind: 'action', actionName, actionUuid: '1', unitName: 'ckf-restore/0', appName: 'ckf-restore', modelName: 'kubeflow',
  modelUuid: 'uuid', charmDir: '/charm', jujuVersion: '3.6.4', apiAddresses: [],
});

const echo: ActionHandler = {
  name: 'echo',
  async run({ params, log, addResults }) {
    const reader = new ParamReader(params);
    const count = reader.integer('count', 1, { min: 1, max: 5 }) as number;
    const fail = reader.boolean('fail', false);
    reader.rejectUnknown();
    for (let i = 1; i <= count; i++) log(`step ${i}/${count}`);
    addResults({ copied: { objects: count } });
    if (fail) throw new InvalidInputError('the copy stopped half way', { hint: 'Run the action again to finish' });
    return { summary: { dryRun: false, items: ['a', 'b'] } };
  },
};

let stderr: string[] = [];
beforeEach(() => {
  clearSecrets();
  stderr = [];
  // What the charm process writes to stderr is what `juju run` prints: capture it (and keep it off the test output).
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const thrower = (name: string, error: unknown): ActionHandler => ({
  name,
  async run({ addResults }) {
    addResults({ copied: { objects: 2 } });
    throw error;
  },
});

test('results are flattened and set with outcome ok; logs arrive in order; exit status 0, nothing on stderr', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 3 } } });
  expect(await runAction([echo], context('echo'))).toEqual({ outcome: 'ok', exitStatus: 0 });
  const state = juju.state();
  expect(state.actionLogs).toEqual(['step 1/3', 'step 2/3', 'step 3/3']);
  expect(state.results).toEqual({ 'copied.objects': '3', 'summary.dry-run': 'false', 'summary.items.0': 'a', 'summary.items.1': 'b', outcome: 'ok' });
  expect(state.failure).toBeNull();
  expect(stderr).toEqual([]);
});

test('a refusal keeps partial results, says what to do, and exits 1 with the reason on stderr', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 2, fail: true } } });
  const outcome = await runAction([echo], context('echo'));
  expect(outcome).toEqual({ outcome: 'refused', exitStatus: 1, message: 'the copy stopped half way. Run the action again to finish' });
  const state = juju.state();
  expect(state.failure).toBe('the copy stopped half way. Run the action again to finish');
  expect(state.results).toEqual({
    'copied.objects': '2',
    outcome: 'refused',
    'error.message': 'the copy stopped half way. Run the action again to finish',
    'error.kind': 'InvalidInputError',
  });
  expect(stderr).toEqual(['ckf-restore: echo refused: the copy stopped half way. Run the action again to finish\n']);
});

test('bad params are refused before any work, naming the parameter', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 9 } } });
  expect((await runAction([echo], context('echo'))).outcome).toBe('refused');
  expect(juju.state().failure).toBe('parameter count must be between 1 and 5, got 9');
  expect(juju.state().actionLogs).toEqual([]);
});

test.each([
  ['a RestoreError', new RestoreError('the store answered 500', { hint: 'Retry' }), 'failed', 'RestoreError'],
  ['an InvalidInputError', new InvalidInputError('parameter x is bad'), 'refused', 'InvalidInputError'],
  ['a refusal raised by a phase', 'phase-refusal', 'refused', 'PhaseFailedError'],
  ['a failure raised by a phase', 'phase-failure', 'failed', 'PhaseFailedError'],
  ['the empty-source guard of the sync', new SyncFailedError('refusing to sync: the source lists no objects', 'empty-source', emptyReport(false)), 'refused', 'SyncFailedError'],
  ['the max-delete guard of the sync', new SyncFailedError('refusing to delete 9 objects', 'max-delete', emptyReport(false)), 'refused', 'SyncFailedError'],
  ['failed copies of the sync', new SyncFailedError('2 of 5 objects could not be copied', 'copy-failed', emptyReport(false)), 'failed', 'SyncFailedError'],
  ['an error from a library', new TypeError('cannot read properties of undefined'), 'failed', 'UnexpectedError'],
])('%s: outcome %s, exit status 1, partial results kept', async (_name, raw, expected, kind) => {
  let error: unknown = raw;
  if (raw === 'phase-refusal' || raw === 'phase-failure') {
    const cause = raw === 'phase-refusal' ? new InvalidInputError('backup x is not there') : new RestoreError('the pod did not come back');
    error = await runPhases([{ name: 'check', run: () => Promise.reject(cause) }], [{ name: 'resume', run: async () => undefined }], () => undefined).catch((e: unknown) => e);
  }
  juju.reset({ action: { name: 'boom', params: {} } });
  const outcome = await runAction([thrower('boom', error)], context('boom'));
  expect([outcome.outcome, outcome.exitStatus]).toEqual([expected, 1]);
  const state = juju.state();
  expect(state.results).toMatchObject({ 'copied.objects': '2', outcome: expected, 'error.kind': kind });
  expect(state.failure).toBe(state.results['error.message']);
  expect(stderr).toEqual([`ckf-restore: boom ${expected}: ${state.results['error.message']}\n`]);
});

test('an unexpected error from a library is reported and its secrets masked, on stderr too', async () => {
  registerSecret('hunter2-secret');
  juju.reset({ action: { name: 'boom', params: {} } });
  const boom: ActionHandler = { name: 'boom', run: async () => { throw new Error('signature mismatch for key hunter2-secret'); } };
  const outcome = await runAction([boom], context('boom'));
  expect(outcome.exitStatus).toBe(1);
  expect(juju.state().failure).toBe('signature mismatch for key ***');
  expect(juju.state().results['error.kind']).toBe('UnexpectedError');
  expect(stderr.join('')).toBe('ckf-restore: boom failed: signature mismatch for key ***\n');
});

test('degraded: results say why, no action-fail, exit status 1, the reason on stderr', async () => {
  juju.reset({ action: { name: 'check', params: {} } });
  const check: ActionHandler = {
    name: 'check',
    async run({ markDegraded }) {
      markDegraded('3 of 10 artifacts are missing from mlpipeline');
      return { checked: 10, missing: 3 };
    },
  };
  expect(await runAction([check], context('check'))).toEqual({ outcome: 'degraded', exitStatus: 1, message: '3 of 10 artifacts are missing from mlpipeline' });
  expect(juju.state().results).toEqual({ checked: '10', missing: '3', outcome: 'degraded', 'degraded-reason': '3 of 10 artifacts are missing from mlpipeline' });
  expect(juju.state().failure).toBeNull();
  expect(stderr).toEqual(['ckf-restore: check degraded: 3 of 10 artifacts are missing from mlpipeline\n']);
});

test('a handler may not set the outcome itself', async () => {
  juju.reset({ action: { name: 'sneaky', params: {} } });
  const sneaky: ActionHandler = { name: 'sneaky', run: async () => ({ outcome: 'ok' }) };
  const outcome = await runAction([sneaky], context('sneaky'));
  expect(outcome.outcome).toBe('failed');
  expect(juju.state().results.outcome).toBe('failed');
});

test('an unknown action lists the known ones and is refused', async () => {
  juju.reset({ action: { name: 'nope', params: {} } });
  expect((await runAction([echo], context('nope'))).exitStatus).toBe(1);
  expect(juju.state().failure).toBe('unknown action "nope"; this charm has: echo');
  expect(juju.state().results).toMatchObject({ outcome: 'refused', 'error.kind': 'UnknownAction' });
});

test('hook tools that fail (not in an action context) still end in exit status 1 with the reason on stderr', async () => {
  juju.reset({ action: null });
  const outcome = await runAction([echo], context('echo'));
  expect([outcome.outcome, outcome.exitStatus]).toEqual(['failed', 1]);
  const text = stderr.join('');
  expect(text).toMatch(/^action-set failed: .*not running an action/m);
  expect(text).toMatch(/^action-fail failed: .*not running an action/m);
  expect(text).toMatch(/^ckf-restore: echo failed: .*not running an action/m);
  // The last line is the reason, after every attempt to record it.
  expect(stderr.at(-1)).toMatch(/^ckf-restore: echo failed: /);
});
