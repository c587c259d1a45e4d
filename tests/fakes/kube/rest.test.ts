import { startFakeKube, type FakeKube } from './server';

/** The fake's REST side with raw HTTP requests: the shapes and status codes of the real API server. */

let kube: FakeKube;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow', timing: { podDeleteDelayMs: 20, podCreateDelayMs: 20, podReadyDelayMs: 20 } });
  kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['charm', 'mlmd-grpc-server'] });
});
afterEach(async () => {
  await kube.close();
});

const STS = '/apis/apps/v1/namespaces/kubeflow/statefulsets/mlmd';

async function call(method: string, path: string, body?: unknown, contentType = 'application/json', token = kube.token) {
  const res = await fetch(kube.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { code: res.status, body: (await res.json()) as any };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('requests without the bearer token get 401 with a Status body', async () => {
  const res = await call('GET', STS, undefined, undefined, 'wrong');
  expect(res).toEqual({ code: 401, body: expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 }) });
});

test('unknown objects are 404 with a NotFound Status naming them', async () => {
  expect(await call('GET', '/apis/apps/v1/namespaces/kubeflow/statefulsets/nope')).toEqual({
    code: 404,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'statefulsets.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'statefulsets', group: 'apps' }, code: 404 },
  });
  const pod = await call('GET', '/api/v1/namespaces/kubeflow/pods/nope-0');
  expect(pod.body).toMatchObject({ reason: 'NotFound', message: 'pods "nope-0" not found', details: { name: 'nope-0', kind: 'pods' } });
  expect((await call('GET', '/apis/argoproj.io/v1alpha1/workflows')).code).toBe(404); // CRD not installed
  expect((await call('DELETE', '/api/v1/namespaces/kubeflow/pods/nope-0')).code).toBe(404);
});

test('merge patch: sets and (with null) removes an annotation, leaves the rest alone', async () => {
  const set = await call('PATCH', STS, { metadata: { annotations: { a: '1', b: '2' } } }, 'application/merge-patch+json');
  expect(set.code).toBe(200);
  expect(set.body.metadata.annotations).toEqual({ a: '1', b: '2' });
  const removed = await call('PATCH', STS, { metadata: { annotations: { a: null } } }, 'application/merge-patch+json');
  expect(removed.body.metadata.annotations).toEqual({ b: '2' });
  expect(removed.body.spec.replicas).toBe(1);
  expect(kube.state.requests.at(-1)).toMatchObject({ method: 'PATCH', path: STS, contentType: 'application/merge-patch+json', body: { metadata: { annotations: { a: null } } } });
});

test('JSON patch: add/replace/remove/test, with ~1 escaping; a failed test is 422 and changes nothing', async () => {
  const key = '/metadata/annotations/ckf-restore.charmed-kubeflow.io~1original-replicas';
  const ok = await call(
    'PATCH',
    STS,
    [
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: key, value: '1' },
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 0 },
    ],
    'application/json-patch+json',
  );
  expect(ok.code).toBe(200);
  expect(ok.body.metadata.annotations).toEqual({ 'ckf-restore.charmed-kubeflow.io/original-replicas': '1' });
  expect(ok.body.spec.replicas).toBe(0);
  const failed = await call('PATCH', STS, [{ op: 'test', path: '/spec/replicas', value: 5 }, { op: 'replace', path: '/spec/replicas', value: 3 }], 'application/json-patch+json');
  expect(failed.code).toBe(422);
  expect(kube.state.getStatefulSet('mlmd')!.spec.replicas).toBe(0);
  const removed = await call('PATCH', STS, [{ op: 'remove', path: key }], 'application/json-patch+json');
  expect(removed.body.metadata.annotations).toEqual({});
});

test('strategic merge patch is accepted; a plain JSON body is 415; invalid replicas are 422', async () => {
  expect((await call('PATCH', STS, { spec: { replicas: 2 } }, 'application/strategic-merge-patch+json')).body.spec.replicas).toBe(2);
  expect((await call('PATCH', STS, { spec: { replicas: 1 } }, 'application/json')).code).toBe(415);
  expect((await call('PATCH', STS, { spec: { replicas: -1 } }, 'application/merge-patch+json')).code).toBe(422);
  expect((await call('PATCH', STS, '{not json', 'application/merge-patch+json')).code).toBe(400);
});

