import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { QuiesceFailedError, quiesceWorkloads, requireResumed, ResumeIncompleteError, resumeWorkloads } from '../../../src/kube/quiesce';
import { ORIGINAL_REPLICAS_ANNOTATION } from '../../../src/kube/replicaAnnotation';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

/**
 * Several writers at once — sidecar StatefulSets and a podspec Deployment — against the fake cluster:
 * what is recorded, scaled and resumed, in which order, and what every failure leaves behind.
 */

let kube: FakeKube;
let client: KubeClient;
const WRITERS = ['kfp-api', 'kfp-persistence', 'katib-controller', 'argo-controller'];
const ORIGINAL = { 'kfp-api': 2, 'kfp-persistence': 1, 'katib-controller': 3 } as Record<string, number>;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow', timing: { podDeleteDelayMs: 40, podCreateDelayMs: 10, podReadyDelayMs: 30 } });
  kube.state.addStatefulSet({ name: 'kfp-api', replicas: 2, containers: ['charm', 'apiserver'] });
  kube.state.addStatefulSet({ name: 'kfp-persistence', replicas: 1, containers: ['charm', 'persistenceagent'] });
  // CKF 1.8's katib-controller is a podspec charm: a Deployment named after the app. argo-controller is not deployed.
  kube.state.addDeployment({ name: 'katib-controller', replicas: 3, containers: ['katib-controller'] });
  kube.state.addStatefulSet({ name: 'unrelated', replicas: 1, containers: ['x'] });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
});
afterEach(async () => {
  await kube.close();
});

