import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { KubeNotFoundError, KubeTimeoutError } from '../../../src/kube/errors';
import { ORIGINAL_REPLICAS_ANNOTATION, quiesceStatefulSet, resumeStatefulSet } from '../../../src/kube/statefulset';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

let kube: FakeKube;
let client: KubeClient;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow', timing: { podDeleteDelayMs: 30, podCreateDelayMs: 10, podReadyDelayMs: 10 } });
  kube.state.addStatefulSet({ name: 'kfp-metadata-writer', replicas: 2, containers: ['kfp-metadata-writer'] });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
});
afterEach(async () => {
  await kube.close();
});

const patches = () => kube.state.requests.filter((r) => r.method === 'PATCH');
const podNames = () => kube.state.listPods('kubeflow').map((p) => p.metadata.name).sort();

test('quiesce writes the annotation first, then scales to 0, and returns once the pods are gone', async () => {
  const result = await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10, timeoutMs: 5000 });
  expect(result).toEqual({ name: 'kfp-metadata-writer', originalReplicas: 2, resumedFromEarlierRun: false });
  const [first, second, ...rest] = patches();
  expect(rest).toEqual([]);
  expect(first).toMatchObject({
    path: '/apis/apps/v1/namespaces/kubeflow/statefulsets/kfp-metadata-writer',
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: '2' } } },
  });
  expect(first!.body).not.toHaveProperty('spec');
  expect(second).toMatchObject({ contentType: 'application/merge-patch+json', body: { spec: { replicas: 0 } } });
  expect(podNames()).toEqual([]);
  const sts = kube.state.getStatefulSet('kfp-metadata-writer')!;
  expect(sts.spec.replicas).toBe(0);
  expect(sts.metadata.annotations).toEqual({ [ORIGINAL_REPLICAS_ANNOTATION]: '2' });
});

test('a second quiesce after a crash keeps the recorded count instead of recording 0', async () => {
  await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10 });
  // "crash": no resume. The next run quiesces again.
  const again = await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10 });
  expect(again).toEqual({ name: 'kfp-metadata-writer', originalReplicas: 2, resumedFromEarlierRun: true });
  expect(patches()).toHaveLength(2); // nothing new was patched
  const resumed = await resumeStatefulSet(client, 'kfp-metadata-writer');
  expect(resumed).toEqual({ name: 'kfp-metadata-writer', resumed: true, replicas: 2 });
});

test('a crash between annotating and scaling is recovered: the annotation is kept, the scale happens', async () => {
  kube.state.getStatefulSet('kfp-metadata-writer')!.metadata.annotations = { [ORIGINAL_REPLICAS_ANNOTATION]: '3' };
  const result = await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10 });
  expect(result.originalReplicas).toBe(3);
  expect(patches().map((p) => p.body)).toEqual([{ spec: { replicas: 0 } }]);
});

test('resume scales back to the recorded count and removes the annotation in one patch; pods come back', async () => {
  await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10 });
  const result = await resumeStatefulSet(client, 'kfp-metadata-writer');
  expect(result).toEqual({ name: 'kfp-metadata-writer', resumed: true, replicas: 2 });
  expect(patches().at(-1)!.body).toEqual({ metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: null } }, spec: { replicas: 2 } });
  const sts = kube.state.getStatefulSet('kfp-metadata-writer')!;
  expect(sts.spec.replicas).toBe(2);
  expect(sts.metadata.annotations ?? {}).toEqual({});
  await new Promise((r) => setTimeout(r, 100));
  expect(podNames()).toEqual(['kfp-metadata-writer-0', 'kfp-metadata-writer-1']);
  // Resuming again changes nothing.
  const count = patches().length;
  expect(await resumeStatefulSet(client, 'kfp-metadata-writer')).toEqual({ name: 'kfp-metadata-writer', resumed: false, replicas: 2 });
  expect(patches()).toHaveLength(count);
});

test('an app already at 0 is recorded as 0 and resumed to 0', async () => {
  kube.state.addStatefulSet({ name: 'idle', replicas: 0, containers: ['c'] });
  expect((await quiesceStatefulSet(client, 'idle', { pollMs: 10 })).originalReplicas).toBe(0);
  expect(patches()).toHaveLength(1); // only the annotation; no scale patch
  expect(await resumeStatefulSet(client, 'idle')).toEqual({ name: 'idle', resumed: true, replicas: 0 });
});

test('pods that do not go away in time: KubeTimeoutError naming them', async () => {
  kube.state.timing.podDeleteDelayMs = 10_000;
  const error = await quiesceStatefulSet(client, 'kfp-metadata-writer', { pollMs: 10, timeoutMs: 150 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeTimeoutError);
  expect((error as Error).message).toMatch(/kfp-metadata-writer-0, kfp-metadata-writer-1 still exist/);
  expect((error as KubeTimeoutError).hint).toMatch(/kubectl describe pod kfp-metadata-writer-0 -n kubeflow/);
});

test('unknown StatefulSet: KubeNotFoundError with a hint', async () => {
  const error = await quiesceStatefulSet(client, 'nope').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeNotFoundError);
  expect((error as KubeNotFoundError).hint).toMatch(/juju status nope/);
});

test('an invalid annotation is refused rather than guessed', async () => {
  kube.state.getStatefulSet('kfp-metadata-writer')!.metadata.annotations = { [ORIGINAL_REPLICAS_ANNOTATION]: 'two' };
  await expect(resumeStatefulSet(client, 'kfp-metadata-writer')).rejects.toThrow(/invalid .*original-replicas annotation/);
  expect(patches()).toHaveLength(0);
});
