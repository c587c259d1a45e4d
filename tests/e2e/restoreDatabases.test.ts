/** restore-databases through the packed charm, against the fake Juju controller (TLS, JSON-RPC). */
import { createTestPki, type TestPki } from '../fakes/jujuController/pki';
import { defaultApplications, startFakeJujuController, type FakeJujuController } from '../fakes/jujuController/server';
import { e2eSession } from '../helpers/e2eCharm';

const KFP_ID = '2024-05-03T10:25:00Z';
const KATIB_ID = '2024-05-01T10:26:00Z';
const SECRET_URI = 'secret:cu2ol1vmp25c7b3ra8rg';

const session = e2eSession();
let pki: TestPki;
let fake: FakeJujuController;
let running: FakeJujuController | undefined;

beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startController(units: Record<string, number> = {}): Promise<void> {
  const applications = defaultApplications().map((app) => ({ ...app, units: units[app.name] ?? app.units }));
  fake = await startFakeJujuController({ pki, applications, timing: { settleMs: 30, actionStepMs: 5 } });
  running = fake;
}

function unit(options: { password?: string; grant?: boolean; config?: Record<string, unknown> } = {}) {
  const secrets: Record<string, Record<string, string>> = options.grant === false ? {} : { [SECRET_URI]: { username: fake.credentials.username, password: options.password ?? fake.credentials.password, 'ca-cert': fake.caCertPem } };
  return session.unit(
    { config: { 'juju-credentials': SECRET_URI, ...options.config }, secrets },
    { JUJU_API_ADDRESSES: fake.addresses.join(' '), JUJU_MODEL_UUID: fake.modelUuid },
  );
}

const changes = () => fake.calls.filter((call) => call.method === 'ScaleApplications' || (call.method === 'EnqueueOperation' && JSON.stringify(call.params).includes('"restore"')));

test('restores both databases (3 → 1 → 3 for kfp-db), relays mysql-k8s logs, says what to do next', async () => {
  await startController({ 'kfp-db': 3 });
  const result = await unit().action('restore-databases', { 'kfp-db-backup-id': KFP_ID, 'katib-db-backup-id': KATIB_ID });
  expect(result.exitCode).toBe(0);
  expect(result.state.failure).toBeNull();
  const r = result.state.results;
  expect(r.outcome).toBe('ok');
  expect([r['databases.kfp-db.outcome'], r['databases.kfp-db.units-before'], r['databases.kfp-db.units-after'], r['databases.kfp-db.backup-id']]).toEqual(['restored', '3', '3', KFP_ID]);
  expect([r['databases.katib-db.outcome'], r['databases.katib-db.backup-id']]).toEqual(['restored', KATIB_ID]);
  expect(r['databases.kfp-db.follow-up']).toContain('Move restored cluster to another S3 repository');
  expect(result.state.actionLogs).toContain(`[kfp-db] Restoring backup ${KFP_ID}`);
  expect(fake.apps.get('kfp-db')?.units.size).toBe(3);
  expect(fake.calls.filter((call) => call.method === 'ScaleApplications').length).toBe(2);
});

test('dry-run checks access, relations and ids and changes nothing', async () => {
  await startController({ 'kfp-db': 2 });
  const result = await unit().action('restore-databases', { 'backup-id': KFP_ID, databases: 'kfp-db', 'dry-run': true });
  expect(result.state.failure).toBeNull();
  expect(result.state.results['databases.kfp-db.outcome']).toBe('checked');
  expect(changes()).toEqual([]);
});

test('no backup id: fails listing the newest finished ids, changes nothing', async () => {
  await startController();
  const result = await unit().action('restore-databases', {});
  expect(result.state.failure).toMatch(/kfp-db: .*2024-05-03T10:25:00Z/);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
  expect(changes()).toEqual([]);
});

test.each([
  [{ databases: 'kfp-db,mlmd' }, /^parameter databases must list kfp-db and\/or katib-db/],
  [{ 'backup-id': 'x y' }, /^parameter backup-id is not a backup id/],
  [{ 'backup-id': KFP_ID, 'restore-to-time': 'yesterday' }, /^parameter restore-to-time must be/],
  [{ 'backup-id': KFP_ID, force: true }, /^unknown parameter force/],
])('bad params %j: clear action-fail, refused with exit status 1, nothing changed', async (params, message) => {
  await startController();
  const result = await unit().action('restore-databases', params);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
  expect(result.stderr).toContain(`ckf-restore: restore-databases refused: ${result.state.failure}`);
  expect(result.state.failure).toMatch(message);
  expect(fake.calls).toEqual([]);
});

test.each([
  ['config not set', { config: { 'juju-credentials': '' } }, /^juju-credentials is not set.*README/, 'refused'],
  ['secret not granted', { grant: false }, /^cannot read the juju-credentials secret: .*not found\. Grant it to the charm: juju grant-secret cu2ol1vmp25c7b3ra8rg ckf-restore/, 'refused'],
  // The login was tried and did not work: a failure (the controller may also be the one at fault).
  ['wrong password', { password: 'wrong-password-123' }, /juju change-user-password/, 'failed'],
])('access error (%s) says how to fix it', async (_name, options, message, outcome) => {
  await startController();
  const result = await unit(options).action('restore-databases', { 'backup-id': KFP_ID });
  expect(result.state.failure).toMatch(message);
  expect([result.exitCode, result.state.results.outcome]).toEqual([1, outcome]);
  expect(changes()).toEqual([]);
});

test('list-backups shows each database\'s backups (and says why the store part is missing)', async () => {
  await startController();
  const result = await unit().action('list-backups');
  expect(result.state.failure).toBeNull();
  const r = result.state.results;
  expect(r['databases.kfp-db.app']).toBe('kfp-db');
  expect(Object.entries(r).filter(([key, value]) => /^databases\.kfp-db\.backups\.\d+\.id$/.test(key) && value === KFP_ID)).toHaveLength(1);
  expect(r['store.note']).toBe('could not list it: no s3-credentials relation. Run: juju integrate ckf-restore s3-integrator');
  expect(r.summary).toContain(`kfp-db (kfp-db) backups (restore-databases kfp-db-backup-id=<id>):`);
});

test('no password, CA key or secret value appears in any output', () => {
  expect(session.runs.length).toBeGreaterThan(5);
  const output = session.visibleOutput();
  for (const secret of ['s3cr3t-pa55', 'wrong-password-123']) expect(output).not.toContain(secret);
});
