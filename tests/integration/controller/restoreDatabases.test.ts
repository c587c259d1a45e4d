import { DatabaseRestoreFailedError } from '../../../src/restore/databases/errors';
import { listDatabaseBackups } from '../../../src/restore/databases/listDatabaseBackups';
import { DatabasePreflightError, restoreDatabases } from '../../../src/restore/databases/restoreDatabases';
import type { ControllerAccess, RestoreDatabasesParams } from '../../../src/restore/databases/types';
import { ControllerAuthenticationError } from '../../../src/juju/controller/errors';
import { createTestPki, type TestPki } from '../../fakes/jujuController/pki';
import { defaultApplications, startFakeJujuController, type FakeJujuController } from '../../fakes/jujuController/server';
import type { FakeMysqlAppSpec } from '../../fakes/jujuController/types';

const KFP_ID = '2024-05-03T10:25:00Z';
const KATIB_ID = '2024-05-01T10:26:00Z';
const timeouts = { settleMs: 2000, actionMs: 3000, pollMinMs: 2, pollMaxMs: 20 };

let pki: TestPki;
let fake: FakeJujuController;
let lines: string[];

beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  await fake.close();
});

async function start(applications: FakeMysqlAppSpec[] = defaultApplications()): Promise<void> {
  fake = await startFakeJujuController({ pki, applications, timing: { settleMs: 15, actionStepMs: 3 } });
  lines = [];
}

const access = (): ControllerAccess => ({
  credentials: { ...fake.credentials, caCert: fake.caCertPem },
  endpoint: { addresses: fake.addresses, modelUuid: fake.modelUuid, clientVersion: '3.6.4' },
  connect: { connectTimeoutMs: 2000, callTimeoutMs: 2000 },
});
const params = (over: Partial<RestoreDatabasesParams> = {}): RestoreDatabasesParams => ({
  databases: ['kfp-db', 'katib-db'], backupIds: { 'kfp-db': KFP_ID, 'katib-db': KATIB_ID }, dryRun: false, ...over,
});
const run = (p: RestoreDatabasesParams = params()) => restoreDatabases(access(), p, { log: (l) => lines.push(l), timeouts });
const changes = () => fake.calls.filter((c) => c.method === 'ScaleApplications' || (c.method === 'EnqueueOperation' && JSON.stringify(c.params).includes('"restore"')));
const withUnits = (units: Record<string, number>) => defaultApplications().map((a) => ({ ...a, units: units[a.name] ?? a.units }));

