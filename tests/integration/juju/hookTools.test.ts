import * as tools from '../../../src/juju/hookTools';
import { HookToolError } from '../../../src/juju/hookToolError';
import { clearSecrets, registerSecret } from '../../../src/util/redact';
import { finishHook } from '../../fakes/hookTools/state.ts';
import { useFakeJuju } from '../../helpers/fakeJuju';

const juju = useFakeJuju();

const relation = (id: string, endpoint: string, remoteApp: string, remoteAppData: Record<string, string> = {}) => ({
  id,
  endpoint,
  remoteApp,
  remoteUnits: [`${remoteApp}/0`],
  remoteAppData,
  remoteUnitData: { [`${remoteApp}/0`]: { 'ingress-address': '10.0.0.9' } },
  localAppData: {},
  localUnitData: {},
});

async function expectToolError(promise: Promise<unknown>, exitCode: number, stderr: RegExp): Promise<HookToolError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the hook tool to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HookToolError);
  const toolError = error as HookToolError;
  expect(toolError.exitCode).toBe(exitCode);
  expect(toolError.stderr).toMatch(/^ERROR /);
  expect(toolError.stderr).toMatch(stderr);
  return toolError;
}

beforeEach(() => clearSecrets());

describe('action tools', () => {
  beforeEach(() => juju.reset({ action: { name: 'restore-mlmd', params: { backup: 'mlmd.dump.gz', 'dry-run': true, nested: { a: 1 } } } }));

  test('action-get returns the params with their JSON types', async () => {
    expect(await tools.actionGet()).toEqual({ backup: 'mlmd.dump.gz', 'dry-run': true, nested: { a: 1 } });
  });

  test('action-set stores flat string results', async () => {
    await tools.actionSet({ 'copy.objects': '12', format: 'sqlite' });
    expect(juju.state().results).toEqual({ 'copy.objects': '12', format: 'sqlite' });
  });

  test('action-set rejects a key Juju would reject, with exit code 2 and the command', async () => {
    const error = await expectToolError(tools.actionSet({ Bad_Key: 'x' }), 2, /must start and end with lowercase/);
    expect(error.tool).toBe('action-set');
    expect(error.args).toEqual(['Bad_Key=x']);
    expect(juju.state().results).toEqual({});
  });

  test('action-set rejects reserved keys', async () => {
    await expectToolError(tools.actionSet({ stdout: 'x' }), 2, /reserved/);
  });

  test('action-set masks registered secrets in values', async () => {
    registerSecret('s3cr3t-value');
    await tools.actionSet({ message: 'key s3cr3t-value leaked' });
    expect(juju.state().results.message).toBe('key *** leaked');
  });

  test('action-log keeps a message that starts with a dash as text', async () => {
    await tools.actionLog('--format=json is a message, not a flag');
    expect(juju.state().actionLogs).toEqual(['--format=json is a message, not a flag']);
  });

  test('action-fail records the message', async () => {
    await tools.actionFail('backup not found: run list-backups');
    expect(juju.state().failure).toBe('backup not found: run list-backups');
  });

  test('action tools fail outside an action (exit 1)', async () => {
    juju.reset({ action: null });
    await expectToolError(tools.actionGet(), 1, /not running an action/);
    await expectToolError(tools.actionLog('x'), 1, /not running an action/);
  });
});

