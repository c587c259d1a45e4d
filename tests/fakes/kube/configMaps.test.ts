import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from './server';

/** ConfigMaps in the fake, over raw HTTP: the codes and Status bodies of kube-apiserver. */

let kube: FakeKube;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
});
afterEach(async () => {
  await kube.close();
});

const BASE = '/api/v1/namespaces/kubeflow/configmaps';

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(kube.url + path, {
    method,
    headers: { Authorization: `Bearer ${kube.token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { code: res.status, body: (await res.json()) as any };
}
const create = (name: string, data: Record<string, unknown> = { a: '1' }) => call('POST', BASE, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const status = (code: number, reason: string, message: string, name: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: { name, kind: 'configmaps' }, code });

test('create answers 201 with uid, resourceVersion and creationTimestamp; a second create is 409 AlreadyExists', async () => {
  const created = await create('journal');
  expect(created.code).toBe(201);
  expect(created.body).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'journal', namespace: 'kubeflow' }, data: { a: '1' } });
  expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/);
  expect(Date.parse(created.body.metadata.creationTimestamp)).not.toBeNaN();
  expect(await create('journal', { b: '2' })).toEqual({ code: 409, body: status(409, 'AlreadyExists', 'configmaps "journal" already exists', 'journal') });
  expect(kube.state.configMaps.get('kubeflow', 'journal')?.data).toEqual({ a: '1' });
  expect((await call('GET', BASE)).body).toMatchObject({ kind: 'ConfigMapList', items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'journal' }) })] });
});

test('get of a missing one is 404 NotFound; delete of a missing one too', async () => {
  expect(await call('GET', `${BASE}/nope`)).toEqual({ code: 404, body: status(404, 'NotFound', 'configmaps "nope" not found', 'nope') });
  expect((await call('DELETE', `${BASE}/nope`)).code).toBe(404);
});

test('replace: with the current resourceVersion it succeeds and gets a new one; with a stale one it is 409 Conflict', async () => {
  const first = (await create('journal')).body;
  const replaced = await call('PUT', `${BASE}/journal`, { ...first, data: { a: '2' } });
  expect(replaced.code).toBe(200);
  expect(replaced.body.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
  expect(replaced.body.metadata.uid).toBe(first.metadata.uid);
  const stale = await call('PUT', `${BASE}/journal`, { ...first, data: { a: '3' } });
  expect(stale).toEqual({
    code: 409,
    body: status(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "journal": the object has been modified; please apply your changes to the latest version and try again', 'journal'),
  });
  expect(kube.state.configMaps.get('kubeflow', 'journal')?.data).toEqual({ a: '2' });
  // Without a resourceVersion a ConfigMap update is unconditional, as on the real API.
  expect((await call('PUT', `${BASE}/journal`, { metadata: { name: 'journal' }, data: { a: '4' } })).code).toBe(200);
  expect((await call('PUT', `${BASE}/journal`, { metadata: { name: 'other' }, data: {} })).code).toBe(400);
  expect((await call('PUT', `${BASE}/nope`, { metadata: { name: 'nope' }, data: {} })).code).toBe(404);
});

test('patch: merge and JSON patch; a resourceVersion in the patch is a precondition', async () => {
  const first = (await create('journal')).body;
  const merged = await call('PATCH', `${BASE}/journal`, { data: { b: '2' } }, 'application/merge-patch+json');
  expect(merged.body.data).toEqual({ a: '1', b: '2' });
  const stale = await call('PATCH', `${BASE}/journal`, { metadata: { resourceVersion: first.metadata.resourceVersion }, data: { c: '3' } }, 'application/merge-patch+json');
  expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
  const json = await call('PATCH', `${BASE}/journal`, [{ op: 'test', path: '/data/a', value: '1' }, { op: 'replace', path: '/data/a', value: '9' }], 'application/json-patch+json');
  expect(json.body.data).toEqual({ a: '9', b: '2' });
  expect((await call('PATCH', `${BASE}/journal`, [{ op: 'test', path: '/data/a', value: '1' }], 'application/json-patch+json')).code).toBe(422);
});

test('delete honours preconditions: a stale resourceVersion is 409 and keeps it; the current one deletes it', async () => {
  const first = (await create('journal')).body;
  const second = (await call('PUT', `${BASE}/journal`, { ...first, data: { a: '2' } })).body;
  const stale = await call('DELETE', `${BASE}/journal`, { preconditions: { resourceVersion: first.metadata.resourceVersion } });
  expect(stale.code).toBe(409);
  expect(stale.body.message).toBe(
    `Operation cannot be fulfilled on configmaps "journal": Precondition failed: ResourceVersion in precondition: ${first.metadata.resourceVersion}, ResourceVersion in object meta: ${second.metadata.resourceVersion}`,
  );
  const deleted = await call('DELETE', `${BASE}/journal`, { preconditions: { resourceVersion: second.metadata.resourceVersion } });
  expect(deleted).toEqual({ code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'journal', kind: 'configmaps', uid: first.metadata.uid } } });
  expect(kube.state.configMaps.get('kubeflow', 'journal')).toBeUndefined();
});

test('content is validated as the API server does', async () => {
  expect((await create('x', { a: 1 })).code).toBe(400);
  expect(await create('y', { 'bad/key': 'v' })).toMatchObject({ code: 422, body: { reason: 'Invalid' } });
  expect(await create('z', { big: 'x'.repeat(1024 * 1024) })).toMatchObject({ code: 422, body: { message: expect.stringMatching(/Too long: must have at most 1048576 bytes/) } });
  expect((await create('Not_A_Name')).code).toBe(422);
  expect((await call('POST', BASE, { metadata: { name: 'rv', resourceVersion: '5' }, data: {} })).code).toBe(422);
  expect((await call('POST', BASE, { metadata: { name: 'ns', namespace: 'other' }, data: {} })).code).toBe(400);
  expect((await call('POST', BASE, { metadata: {}, data: {} })).code).toBe(422);
  expect(kube.state.configMaps.list('kubeflow')).toEqual([]);
});

test('through client-node: create, conflict, replace and delete with preconditions', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'kubeflow', body: { metadata: { name: 'j' }, data: { k: 'v' } } });
  await expect(core.createNamespacedConfigMap({ namespace: 'kubeflow', body: { metadata: { name: 'j' }, data: {} } })).rejects.toMatchObject({ code: 409 });
  const replaced = await core.replaceNamespacedConfigMap({ name: 'j', namespace: 'kubeflow', body: { metadata: { name: 'j', resourceVersion: created.metadata!.resourceVersion }, data: { k: 'w' } } });
  await expect(core.replaceNamespacedConfigMap({ name: 'j', namespace: 'kubeflow', body: { metadata: { name: 'j', resourceVersion: created.metadata!.resourceVersion }, data: {} } })).rejects.toMatchObject({ code: 409 });
  await expect(core.deleteNamespacedConfigMap({ name: 'j', namespace: 'kubeflow', body: { preconditions: { resourceVersion: created.metadata!.resourceVersion } } })).rejects.toMatchObject({ code: 409 });
  await core.deleteNamespacedConfigMap({ name: 'j', namespace: 'kubeflow', body: { preconditions: { resourceVersion: replaced.metadata!.resourceVersion } } });
  await expect(core.readNamespacedConfigMap({ name: 'j', namespace: 'kubeflow' })).rejects.toMatchObject({ code: 404 });
});