const QUICK = { timeoutMs: 5000, pollMs: 10 };
const READY = { readyTimeoutMs: 5000, pollMs: 10 };
const patches = () => kube.state.requests.filter((r) => r.method === 'PATCH');
const workload = (name: string) => kube.state.getStatefulSet(name) ?? kube.state.getDeployment(name);
const replicas = (name: string) => workload(name)?.spec.replicas;
const annotation = (name: string) => workload(name)?.metadata.annotations?.[ORIGINAL_REPLICAS_ANNOTATION];
const podsOf = (name: string) => kube.state.listPods('kubeflow').filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === name);
const readyPods = (name: string) => podsOf(name).filter((p) => !p.metadata.deletionTimestamp && p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length;
const expectAllBack = () => {
  for (const [name, count] of Object.entries(ORIGINAL)) expect([name, replicas(name), annotation(name), readyPods(name)]).toEqual([name, count, undefined, count]);
};

test('quiesce records every count before scaling any, scales all, returns once no pod is left; missing ones are reported', async () => {
  const report = await quiesceWorkloads(client, WRITERS, QUICK);
  expect(report.stopped).toEqual([
    { name: 'kfp-api', kind: 'StatefulSet', originalReplicas: 2, recordedByEarlierRun: false },
    { name: 'kfp-persistence', kind: 'StatefulSet', originalReplicas: 1, recordedByEarlierRun: false },
    { name: 'katib-controller', kind: 'Deployment', originalReplicas: 3, recordedByEarlierRun: false },
  ]);
  expect(report.missing).toEqual(['argo-controller']);
  const bodies = patches().map((p) => p.body as { metadata?: unknown; spec?: unknown });
  expect(bodies).toHaveLength(6);
  expect(bodies.slice(0, 3).every((b) => b.metadata !== undefined && b.spec === undefined)).toBe(true);
  expect(bodies.slice(3).every((b) => JSON.stringify(b) === JSON.stringify({ spec: { replicas: 0 } }))).toBe(true);
  expect(patches().slice(3).map((p) => p.path).sort()).toEqual([
    '/apis/apps/v1/namespaces/kubeflow/deployments/katib-controller',
    '/apis/apps/v1/namespaces/kubeflow/statefulsets/kfp-api',
    '/apis/apps/v1/namespaces/kubeflow/statefulsets/kfp-persistence',
  ]);
  for (const name of Object.keys(ORIGINAL)) {
    expect([name, replicas(name), annotation(name), podsOf(name).length]).toEqual([name, 0, String(ORIGINAL[name]), 0]);
  }
  expect(replicas('unrelated')).toBe(1);
});

test('resume brings every one back to its count, removes the records, and waits until the pods are Ready', async () => {
  await quiesceWorkloads(client, WRITERS, QUICK);
  const report = await resumeWorkloads(client, WRITERS, READY);
  expect(report).toMatchObject({ missing: ['argo-controller'], notRecorded: [], failed: [], notReady: [], complete: true });
  expect(report.resumed).toEqual([
    { name: 'kfp-api', kind: 'StatefulSet', replicas: 2, from: 'annotation', readyPods: 2, ready: true },
    { name: 'kfp-persistence', kind: 'StatefulSet', replicas: 1, from: 'annotation', readyPods: 1, ready: true },
    { name: 'katib-controller', kind: 'Deployment', replicas: 3, from: 'annotation', readyPods: 3, ready: true },
  ]);
  expectAllBack();
  // Resuming again changes nothing.
  const count = patches().length;
  const again = await resumeWorkloads(client, WRITERS, READY);
  expect(again.notRecorded).toEqual(['kfp-api', 'kfp-persistence', 'katib-controller']);
  expect(patches()).toHaveLength(count);
});

test('after a crash (no resume), the next quiesce keeps the recorded counts rather than the current 0', async () => {
  await quiesceWorkloads(client, WRITERS, QUICK);
  const again = await quiesceWorkloads(client, WRITERS, QUICK);
  expect(again.stopped.map((s) => [s.name, s.originalReplicas, s.recordedByEarlierRun])).toEqual([
    ['kfp-api', 2, true],
    ['kfp-persistence', 1, true],
    ['katib-controller', 3, true],
  ]);
  expect(patches()).toHaveLength(6); // nothing new
  expect((await resumeWorkloads(client, WRITERS, READY)).complete).toBe(true);
  expectAllBack();
});

test('one unreadable workload: nothing is recorded or scaled', async () => {
  kube.state.faults.failRequests.push({ method: 'GET', path: '/apis/apps/v1/namespaces/kubeflow/statefulsets/kfp-persistence', code: 500 });
  const error = (await quiesceWorkloads(client, WRITERS, QUICK).catch((e: unknown) => e)) as QuiesceFailedError;
  expect(error).toBeInstanceOf(QuiesceFailedError);
  expect(error.message).toMatch(/^cannot read kfp-persistence \(Kubernetes API error 500 .*\); nothing was stopped$/);
  expect(error.report.stopped).toEqual([]);
  expect(patches()).toEqual([]);
});

test('a scale that fails: the error says so, the others are at 0, and resume brings back every recorded one', async () => {
  kube.state.faults.failRequests.push({ method: 'PATCH', path: '/apis/apps/v1/namespaces/kubeflow/deployments/katib-controller', code: 503, skip: 1, times: 1 });
  const error = (await quiesceWorkloads(client, WRITERS, QUICK).catch((e: unknown) => e)) as QuiesceFailedError;
  expect(error).toBeInstanceOf(QuiesceFailedError);
  expect(error.message).toMatch(/^cannot scale katib-controller \(.*503.*\) to 0$/);
  expect(error.report.stopped.map((s) => s.name)).toEqual(['kfp-api', 'kfp-persistence', 'katib-controller']);
  expect([replicas('kfp-api'), replicas('kfp-persistence'), replicas('katib-controller')]).toEqual([0, 0, 3]);
  expect(annotation('katib-controller')).toBe('3');
  const report = await resumeWorkloads(client, WRITERS, READY);
  expect(report.complete).toBe(true);
  expectAllBack();
});

test('pods that do not go away in time: the error names them; resume still brings everything back', async () => {
  kube.state.timing.podDeleteDelayMs = 2000;
  const error = (await quiesceWorkloads(client, WRITERS, { timeoutMs: 150, pollMs: 10 }).catch((e: unknown) => e)) as QuiesceFailedError;
  expect(error).toBeInstanceOf(QuiesceFailedError);
  expect(error.message).toMatch(/^pods still running 0\.15s after scaling to 0: kfp-api \(kfp-api-0, kfp-api-1\), kfp-persistence \(kfp-persistence-0\), katib-controller \(katib-controller-\w+-\w+, /);
  expect(error.hint).toMatch(/kubectl describe pod kfp-api-0 -n kubeflow/);
  expect(error.report.stopped).toHaveLength(3);
  kube.state.timing.podDeleteDelayMs = 20;
  const report = await resumeWorkloads(client, WRITERS, { readyTimeoutMs: 8000, pollMs: 10 });
  expect(report.complete).toBe(true);
  expectAllBack();
});

test('a resume that fails for one does not stop the others; its record stays for the next try', async () => {
  await quiesceWorkloads(client, WRITERS, QUICK);
  kube.state.faults.failRequests.push({ method: 'PATCH', path: '/apis/apps/v1/namespaces/kubeflow/statefulsets/kfp-api', code: 500, times: 1 });
  const report = await resumeWorkloads(client, WRITERS, READY);
  expect(report.complete).toBe(false);
  expect(report.failed).toEqual([{ name: 'kfp-api', error: expect.stringMatching(/^Kubernetes API error 500 while scaling StatefulSet kfp-api back to 2/) }]);
  expect(report.resumed.map((r) => [r.name, r.ready])).toEqual([['kfp-persistence', true], ['katib-controller', true]]);
  expect([replicas('kfp-api'), annotation('kfp-api')]).toEqual([0, '2']);
  const error = (() => {
    try {
      requireResumed(report);
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(ResumeIncompleteError);
  expect((error as Error).message).toMatch(/^resume incomplete: kfp-api not scaled back \(Kubernetes API error 500/);
  expect((await resumeWorkloads(client, WRITERS, READY)).complete).toBe(true);
  expectAllBack();
});

test('a pod that never becomes Ready: reported after the bounded wait, the others are fine', async () => {
  await quiesceWorkloads(client, WRITERS, QUICK);
  kube.state.faults.neverReady.add('kfp-persistence-0');
  const started = Date.now();
  const report = await resumeWorkloads(client, WRITERS, { readyTimeoutMs: 300, pollMs: 10 });
  expect(Date.now() - started).toBeLessThan(2000);
  expect(report.notReady).toEqual(['kfp-persistence']);
  expect(report.resumed.find((r) => r.name === 'kfp-persistence')).toMatchObject({ replicas: 1, readyPods: 0, ready: false });
  expect(report.complete).toBe(false);
  expect(() => requireResumed(report)).toThrow(/kfp-persistence scaled back to 1 but 0 pod\(s\) Ready/);
  expect([replicas('kfp-persistence'), annotation('kfp-persistence')]).toEqual([1, undefined]);
});

test('without a record, a fallback count (from a journal) is used only for a workload left at 0', async () => {
  kube.state.getStatefulSet('kfp-api')!.spec.replicas = 0;
  kube.state.replaceStatefulSet(kube.state.getStatefulSet('kfp-api')!);
  const report = await resumeWorkloads(client, ['kfp-api', 'kfp-persistence'], { ...READY, fallbackReplicas: { 'kfp-api': 2, 'kfp-persistence': 5 } });
  expect(report.resumed).toEqual([{ name: 'kfp-api', kind: 'StatefulSet', replicas: 2, from: 'fallback', readyPods: 2, ready: true }]);
  expect(report.notRecorded).toEqual(['kfp-persistence']);
  expect(replicas('kfp-persistence')).toBe(1);
});

test('a workload already at 0 is recorded as 0, not scaled, and resumed to 0', async () => {
  kube.state.addDeployment({ name: 'idle', replicas: 0, containers: ['c'] });
  const report = await quiesceWorkloads(client, ['idle'], QUICK);
  expect(report.stopped).toEqual([{ name: 'idle', kind: 'Deployment', originalReplicas: 0, recordedByEarlierRun: false }]);
  expect(patches()).toHaveLength(1);
  expect((await resumeWorkloads(client, ['idle'], READY)).resumed).toEqual([{ name: 'idle', kind: 'Deployment', replicas: 0, from: 'annotation', readyPods: 0, ready: true }]);
});

test('an unreadable record is refused before anything changes', async () => {
  kube.state.getDeployment('katib-controller')!.metadata.annotations = { [ORIGINAL_REPLICAS_ANNOTATION]: 'three' };
  await expect(quiesceWorkloads(client, WRITERS, QUICK)).rejects.toThrow(/cannot read katib-controller \(Deployment katib-controller has an invalid .*original-replicas annotation: "three"/);
  expect(patches()).toEqual([]);
  const report = await resumeWorkloads(client, WRITERS, READY);
  expect(report.failed).toEqual([{ name: 'katib-controller', error: expect.stringMatching(/invalid .* annotation.*kubectl annotate deployment katib-controller/) }]);
});
