import { InvalidInputError } from '../../../src/errors';
import { runAction, type ActionHandler } from '../../../src/juju/actionRunner';
import type { ActionContext } from '../../../src/juju/context';
import { ParamReader } from '../../../src/juju/params';
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

beforeEach(() => clearSecrets());

test('results are flattened and set; logs arrive in order', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 3 } } });
  expect(await runAction([echo], context('echo'))).toEqual({ ok: true });
  const state = juju.state();
  expect(state.actionLogs).toEqual(['step 1/3', 'step 2/3', 'step 3/3']);
  expect(state.results).toEqual({ 'copied.objects': '3', 'summary.dry-run': 'false', 'summary.items.0': 'a', 'summary.items.1': 'b' });
  expect(state.failure).toBeNull();
});

test('a failure keeps partial results and says what to do', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 2, fail: true } } });
  const outcome = await runAction([echo], context('echo'));
  expect(outcome.ok).toBe(false);
  const state = juju.state();
  expect(state.failure).toBe('the copy stopped half way. Run the action again to finish');
  expect(state.results).toEqual({ 'copied.objects': '2', 'error.message': 'the copy stopped half way. Run the action again to finish', 'error.kind': 'InvalidInputError' });
});

test('bad params fail before any work, naming the parameter', async () => {
  juju.reset({ action: { name: 'echo', params: { count: 9 } } });
  await runAction([echo], context('echo'));
  expect(juju.state().failure).toBe('parameter count must be between 1 and 5, got 9');
  expect(juju.state().actionLogs).toEqual([]);
});

test('an unexpected error from a library is reported and its secrets masked', async () => {
  registerSecret('hunter2-secret');
  juju.reset({ action: { name: 'boom', params: {} } });
  const boom: ActionHandler = { name: 'boom', run: async () => { throw new Error('signature mismatch for key hunter2-secret'); } };
  await runAction([boom], context('boom'));
  expect(juju.state().failure).toBe('signature mismatch for key ***');
  expect(juju.state().results['error.kind']).toBe('UnexpectedError');
});

test('an unknown action lists the known ones', async () => {
  juju.reset({ action: { name: 'nope', params: {} } });
  await runAction([echo], context('nope'));
  expect(juju.state().failure).toBe('unknown action "nope"; this charm has: echo');
});
