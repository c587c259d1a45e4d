import { PassThrough, Writable } from 'node:stream';
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from './server';

/** The fake against @kubernetes/client-node's own classes, used as they are out of the box. */

let kube: FakeKube;
let kc: KubeConfig;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
});
afterEach(async () => {
  await kube.close();
});

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

test('client-node Exec (v5): stdin is closed with [255,0], output and the status callback arrive', async () => {
  const stdin = new PassThrough();
  const stdout = sink();
  const stderr = sink();
  const status = new Promise<V1Status>((resolve) => {
    void new Exec(kc).exec('kubeflow', 'mlmd-0', 'mlmd-grpc-server', ['wc', '-c'], stdout, stderr, stdin, false, resolve);
  });
  stdin.end('twelve bytes');
  expect((await status).status).toBe('Success');
  expect(stdout.text().trim()).toBe('12');
});

test('client-node Exec: a non-zero exit reaches the status callback with the ExitCode cause', async () => {
  const status = await new Promise<V1Status>((resolve) => {
    void new Exec(kc).exec('kubeflow', 'mlmd-0', 'mlmd-grpc-server', ['ls', '/nope-ckf'], sink(), sink(), null, false, resolve);
  });
  expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
});

test('client-node patch with its default content type (JSON patch) and reads', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: 'kubeflow', labelSelector: 'app.kubernetes.io/name=mlmd' });
  expect(pods.items.map((p) => p.metadata?.name)).toEqual(['mlmd-0']);
  await expect(core.readNamespacedPod({ name: 'gone', namespace: 'kubeflow' })).rejects.toMatchObject({ code: 404 });
  const apps = kc.makeApiClient(AppsV1Api);
  const sts = await apps.patchNamespacedStatefulSet({ name: 'mlmd', namespace: 'kubeflow', body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] });
  expect(sts.spec?.replicas).toBe(0);
  expect(kube.state.requests.at(-1)?.contentType).toBe('application/json-patch+json');
});
