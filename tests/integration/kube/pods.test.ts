import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { KubeNotFoundError, KubeTimeoutError } from '../../../src/kube/errors';
import { findMlmdPod, restartPodAndWaitReady } from '../../../src/kube/pods';
import { RestoreError } from '../../../src/errors';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

let kube: FakeKube;
let client: KubeClient;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow', timing: { podDeleteDelayMs: 20, podCreateDelayMs: 20, podReadyDelayMs: 40 } });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
});
afterEach(async () => {
  await kube.close();
});

describe('findMlmdPod', () => {
  test('CKF 1.9+: the sidecar charm pod has charm + mlmd-grpc-server', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['charm', 'mlmd-grpc-server'] });
    expect(await findMlmdPod(client)).toEqual({ pod: 'mlmd-0', container: 'mlmd-grpc-server' });
  });

  test('CKF 1.8: the podspec pod runs a container named mlmd', async () => {
    kube.state.addStatefulSet({ name: 'metadata', replicas: 1, containers: ['mlmd'] });
    expect(await findMlmdPod(client, 'metadata')).toEqual({ pod: 'metadata-0', container: 'mlmd' });
  });

  test('neither: the error lists the containers found', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['charm', 'envoy'] });
    const error = await findMlmdPod(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreError);
    expect((error as Error).message).toBe('Pod mlmd-0 has no MLMD container (expected mlmd-grpc-server or mlmd; found charm, envoy)');
  });

  test('no pod: KubeNotFoundError pointing at juju status', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
    kube.state.removePod('mlmd-0');
    const error = await findMlmdPod(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeNotFoundError);
    expect((error as KubeNotFoundError).hint).toMatch(/juju status mlmd/);
  });
});

describe('restartPodAndWaitReady', () => {
  test('deletes the pod and returns once a new pod (another uid) of the same name is Ready', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
    const oldUid = kube.state.getPod('mlmd-0')!.metadata.uid;
    const { uid } = await restartPodAndWaitReady(client, 'mlmd-0', 5000, { pollMs: 5 });
    expect(uid).not.toBe(oldUid);
    const pod = kube.state.getPod('mlmd-0')!;
    expect(pod.metadata.uid).toBe(uid);
    expect(pod.status.conditions).toContainEqual({ type: 'Ready', status: 'True' });
    expect(kube.state.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/v1/namespaces/kubeflow/pods/mlmd-0']);
  });

  test('the still-Ready old pod is not mistaken for the new one', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
    kube.state.timing.podDeleteDelayMs = 150;
    const started = Date.now();
    await restartPodAndWaitReady(client, 'mlmd-0', 5000, { pollMs: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  test('a new pod that never becomes Ready: timeout naming the pod, its state and kubectl describe', async () => {
    kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
    kube.state.faults.neverReady.add('mlmd-0');
    const error = await restartPodAndWaitReady(client, 'mlmd-0', 300, { pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect((error as Error).message).toBe('Pod mlmd-0 was not Ready 0.3s after it was restarted (the new pod is Running but not Ready)');
    expect((error as KubeTimeoutError).hint).toMatch(/kubectl describe pod mlmd-0 -n kubeflow/);
  });

  test('a pod that is not recreated: the timeout says so', async () => {
    kube.state.addPod({ name: 'loner', containers: ['c'] }); // no controller: nothing recreates it
    const error = await restartPodAndWaitReady(client, 'loner', 200, { pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect((error as Error).message).toMatch(/no new pod has been created/);
  });
});
