import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from './server';

/** Deployments in the fake, over raw HTTP and through client-node: the shapes and behaviour of the real API. */

let kube: FakeKube;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow', timing: { podDeleteDelayMs: 40, podCreateDelayMs: 20, podReadyDelayMs: 60 } });
  kube.state.addDeployment({ name: 'katib-controller', replicas: 2, containers: ['katib-controller'] });
});
afterEach(async () => {
  await kube.close();
});

const DEPLOY = '/apis/apps/v1/namespaces/kubeflow/deployments/katib-controller';
const PODS = `/api/v1/namespaces/kubeflow/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name=katib-controller')}`;

async function call(method: string, path: string, body?: unknown, contentType = 'application/merge-patch+json') {
  const res = await fetch(kube.url + path, {
    method,
    headers: { Authorization: `Bearer ${kube.token}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { code: res.status, body: (await res.json()) as any };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pods = async () => (await call('GET', PODS)).body.items as any[];

test('a Deployment reads as the API returns it; its pods belong to a ReplicaSet named by the pod-template-hash', async () => {
  const { body } = await call('GET', DEPLOY);
  expect(body).toMatchObject({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'katib-controller', namespace: 'kubeflow', generation: 1 },
    spec: { replicas: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'katib-controller' } }, strategy: { type: 'RollingUpdate' } },
    status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 },
  });
  const items = await pods();
  expect(items).toHaveLength(2);
  for (const pod of items) {
    const hash = pod.metadata.labels['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(pod.metadata.name).toMatch(new RegExp(`^katib-controller-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `katib-controller-${hash}`, controller: true })]);
  }
  expect(new Set(items.map((p) => p.metadata.name)).size).toBe(2);
});

test('unknown Deployments are 404 naming deployments.apps', async () => {
  expect(await call('GET', '/apis/apps/v1/namespaces/kubeflow/deployments/nope')).toEqual({
    code: 404,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'deployments', group: 'apps' }, code: 404 },
  });
});

test('scale to 0 by merge patch: a new generation, pods Terminating then gone, zero counts left out of status', async () => {
  const patched = await call('PATCH', DEPLOY, { spec: { replicas: 0 } });
  expect(patched.code).toBe(200);
  expect(patched.body.metadata.generation).toBe(2);
  expect((await pods()).every((p) => p.metadata.deletionTimestamp)).toBe(true);
  await sleep(120);
  expect(await pods()).toEqual([]);
  const { body } = await call('GET', DEPLOY);
  expect(body.status).toEqual({ observedGeneration: 2 });
  // An annotation-only patch changes no spec: same generation.
  expect((await call('PATCH', DEPLOY, { metadata: { annotations: { a: '1' } } })).body.metadata.generation).toBe(2);
});

test('scale back up: new pods Pending, then Ready after the delay; a deleted pod is replaced by a new one', async () => {
  await call('PATCH', DEPLOY, { spec: { replicas: 0 } }, 'application/strategic-merge-patch+json');
  await sleep(100);
  await call('PATCH', DEPLOY, [{ op: 'replace', path: '/spec/replicas', value: 3 }], 'application/json-patch+json');
  await sleep(40);
  const created = await pods();
  expect(created).toHaveLength(3);
  expect(created.every((p) => p.status.phase === 'Pending' && p.status.conditions[0].status === 'False')).toBe(true);
  expect((await call('GET', DEPLOY)).body.status.readyReplicas).toBeUndefined();
  await sleep(100);
  expect((await pods()).every((p) => p.status.phase === 'Running' && p.status.conditions[0].status === 'True')).toBe(true);
  expect((await call('GET', DEPLOY)).body.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });

  const victim = (await pods())[0].metadata.name;
  await call('DELETE', `/api/v1/namespaces/kubeflow/pods/${victim}`);
  await sleep(200);
  const after = (await pods()).map((p) => p.metadata.name);
  expect(after).toHaveLength(3);
  expect(after).not.toContain(victim);
});

test('the /scale subresource reads and patches replicas; a stale resourceVersion is a 409 Conflict', async () => {
  const scale = await call('GET', `${DEPLOY}/scale`);
  expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app.kubernetes.io/name=katib-controller' } });
  const stale = await call('PATCH', `${DEPLOY}/scale`, { metadata: { resourceVersion: '1' }, spec: { replicas: 5 } });
  expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict', details: { name: 'katib-controller', kind: 'deployments', group: 'apps' } } });
  expect(kube.state.getDeployment('katib-controller')!.spec.replicas).toBe(2);
  expect((await call('PATCH', `${DEPLOY}/scale`, { spec: { replicas: 1 } })).body.spec.replicas).toBe(1);
  expect(kube.state.getDeployment('katib-controller')!.spec.replicas).toBe(1);
  expect((await call('PATCH', DEPLOY, { spec: { replicas: 1.5 } })).code).toBe(422);
});

test('through client-node: read, merge-patch and scale a Deployment', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const apps = kc.makeApiClient(AppsV1Api);
  const read = await apps.readNamespacedDeployment({ name: 'katib-controller', namespace: 'kubeflow' });
  expect(read.status?.readyReplicas).toBe(2);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const patched = await apps.patchNamespacedDeployment({ name: 'katib-controller', namespace: 'kubeflow', body: { metadata: { annotations: { x: 'y' } } } }, merge);
  expect(patched.metadata?.annotations).toEqual({ x: 'y' });
  const scaled = await apps.patchNamespacedDeploymentScale({ name: 'katib-controller', namespace: 'kubeflow', body: { spec: { replicas: 0 } } }, merge);
  expect(scaled.spec?.replicas).toBe(0);
  await expect(apps.readNamespacedDeployment({ name: 'gone', namespace: 'kubeflow' })).rejects.toMatchObject({ code: 404 });
  expect(kube.state.requests.at(-2)).toMatchObject({ method: 'PATCH', path: `${DEPLOY}/scale`, contentType: 'application/merge-patch+json' });
});
