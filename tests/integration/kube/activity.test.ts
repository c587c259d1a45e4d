import { checkActivity, listRunningWorkflows } from '../../../src/kube/activity';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { KubeApiError } from '../../../src/kube/errors';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

const WORKFLOWS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' };
const EXPERIMENTS = { group: 'kubeflow.org', version: 'v1beta1', plural: 'experiments', kind: 'Experiment' };
const SCHEDULED = { group: 'kubeflow.org', version: 'v1beta1', plural: 'scheduledworkflows', kind: 'ScheduledWorkflow' };

let kube: FakeKube;
let client: KubeClient;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
});
afterEach(async () => {
  await kube.close();
});

const meta = (namespace: string, name: string, labels?: Record<string, string>) => ({ metadata: { name, namespace, ...(labels ? { labels } : {}) } });

test('no CRDs installed (404): no activity', async () => {
  expect(await checkActivity(client)).toEqual({ workflows: [], experiments: [], scheduledWorkflows: [] });
});

test('running Argo Workflows, cluster-wide, asked for with the completed!=true selector', async () => {
  kube.state.addCustomResource(WORKFLOWS, meta('alice', 'train-1', { 'workflows.argoproj.io/completed': 'false' }));
  kube.state.addCustomResource(WORKFLOWS, meta('bob', 'fresh')); // no label yet: not completed
  kube.state.addCustomResource(WORKFLOWS, meta('alice', 'done', { 'workflows.argoproj.io/completed': 'true' }));
  expect(await listRunningWorkflows(client)).toEqual(['alice/train-1', 'bob/fresh']);
  const request = kube.state.requests.find((r) => r.path === '/apis/argoproj.io/v1alpha1/workflows')!;
  expect(request.query.get('labelSelector')).toBe('workflows.argoproj.io/completed!=true');
});

test('Katib Experiments count when Running or Restarting is True', async () => {
  const cond = (type: string, status: string) => ({ status: { conditions: [{ type: 'Created', status: 'True' }, { type, status }] } });
  kube.state.addCustomResource(EXPERIMENTS, { ...meta('alice', 'running'), ...cond('Running', 'True') });
  kube.state.addCustomResource(EXPERIMENTS, { ...meta('bob', 'restarting'), ...cond('Restarting', 'True') });
  kube.state.addCustomResource(EXPERIMENTS, { ...meta('bob', 'succeeded'), ...cond('Succeeded', 'True') });
  kube.state.addCustomResource(EXPERIMENTS, { ...meta('bob', 'was-running'), ...cond('Running', 'False') });
  kube.state.addCustomResource(EXPERIMENTS, meta('carol', 'no-status'));
  expect((await checkActivity(client)).experiments).toEqual(['alice/running', 'bob/restarting']);
});

test('ScheduledWorkflows count when spec.enabled is true', async () => {
  kube.state.addCustomResource(SCHEDULED, { ...meta('alice', 'nightly'), spec: { enabled: true } });
  kube.state.addCustomResource(SCHEDULED, { ...meta('alice', 'paused'), spec: { enabled: false } });
  kube.state.addCustomResource(SCHEDULED, meta('bob', 'unset'));
  expect(await checkActivity(client)).toEqual({ workflows: [], experiments: [], scheduledWorkflows: ['alice/nightly'] });
});

test('an error other than 404 propagates as KubeApiError; 403 says to trust the charm', async () => {
  kube.state.installCrd(WORKFLOWS);
  kube.state.faults.failPaths.set('/apis/kubeflow.org/v1beta1/experiments', 403);
  const error = await checkActivity(client).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as KubeApiError).statusCode).toBe(403);
  expect((error as Error).message).toMatch(/listing experiments.kubeflow.org/);
  expect((error as KubeApiError).hint).toMatch(/--trust/);
});

test('an unreachable API server is a KubeApiError too', async () => {
  const other = await startFakeKube();
  const gone = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: other.kubeconfigPath } }));
  await other.close();
  const error = await checkActivity(gone).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as Error).message).toMatch(/unreachable/);
});