test('happy path: both databases restored in parallel, follow-up reported, logs relayed', async () => {
  await start();
  const results = await run();
  expect(results.map((r) => [r.database, r.outcome, r.backupId, r.unitsBefore, r.unitsAfter])).toEqual([
    ['kfp-db', 'restored', KFP_ID, 1, 1],
    ['katib-db', 'restored', KATIB_ID, 1, 1],
  ]);
  expect(results[0]!.followUp).toContain('Move restored cluster to another S3 repository');
  expect(results[0]!.followUp).toContain('juju config kfp-db-s3 path=<new-path>');
  expect(results[1]!.followUp).toContain('katib-db-s3');
  expect(results[0]!.operationId).toMatch(/^\d+$/);
  expect(lines).toContain(`[kfp-db] Restoring backup ${KFP_ID}`);
  expect(lines).toContain(`[katib-db] Restoring backup ${KATIB_ID}`);
  expect(fake.apps.get('kfp-db')!.applicationStatus()).toEqual({ status: 'blocked', info: 'Move restored cluster to another S3 repository' });
  const restores = fake.calls.filter((c) => c.method === 'EnqueueOperation' && JSON.stringify(c.params).includes('"restore"'));
  expect(restores.map((c) => c.params)).toEqual(expect.arrayContaining([
    { actions: [{ receiver: 'unit-kfp-db-0', name: 'restore', parameters: { 'backup-id': KFP_ID } }] },
  ]));
  // The engine logs out: the fake sees the socket close shortly after.
  for (let i = 0; i < 100 && fake.connectionCount() > 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(fake.connectionCount()).toBe(0);
});

test('restore-to-time is passed through', async () => {
  await start();
  const results = await run(params({ databases: ['kfp-db'], restoreToTime: '2024-05-03 11:00:00' }));
  expect(results[0]!.restoreToTime).toBe('2024-05-03 11:00:00');
  expect(JSON.stringify(fake.calls)).toContain('"restore-to-time":"2024-05-03 11:00:00"');
});

test('N = 3: scales to 1, restores on the remaining leader, scales back to 3', async () => {
  await start(withUnits({ 'kfp-db': 3 }));
  fake.apps.get('kfp-db')!.leader = 2;
  const results = await run(params({ databases: ['kfp-db'] }));
  expect(results[0]).toMatchObject({ outcome: 'restored', unitsBefore: 3, unitsAfter: 3 });
  const scales = fake.calls.filter((c) => c.method === 'ScaleApplications').map((c) => (c.params as any).applications[0].scale);
  expect(scales).toEqual([1, 3]);
  const restore = fake.calls.find((c) => c.method === 'EnqueueOperation' && JSON.stringify(c.params).includes('"restore"'))!;
  expect((restore.params as any).actions[0].receiver).toBe('unit-kfp-db-0');
  expect(fake.apps.get('kfp-db')!.units.size).toBe(3);
  expect(lines).toEqual(expect.arrayContaining(['[kfp-db] scaling kfp-db from 3 units to 1 (mysql-k8s restores only a single-unit cluster)', '[kfp-db] kfp-db is back to 3 units']));
});

test('missing id: fails before any change, listing the newest finished ids', async () => {
  await start();
  const error = await run(params({ backupIds: { 'kfp-db': KFP_ID } })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabasePreflightError);
  expect((error as Error).message).toBe('katib-db: no backup id given for katib-db');
  expect((error as DatabasePreflightError).hint).toBe(`katib-db: newest finished backups of katib-db: ${KATIB_ID}`);
  expect(changes()).toEqual([]);
});

test('unknown or unfinished id: fails before any change, with the newest finished ids, newest first', async () => {
  await start();
  const error = await run(params({ backupIds: { 'kfp-db': '2024-05-02T10:25:00Z', 'katib-db': 'nope' } })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabasePreflightError);
  expect((error as Error).message).toContain('kfp-db: backup 2024-05-02T10:25:00Z of kfp-db is failed, not finished');
  expect((error as Error).message).toContain("katib-db: backup nope is not in katib-db's backups");
  expect((error as DatabasePreflightError).hint).toContain('newest finished backups of kfp-db: 2024-05-03T10:25:00Z, 2024-05-01T10:25:00Z');
  expect(changes()).toEqual([]);
});

test('only the five newest finished ids are listed', async () => {
  const many = Array.from({ length: 8 }, (_, i) => ({ id: `2024-06-0${i + 1}T00:00:00Z`, status: 'finished' as const }));
  await start([{ name: 'kfp-db', units: 1, s3Integrator: 's3', backups: many }]);
  const error = await run(params({ databases: ['kfp-db'], backupIds: {} })).catch((e: unknown) => e);
  expect((error as DatabasePreflightError).hint).toBe('kfp-db: newest finished backups of kfp-db: 2024-06-08T00:00:00Z, 2024-06-07T00:00:00Z, 2024-06-06T00:00:00Z, 2024-06-05T00:00:00Z, 2024-06-04T00:00:00Z');
});

test('no s3-parameters relation: says to integrate, changes nothing', async () => {
  await start(defaultApplications().map((a) => (a.name === 'katib-db' ? { ...a, s3Integrator: null } : a)));
  const error = await run().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabasePreflightError);
  expect((error as Error).message).toBe('katib-db: katib-db has no s3-parameters relation');
  expect((error as DatabasePreflightError).hint).toContain('juju integrate katib-db <s3-integrator-app>');
  expect(changes()).toEqual([]);
});

test('missing app and configurable app names', async () => {
  await start();
  const error = await run(params({ appNames: { 'kfp-db': 'kfp-mysql' } })).catch((e: unknown) => e);
  expect((error as Error).message).toBe('kfp-db: application kfp-mysql is not in the model');
});

