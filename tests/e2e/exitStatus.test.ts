/**
 * The exit status of every kind of outcome, through the packed charm's dispatch: `juju run` exits 1 only
 * when the task's return-code (this process's exit status) is non-zero, so a failed or refused run must
 * exit 1 after action-set and action-fail, with `outcome` in the results and the reason on stderr
 * (which Juju puts into the task's `stderr` and `juju run` prints), secrets masked everywhere.
 */
import { createHash } from 'node:crypto';
import type { DispatchResult } from '../helpers/charmProcess';
import { e2eSession, type E2eUnit } from '../helpers/e2eCharm';
import { BUCKET, startMlmdWorld, STORE_PATH, type MlmdWorld } from '../helpers/mlmdWorld';
import { fakeRelation, minioAppData, s3IntegratorAppData } from '../helpers/relationData';

const ACCESS_KEY = 'AKIAEXITSTATUSKEY001';
const SECRET_KEY = 'exit-status-secret-5e4d3c';
const MINIO_SECRET = 'exit-status-minio-secret-77aa';
const session = e2eSession();
let world: MlmdWorld;

beforeAll(async () => {
  world = await startMlmdWorld({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
  await world.putBackup('mlmd-2024-05-01-11-00.dump.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xde, 0xad, 0xbe, 0xef]));
});
afterAll(async () => {
  await world.close();
});

function unit(options: { path?: string; endpoint?: string; minio?: boolean } = {}): E2eUnit {
  const store = s3IntegratorAppData({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, bucket: BUCKET, endpoint: options.endpoint ?? world.store.endpoint, path: options.path ?? STORE_PATH, region: 'us-east-1' });
  const relations = [fakeRelation('s3-credentials:5', 's3-credentials', 's3-integrator', store)];
  if (options.minio) relations.push(fakeRelation('object-storage:6', 'object-storage', 'minio', minioAppData({ accessKey: 'minio', secretKey: MINIO_SECRET })));
  return session.unit({ config: { 'mlmd-db-path': world.dbPath, 'mlmd-ready-timeout': 30, 'minio-endpoint': 'http://127.0.0.1:9' }, relations }, { KUBECONFIG: world.kube.kubeconfigPath });
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The line the charm writes last on stderr for a run that did not succeed. */
function reasonLine(result: DispatchResult): string | undefined {
  return result.stderr.split('\n').filter((line) => line.startsWith('ckf-restore: ')).at(-1);
}

function expectUnsuccessful(result: DispatchResult, action: string, outcome: 'refused' | 'failed', message: RegExp): void {
  expect({ exitCode: result.exitCode, outcome: result.state.results.outcome }).toEqual({ exitCode: 1, outcome });
  expect(result.state.results['error.message']).toMatch(message);
  expect(result.state.failure).toBe(result.state.results['error.message']);
  expect(reasonLine(result)).toBe(`ckf-restore: ${action} ${outcome}: ${result.state.results['error.message']}`);
}

test('ok: exit status 0, outcome ok, no reason on stderr', async () => {
  const result = await unit().action('restore-mlmd', { backup: world.backups.dumpGz, 'dry-run': true });
  expect({ exitCode: result.exitCode, outcome: result.state.results.outcome, failure: result.state.failure }).toEqual({ exitCode: 0, outcome: 'ok', failure: null });
  expect(reasonLine(result)).toBeUndefined();
  const listed = await unit().action('list-backups');
  expect([listed.exitCode, listed.state.results.outcome]).toEqual([0, 'ok']);
});

test('refused: invalid params, exit status 1 after action-set and action-fail', async () => {
  const result = await unit().action('restore-mlmd', { backup: world.backups.raw, format: 'zip' });
  expectUnsuccessful(result, 'restore-mlmd', 'refused', /^parameter format must be one of/);
  expect(result.state.results['error.kind']).toBe('InvalidInputError');
});

test('refused: a missing relation', async () => {
  const result = await unit().action('restore-mlpipeline', {});
  expectUnsuccessful(result, 'restore-mlpipeline', 'refused', /^no object-storage relation\. Run: juju integrate ckf-restore minio$/);
});

test('refused: running pipelines (a safety refusal of restore-mlmd); the database and the writer are untouched', async () => {
  const before = sha(world.liveBytes());
  const type = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' };
  world.kube.state.addCustomResource(type, { metadata: { name: 'train-exit', namespace: 'alice', labels: {} } });
  try {
    const result = await unit().action('restore-mlmd', { backup: world.backups.raw });
    expectUnsuccessful(result, 'restore-mlmd', 'refused', /workflow alice\/train-exit/);
    expect(result.state.results['phases.preflight.status']).toBe('failed');
  } finally {
    world.kube.state.listCustomObjects(type.group, type.version, type.plural, 'alice').forEach((o) => (o.metadata.labels = { 'workflows.argoproj.io/completed': 'true' }));
  }
  expect(sha(world.liveBytes())).toBe(before);
  expect(world.writer()).toEqual({ replicas: 1, annotations: {} });
});

test('refused: a backup that is not there; a secret inside the message is masked in results and on stderr', async () => {
  // s3-integrator's path is echoed in the message; here it holds the secret key, which must never show.
  const result = await unit({ path: `cluster-${SECRET_KEY}` }).action('restore-mlmd', { backup: 'mlmd-2030-01-01-00-00.dump.gz' });
  expectUnsuccessful(result, 'restore-mlmd', 'refused', /mlmd-2030-01-01-00-00\.dump\.gz not found/);
  expect(result.state.results['error.message']).toContain('cluster-***/');
  expect(result.stderr).toContain('cluster-***/');
  expect(result.stderr).not.toContain(SECRET_KEY);
});

test('failed: a corrupt backup; the live database is untouched and the writer back', async () => {
  const before = sha(world.liveBytes());
  const result = await unit().action('restore-mlmd', { backup: 'mlmd-2024-05-01-11-00.dump.gz' });
  expectUnsuccessful(result, 'restore-mlmd', 'failed', /gzip/i);
  expect(sha(world.liveBytes())).toBe(before);
  expect(world.writer()).toEqual({ replicas: 1, annotations: {} });
});

test('failed: the backup store does not answer', async () => {
  const result = await unit({ endpoint: 'http://127.0.0.1:9', minio: true }).action('restore-mlpipeline', { bwlimit: '0' });
  expectUnsuccessful(result, 'restore-mlpipeline', 'failed', /127\.0\.0\.1:9/);
});

test('no key or secret appears on stderr or anywhere else', () => {
  expect(session.runs.length).toBeGreaterThanOrEqual(8);
  const stderr = session.runs.map((run) => run.stderr).join('\n');
  expect(stderr).toContain('ckf-restore: ');
  for (const value of [SECRET_KEY, ACCESS_KEY, MINIO_SECRET]) {
    expect(stderr).not.toContain(value);
    expect(session.visibleOutput()).not.toContain(value);
  }
});
