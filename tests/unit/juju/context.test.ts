import { ContextError, readContext } from '../../../src/juju/context';

const base = { JUJU_UNIT_NAME: 'ckf-restore/0', JUJU_MODEL_NAME: 'kubeflow', JUJU_MODEL_UUID: 'uuid', JUJU_VERSION: '3.6.4', JUJU_API_ADDRESSES: '10.0.0.1:17070 10.0.0.2:17070', JUJU_CHARM_DIR: '/charm' };

test('an action from JUJU_DISPATCH_PATH', () => {
  expect(readContext({ ...base, JUJU_DISPATCH_PATH: 'actions/restore-mlmd', JUJU_ACTION_NAME: 'restore-mlmd', JUJU_ACTION_UUID: '42' })).toEqual({
    kind: 'action', actionName: 'restore-mlmd', actionUuid: '42', unitName: 'ckf-restore/0', appName: 'ckf-restore', modelName: 'kubeflow', modelUuid: 'uuid',
    charmDir: '/charm', jujuVersion: '3.6.4', apiAddresses: ['10.0.0.1:17070', '10.0.0.2:17070'],
  });
});

test('a relation hook', () => {
  const context = readContext({ ...base, JUJU_DISPATCH_PATH: 'hooks/object-storage-relation-changed', JUJU_RELATION: 'object-storage', JUJU_RELATION_ID: 'object-storage:3', JUJU_REMOTE_APP: 'minio' });
  expect(context).toMatchObject({ kind: 'hook', hookName: 'object-storage-relation-changed', relationName: 'object-storage', relationId: 'object-storage:3', remoteApp: 'minio' });
});

test.each([{}, { JUJU_UNIT_NAME: 'x/0', JUJU_DISPATCH_PATH: 'bin/evil' }, { JUJU_UNIT_NAME: 'x/0', JUJU_DISPATCH_PATH: 'hooks/../x' }])('refuses %j', (env) => {
  expect(() => readContext(env)).toThrow(ContextError);
});