test('one restore fails: the other is reported, both scaled back, typed error carries all results', async () => {
  await start(withUnits({ 'kfp-db': 2, 'katib-db': 3 }));
  fake.faults.failRestore.add('katib-db');
  const error = await run().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseRestoreFailedError);
  const failure = error as DatabaseRestoreFailedError;
  expect(failure.failed).toEqual(['katib-db']);
  expect(failure.message).toContain(`katib-db: restore failed: Failed to restore backup ${KATIB_ID}`);
  expect(failure.results.map((r) => [r.database, r.outcome, r.unitsBefore, r.unitsAfter])).toEqual([
    ['kfp-db', 'restored', 2, 2],
    ['katib-db', 'failed', 3, 3],
  ]);
  expect(fake.apps.get('katib-db')!.units.size).toBe(3);
  expect(fake.apps.get('kfp-db')!.units.size).toBe(2);
  expect(lines.some((l) => l.startsWith('[katib-db] failed: restore failed'))).toBe(true);
});

test('scaling down never settles: no restore, still scaled back, failure reported within the bound', async () => {
  await start(withUnits({ 'kfp-db': 3 }));
  fake.faults.neverSettle.add('kfp-db');
  const error = await restoreDatabases(access(), params({ databases: ['kfp-db'] }), { log: (l) => lines.push(l), timeouts: { ...timeouts, settleMs: 150 } })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseRestoreFailedError);
  const [result] = (error as DatabaseRestoreFailedError).results;
  expect(result!.message).toContain('kfp-db did not reach one active unit within 150 ms');
  // Nothing moved, so scaling back to 3 is asked for and is settled at once.
  expect(result).toMatchObject({ outcome: 'failed', unitsBefore: 3, unitsAfter: 3 });
  expect(lines).toContain('[kfp-db] kfp-db is back to 3 units');
  const scales = fake.calls.filter((c) => c.method === 'ScaleApplications').map((c) => (c.params as any).applications[0].scale);
  expect(scales).toEqual([1, 3]);
  expect(fake.calls.some((c) => JSON.stringify(c.params).includes('"restore"'))).toBe(false);
});

test('dry run: checks everything and changes nothing', async () => {
  await start(withUnits({ 'kfp-db': 3 }));
  const results = await run(params({ dryRun: true }));
  expect(results.map((r) => [r.database, r.outcome, r.unitsBefore, r.unitsAfter])).toEqual([
    ['kfp-db', 'checked', 3, 3], ['katib-db', 'checked', 1, 1],
  ]);
  expect(results[0]!.message).toBe(`dry run: would scale kfp-db 3 → 1, restore ${KFP_ID}, scale back to 3`);
  expect(changes()).toEqual([]);
  expect(fake.calls.filter((c) => c.method === 'EnqueueOperation').map((c) => (c.params as any).actions[0].name)).toEqual(['list-backups', 'list-backups']);
});

test('access errors surface from the engine unchanged', async () => {
  await start();
  const bad = { ...access(), credentials: { ...access().credentials, password: 'nope-nope' } };
  await expect(restoreDatabases(bad, params(), { log: (l) => lines.push(l), timeouts })).rejects.toBeInstanceOf(ControllerAuthenticationError);
  expect(lines.join('\n')).not.toContain(fake.credentials.password);
});

test('listDatabaseBackups: each database\'s backups', async () => {
  await start();
  const lists = await listDatabaseBackups(access(), { databases: ['kfp-db', 'katib-db'] }, { log: (l) => lines.push(l), timeouts });
  expect(lists).toEqual([
    { database: 'kfp-db', app: 'kfp-db', backups: [
      { id: '2024-05-01T10:25:00Z', type: 'physical', status: 'finished' },
      { id: '2024-05-02T10:25:00Z', type: 'physical', status: 'failed' },
      { id: '2024-05-03T10:25:00Z', type: 'physical', status: 'finished' },
    ] },
    { database: 'katib-db', app: 'katib-db', backups: [
      { id: '2024-05-01T10:26:00Z', type: 'physical', status: 'finished' },
      { id: '2024-05-03T10:26:00Z', type: 'physical', status: 'in progress' },
    ] },
  ]);
});