test('the /scale subresource reads and patches replicas', async () => {
  const scale = await call('GET', `${STS}/scale`);
  expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app.kubernetes.io/name=mlmd' } });
  const patched = await call('PATCH', `${STS}/scale`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
  expect(patched.body.spec.replicas).toBe(0);
  expect(kube.state.getStatefulSet('mlmd')!.spec.replicas).toBe(0);
});

test('scaling down removes the pods after the delete delay; scaling up brings them back, Ready later', async () => {
  const list = async () => (await call('GET', '/api/v1/namespaces/kubeflow/pods?labelSelector=app.kubernetes.io%2Fname%3Dmlmd')).body;
  expect((await list()).kind).toBe('PodList');
  expect((await list()).items.map((p: any) => p.metadata.name)).toEqual(['mlmd-0']);
  Object.assign(kube.state.timing, { podDeleteDelayMs: 150, podCreateDelayMs: 20, podReadyDelayMs: 300 });
  await call('PATCH', STS, { spec: { replicas: 0 } }, 'application/merge-patch+json');
  expect((await list()).items[0].metadata.deletionTimestamp).toBeDefined(); // Terminating first
  await sleep(250);
  expect((await list()).items).toEqual([]);
  await call('PATCH', STS, { spec: { replicas: 2 } }, 'application/merge-patch+json');
  await sleep(120); // created, not yet Ready
  const created = (await list()).items;
  expect(created.map((p: any) => p.metadata.name).sort()).toEqual(['mlmd-0', 'mlmd-1']);
  expect(created.every((p: any) => p.status.phase === 'Pending' && p.status.conditions[0].status === 'False')).toBe(true);
  await sleep(350);
  expect((await list()).items.every((p: any) => p.status.phase === 'Running' && p.status.conditions[0].status === 'True')).toBe(true);
  expect((await call('GET', STS)).body.status.readyReplicas).toBe(2);
});

test('a deleted StatefulSet pod is recreated with a new uid; neverReady keeps it unready', async () => {
  kube.state.faults.neverReady.add('mlmd-0');
  const before = (await call('GET', '/api/v1/namespaces/kubeflow/pods/mlmd-0')).body.metadata.uid;
  const deleted = await call('DELETE', '/api/v1/namespaces/kubeflow/pods/mlmd-0');
  expect(deleted.code).toBe(200);
  expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
  await sleep(100);
  const after = (await call('GET', '/api/v1/namespaces/kubeflow/pods/mlmd-0')).body;
  expect(after.metadata.uid).not.toBe(before);
  expect(after.status.phase).toBe('Running');
  expect(after.status.conditions).toEqual([{ type: 'Ready', status: 'False' }]);
  expect(after.spec.containers.map((c: any) => c.name)).toEqual(['charm', 'mlmd-grpc-server']);
});

test('custom resources: namespaced and cluster-wide lists with = and != label selectors', async () => {
  const type = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' };
  kube.state.addCustomResource(type, { metadata: { name: 'a', namespace: 'alice', labels: { 'workflows.argoproj.io/completed': 'true' } } });
  kube.state.addCustomResource(type, { metadata: { name: 'b', namespace: 'alice', labels: { 'workflows.argoproj.io/completed': 'false' } } });
  kube.state.addCustomResource(type, { metadata: { name: 'c', namespace: 'bob' } });
  const names = (body: any) => body.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`);
  const all = await call('GET', '/apis/argoproj.io/v1alpha1/workflows');
  expect(all.body).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowList' });
  expect(names(all.body)).toEqual(['alice/a', 'alice/b', 'bob/c']);
  const q = (s: string) => `?labelSelector=${encodeURIComponent(s)}`;
  expect(names((await call('GET', `/apis/argoproj.io/v1alpha1/workflows${q('workflows.argoproj.io/completed!=true')}`)).body)).toEqual(['alice/b', 'bob/c']);
  expect(names((await call('GET', `/apis/argoproj.io/v1alpha1/workflows${q('workflows.argoproj.io/completed=true')}`)).body)).toEqual(['alice/a']);
  expect(names((await call('GET', '/apis/argoproj.io/v1alpha1/namespaces/bob/workflows')).body)).toEqual(['bob/c']);
  expect((await call('GET', `/apis/argoproj.io/v1alpha1/workflows${q('x in (a,b)')}`)).code).toBe(400);
});

test('injected failures answer with the chosen status code', async () => {
  kube.state.faults.failPaths.set(STS, 500);
  expect((await call('GET', STS)).body).toMatchObject({ kind: 'Status', code: 500 });
});

test('injected request failures: by method and path, after `skip` matches, `times` times', async () => {
  kube.state.faults.failRequests.push({ method: 'PATCH', path: STS, code: 503, skip: 1, times: 1 });
  const body = { metadata: { annotations: { a: '1' } } };
  expect((await call('PATCH', STS, body, 'application/merge-patch+json')).code).toBe(200);
  expect((await call('GET', STS)).code).toBe(200); // another method is not counted
  expect(await call('PATCH', STS, body, 'application/merge-patch+json')).toMatchObject({ code: 503, body: { kind: 'Status', code: 503 } });
  expect((await call('PATCH', STS, body, 'application/merge-patch+json')).code).toBe(200);
});
