import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { KubeApiError } from '../../../src/kube/errors';
import { createJournal, deleteJournal, finishPhase, JOURNAL_KEY, JOURNAL_NAME, JournalConflictError, JournalExistsError, readJournal, updateJournal } from '../../../src/restore/controlPlane/journal';
import { JournalFormatError, type JournalContent } from '../../../src/restore/controlPlane/journalFormat';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

let kube: FakeKube;
let client: KubeClient;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
});
afterEach(async () => {
  await kube.close();
});

const CONTENT: JournalContent = {
  runId: 'run-2024-05-01T10-40-00Z-1a2b',
  startedAt: '2024-05-01T10:40:00.000Z',
  backupSet: {
    mlmd: { backup: 'mlmd-2024-05-01-10-30.dump.gz', time: '2024-05-01T10:30:00Z' },
    'kfp-db': { backup: '2024-05-01T10:25:00Z', time: '2024-05-01T10:25:00Z' },
  },
  finishedPhases: [],
  originalReplicas: { 'kfp-api': 1, 'katib-controller': 2 },
};
const stored = () => kube.state.configMaps.get('kubeflow', JOURNAL_NAME);

test('create, read, record phases, delete: the ConfigMap holds the journal as JSON and each write a new version', async () => {
  expect(await readJournal(client)).toBeUndefined();
  const created = await createJournal(client, CONTENT);
  expect(created).toEqual({ ...CONTENT, resourceVersion: stored()!.metadata.resourceVersion });
  expect(stored()!.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ckf-restore' });
  expect(JSON.parse(stored()!.data![JOURNAL_KEY]!)).toEqual({ version: 1, ...CONTENT });
  expect(await readJournal(client)).toEqual(created);

  const one = await finishPhase(client, created, 'plan');
  const two = await finishPhase(client, one, 'quiesce');
  const again = await finishPhase(client, two, 'quiesce');
  expect(again.finishedPhases).toEqual(['plan', 'quiesce']);
  expect(new Set([created.resourceVersion, one.resourceVersion, two.resourceVersion, again.resourceVersion]).size).toBe(4);
  expect((await readJournal(client))?.finishedPhases).toEqual(['plan', 'quiesce']);

  await deleteJournal(client, again);
  expect(stored()).toBeUndefined();
  expect(await readJournal(client)).toBeUndefined();
});

test('a second create is refused with the existing journal, which stays as it was', async () => {
  const first = await finishPhase(client, await createJournal(client, CONTENT), 'plan');
  const error = (await createJournal(client, { ...CONTENT, runId: 'run-other' }).catch((e: unknown) => e)) as JournalExistsError;
  expect(error).toBeInstanceOf(JournalExistsError);
  expect(error.existing).toEqual(first);
  expect(error.message).toBe(`a restore journal is already open in ConfigMap kubeflow/${JOURNAL_NAME} (run ${CONTENT.runId}, started ${CONTENT.startedAt}, finished: plan)`);
  expect((await readJournal(client))?.runId).toBe(CONTENT.runId);
});

test('an update from a stale read is a JournalConflictError and changes nothing; so is a stale delete', async () => {
  const created = await createJournal(client, CONTENT);
  const current = await finishPhase(client, created, 'plan');
  await expect(finishPhase(client, created, 'quiesce')).rejects.toThrow(JournalConflictError);
  await expect(deleteJournal(client, created)).rejects.toThrow(/it was changed by someone else since this run read it/);
  expect((await readJournal(client))).toEqual(current);
  await deleteJournal(client, current);
  await expect(updateJournal(client, current, (c) => c)).rejects.toThrow(/it is gone since this run read it/);
  await expect(deleteJournal(client, current)).rejects.toThrow(JournalConflictError);
});

test('an update may change everything but the run id', async () => {
  const created = await createJournal(client, CONTENT);
  const updated = await updateJournal(client, created, (c) => ({ ...c, originalReplicas: { ...c.originalReplicas, 'kfp-schedwf': 1 } }));
  expect(updated.originalReplicas).toEqual({ 'kfp-api': 1, 'katib-controller': 2, 'kfp-schedwf': 1 });
  await expect(updateJournal(client, updated, (c) => ({ ...c, runId: 'x' }))).rejects.toThrow(/may not change the run id/);
  expect((await readJournal(client))?.resourceVersion).toBe(updated.resourceVersion);
});

test('a journal that is not ours is refused, never guessed at', async () => {
  kube.state.configMaps.create('kubeflow', { metadata: { name: JOURNAL_NAME }, data: { [JOURNAL_KEY]: '{"version":1,"runId":"r"' } });
  await expect(readJournal(client)).rejects.toThrow(JournalFormatError);
  await expect(readJournal(client)).rejects.toThrow(/cannot read the restore journal ConfigMap kubeflow\/ckf-restore-journal \(key journal\.json\): it is not JSON/);
  kube.state.configMaps.delete('kubeflow', JOURNAL_NAME, undefined);
  kube.state.configMaps.create('kubeflow', { metadata: { name: JOURNAL_NAME }, data: { other: 'x' } });
  await expect(readJournal(client)).rejects.toThrow(/key journal\.json missing/);
  // A create then reports that, rather than overwriting it.
  await expect(createJournal(client, CONTENT)).rejects.toThrow(JournalFormatError);
});

test('API failures say what was being done', async () => {
  kube.state.faults.failRequests.push({ method: 'POST', path: '/api/v1/namespaces/kubeflow/configmaps', code: 500 });
  const error = await createJournal(client, CONTENT).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as Error).message).toMatch(/^Kubernetes API error 500 while creating the restore journal ConfigMap kubeflow\/ckf-restore-journal/);
});