describe('relation tools', () => {
  beforeEach(() =>
    juju.reset({
      relations: [relation('s3-credentials:3', 's3-credentials', 's3-integrator', { bucket: 'backups' }), relation('object-storage:4', 'object-storage', 'minio')],
    }),
  );

  test('relation-ids lists the endpoint relations', async () => {
    expect(await tools.relationIds('s3-credentials')).toEqual(['s3-credentials:3']);
    expect(await tools.relationIds('nothing-here')).toEqual([]);
  });

  test('relation-list gives remote units, and with --app the remote app', async () => {
    expect(await tools.relationList('object-storage:4')).toEqual(['minio/0']);
    expect(await tools.relationRemoteApp('object-storage:4')).toBe('minio');
  });

  test('relation-get reads the remote app databag and a unit databag', async () => {
    expect(await tools.relationGet('s3-credentials:3', 's3-integrator', { app: true })).toEqual({ bucket: 'backups' });
    expect(await tools.relationGet('s3-credentials:3', 's3-integrator/0', { app: false })).toEqual({ 'ingress-address': '10.0.0.9' });
  });

  test('relation-get on an unknown relation is a usage error', async () => {
    await expectToolError(tools.relationGet('s3-credentials:99', 's3-integrator', { app: true }), 2, /relation not found/);
  });

  test('relation-set by the leader is committed only when the hook exits 0', async () => {
    await tools.relationSet('object-storage:4', { _supported_versions: '- v1\n' }, { app: true });
    // Visible to the same hook before commit, as in Juju.
    expect(await tools.relationGet('object-storage:4', 'ckf-restore', { app: true })).toEqual({ _supported_versions: '- v1\n' });
    finishHook(juju.statePath, 1);
    expect(juju.state().relations[1]?.localAppData).toEqual({});
    await tools.relationSet('object-storage:4', { _supported_versions: '- v1\n' }, { app: true });
    finishHook(juju.statePath, 0);
    expect(juju.state().relations[1]?.localAppData).toEqual({ _supported_versions: '- v1\n' });
  });

  test('relation-set --app by a non-leader fails with exit 1', async () => {
    juju.reset({ leader: false, relations: [relation('object-storage:4', 'object-storage', 'minio')] });
    await expectToolError(tools.relationSet('object-storage:4', { a: 'b' }, { app: true }), 1, /not the leader/);
    expect(juju.state().pendingWrites).toEqual([]);
  });
});

describe('unit tools', () => {
  beforeEach(() => juju.reset({ config: { bucket: 'b1', 'mlmd-app': 'mlmd' }, secrets: { 'secret:abc123': { username: 'restorer', password: 'pa55word-xyz' } } }));

  test('is-leader', async () => {
    expect(await tools.isLeader()).toBe(true);
    juju.reset({ leader: false });
    expect(await tools.isLeader()).toBe(false);
  });

  test('status-set records unit status and message', async () => {
    await tools.statusSet('blocked', 'missing relation: s3-credentials');
    expect(juju.state().statuses).toEqual([{ status: 'blocked', message: 'missing relation: s3-credentials', app: false }]);
  });

  test('config-get returns typed config', async () => {
    expect(await tools.configGet()).toEqual({ bucket: 'b1', 'mlmd-app': 'mlmd' });
  });

  test('secret-get returns the content and registers every value as a secret', async () => {
    expect(await tools.secretGet('secret:abc123')).toEqual({ username: 'restorer', password: 'pa55word-xyz' });
    await tools.jujuLog('INFO', 'logged pa55word-xyz by mistake');
    expect(juju.state().jujuLogs).toEqual([{ level: 'INFO', message: 'logged *** by mistake' }]);
  });

  test('secret-get of a secret not granted fails with exit 1', async () => {
    await expectToolError(tools.secretGet('secret:nope'), 1, /not found/);
  });

  test('a hook tool that is not on PATH is a HookToolError without exit code', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await tools.isLeader().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HookToolError);
      expect((error as HookToolError).exitCode).toBeUndefined();
      expect((error as HookToolError).message).toMatch(/is-leader failed/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

test('secret-get leaves the values the caller names as public unmasked', async () => {
  clearSecrets();
  juju.reset({ secrets: { 'secret:pub': { username: 'ckf-restore-bot', password: 'not-public-pw-77' } } });
  await tools.secretGet('secret:pub', { publicKeys: ['username'] });
  await tools.jujuLog('INFO', 'user ckf-restore-bot, password not-public-pw-77');
  expect(juju.state().jujuLogs.at(-1)?.message).toBe('user ckf-restore-bot, password ***');
});
