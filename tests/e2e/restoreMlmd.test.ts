/**
 * restore-mlmd and list-backups through the packed charm: relation data → action → the database in the
 * fake cluster's MLMD "container", with a real S3 server and real SQLite.
 */
import { createHash } from 'node:crypto';
import { e2eSession, type E2eUnit } from '../helpers/e2eCharm';
import { databaseContents } from '../helpers/mlmdFixtures';
import { readReference, referenceFingerprint } from '../helpers/sqliteReference';
import { BUCKET, startMlmdWorld, STORE_PATH, type MlmdWorld } from '../helpers/mlmdWorld';
import { fakeRelation, s3IntegratorAppData } from '../helpers/relationData';

const ACCESS_KEY = 'AKIAPLANTEDACCESS01';
const SECRET_KEY = 'planted-s3-secret-9f8e7d';
const session = e2eSession();
let world: MlmdWorld;

beforeAll(async () => {
  world = await startMlmdWorld({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
});
afterAll(async () => {
  await world.close();
});

function unit(options: { withStore?: boolean } = {}): E2eUnit {
  const store = s3IntegratorAppData({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, bucket: BUCKET, endpoint: world.store.endpoint, path: STORE_PATH, region: 'us-east-1' });
  return session.unit(
    { config: { 'mlmd-db-path': world.dbPath, 'mlmd-ready-timeout': 30 }, relations: options.withStore === false ? [] : [fakeRelation('s3-credentials:5', 's3-credentials', 's3-integrator', store)] },
    { KUBECONFIG: world.kube.kubeconfigPath },
  );
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('list-backups shows the MLMD backups newest first with when they were taken, the mlpipeline prefix and how to see database backups', async () => {
  await world.putBackup('mlmd-latest.db', Buffer.from('a name without a time'));
  const result = await unit().action('list-backups');
  expect(result.state.failure).toBeNull();
  const r = result.state.results;
  expect(r['mlmd.count']).toBe('4');
  // By the time in the name (UTC), newest first; a name without one comes by its upload time (just now).
  expect([0, 1, 2, 3].map((i) => r[`mlmd.backups.${i}.name`])).toEqual(['mlmd-latest.db', world.backups.raw, world.backups.dump, world.backups.dumpGz]);
  expect([0, 1, 2, 3].map((i) => r[`mlmd.backups.${i}.taken`])).toEqual([undefined, '2024-05-01T10:32:00Z', '2024-05-01T10:31:00Z', '2024-05-01T10:30:00Z']);
  expect(r['mlmd.backups.1.age']).toMatch(/^\d+d \d+h$/);
  expect(r['mlmd.backups.0.age']).toMatch(/^\d+s$/);
  expect(r['mlmd.backups.1.modified']).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(Object.entries(r).filter(([key]) => /^mlmd\.backups\.[123]\.format$/.test(key)).map(([, value]) => value).sort()).toEqual(['sql-dump', 'sql-dump-gz', 'sqlite']);
  expect(r['mlpipeline.objects']).toBe('0');
  expect(r['databases.note']).toMatch(/set juju-credentials/);
  expect(r.summary).toContain('MLMD backups (restore-mlmd backup=<name>), newest first: 4');
  expect(r.summary).toMatch(new RegExp(`${world.backups.dumpGz.replace(/\./g, '\\.')}\\s+2024-05-01T10:30:00Z\\s+\\d+d \\d+h\\s+\\d{4}-`));
});

test('dry-run: fetched, built and verified; the cluster is untouched', async () => {
  const before = world.liveBytes();
  const requests = world.kube.state.requests.length;
  const result = await unit().action('restore-mlmd', { backup: world.backups.dumpGz, 'dry-run': true });
  expect(result.state.failure).toBeNull();
  expect(result.state.results).toMatchObject({
    'dry-run': 'true',
    format: 'sql-dump-gz',
    'schema-version': '10',
    'counts.artifacts': '1500',
    'phases.build.status': 'done',
    'fingerprint.backup': referenceFingerprint(readReference(world.backupSourceDb)),
    'fingerprint.live-before': referenceFingerprint(readReference(world.dbPath)),
    'comparison.verdict': 'will be replaced',
    'comparison.backup.artifacts': '1500',
    'comparison.live.artifacts': '300',
    'comparison.live-newer-than-backup.total': '0',
  });
  // The packed charm reads the dump on its second thread (dist/contentWorker.mjs).
  expect(result.state.actionLogs).toContainEqual(expect.stringMatching(/Ran \d+ SQL statements \(the dump read on a second thread\)/));
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(world.kube.state.requests.slice(requests).filter((request) => request.method !== 'GET')).toEqual([]);
});

test('restore: the backup is live, the old database is kept, the writer is back; a rerun changes nothing', async () => {
  const result = await unit().action('restore-mlmd', { backup: world.backups.dumpGz });
  expect(result.state.failure).toBeNull();
  const r = result.state.results;
  expect([result.exitCode, r.outcome]).toEqual([0, 'ok']);
  expect(databaseContents(world.dbPath)).toEqual(databaseContents(world.backupSourceDb));
  expect(r.sha256).toBe(sha(world.liveBytes()));
  // The live database's fingerprint, computed independently from the sqlite3 CLI's reading, is the backup's.
  const live = referenceFingerprint(readReference(world.dbPath));
  expect(r['fingerprint.backup']).toBe(live);
  expect(r['fingerprint.live-after']).toBe(live);
  expect(r['snapshot.fingerprint']).toBe(r['fingerprint.live-before']);
  expect(r['snapshot.key']).toMatch(/^cluster-a\/ckf-restore\/pre-restore\/mlmd-.*\.db$/);
  expect(r['already-restored']).toBe('false');
  for (const phase of ['preflight', 'fetch', 'build', 'compare', 'quiesce', 'snapshot', 'transfer', 'swap', 'restart', 'resume']) expect(r[`phases.${phase}.status`]).toBe('done');
  expect(result.state.actionLogs[0]).toMatch(/^\[1\/12\] preflight: /);
  expect(world.writer()).toEqual({ replicas: 1, annotations: {} });

  const again = await unit().action('restore-mlmd', { backup: world.backups.dumpGz });
  expect(again.state.results['already-restored']).toBe('true');
});

test.each([
  [{ backup: '../../etc/passwd' }, /^parameter backup must not contain "\.\." segments/],
  [{ backup: '/etc/passwd' }, /^parameter backup must be relative/],
  [{ backup: 'x.db', format: 'zip' }, /^parameter format must be one of/],
  [{}, /^parameter backup is required/],
])('bad params %j: refused with exit status 1, nothing read or changed', async (params, message) => {
  const before = world.liveBytes();
  const requests = world.kube.state.requests.length;
  const result = await unit().action('restore-mlmd', params);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
  expect(result.state.failure).toMatch(message);
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(world.kube.state.requests.length).toBe(requests);
});

test('without the s3-credentials relation the action says what to integrate', async () => {
  const result = await unit({ withStore: false }).action('restore-mlmd', { backup: world.backups.raw });
  expect(result.state.failure).toBe('no s3-credentials relation. Run: juju integrate ckf-restore s3-integrator');
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
});

test('no planted key appears in any output', () => {
  expect(session.runs.length).toBeGreaterThan(6);
  const output = session.visibleOutput();
  expect(output).not.toContain(SECRET_KEY);
  expect(output).not.toContain(ACCESS_KEY);
});
