/*
 * restore-mlmd's content guarantees end to end in the engine (real S3, the fake Kubernetes API running the
 * container's commands here, real SQLite): fingerprints of the backup and of the live database before and
 * after, checked by an independent implementation over the sqlite3 CLI; what a restore would discard; a
 * backup whose built content differs from its dump refused with the cluster untouched.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client';
import { Kube } from '../../../src/kube/kube';
import { MlmdRestoreFailedError, restoreMlmd, type MlmdRestoreRequest } from '../../../src/restore/mlmd/restoreMlmd';
import { createS3Client } from '../../../src/storage/client';
import { SQLITE3 } from '../../helpers/mlmdFixtures';
import { BUCKET, startMlmdWorld, STORE_PATH, WRITER, type MlmdWorld } from '../../helpers/mlmdWorld';
import { readReference, referenceFingerprint } from '../../helpers/sqliteReference';

let world: MlmdWorld;
const tempRoot = mkdtempSync(join(tmpdir(), 'mlmd-content-'));

beforeAll(async () => {
  world = await startMlmdWorld();
});
afterAll(async () => {
  await world.close();
  rmSync(tempRoot, { recursive: true, force: true });
});
beforeEach(() => world.resetLive());

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const fingerprintOf = (path: string): string => referenceFingerprint(readReference(path));
const sqlite3 = (db: string, sql: string): string => execFileSync(SQLITE3, ['-readonly', db, sql], { encoding: 'utf8' }).trim();

function run(request: Partial<MlmdRestoreRequest> & { backup: string }) {
  const client = createS3Client(world.store.s3Endpoint, { maxAttempts: 1 });
  const kube = new Kube(createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: world.kube.kubeconfigPath } })));
  return restoreMlmd(
    { backupKey: `${STORE_PATH}/${request.backup}`, format: request.format ?? 'auto', dryRun: request.dryRun ?? false, force: request.force ?? false },
    {
      store: { client, bucket: BUCKET, where: 'backup store', snapshotPrefix: `${STORE_PATH}/ckf-restore/pre-restore/` },
      kube,
      mlmdApp: 'mlmd',
      dbPath: world.dbPath,
      writerApp: WRITER,
      tempRoot,
      timeouts: { quiesceMs: 5000, readyMs: 5000, execMs: 30_000 },
      log: () => undefined,
    },
  ).finally(() => client.destroy());
}

test('dry-run: the fingerprints, and what the restore would replace and discard, computed as sqlite3 sees the files', async () => {
  // Work done after the backup was taken: one artifact and one event newer than anything in the backup.
  const live = new DatabaseSync(world.dbPath);
  live.exec(`INSERT INTO Artifact(type_id, uri, name, create_time_since_epoch, last_update_time_since_epoch) VALUES (1, 'minio://mlpipeline/late', 'late', 1800000000000, 1800000000001);
             INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (1, 1, 4, 1800000000002);`);
  live.close();
  const before = world.liveBytes();
  const result = await run({ backup: world.backups.dumpGz, dryRun: true });
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(result.fingerprint).toEqual({ backup: fingerprintOf(world.backupSourceDb), liveBefore: fingerprintOf(world.dbPath) });
  expect(result.contentCheck).toMatch(/^every value of \d+ rows in 16 tables equals the dump's/);

  const count = (db: string, table: string) => Number(sqlite3(db, `SELECT count(*) FROM ${table}`));
  const newest = (db: string, column: string) =>
    new Date(Number(sqlite3(db, `SELECT max(m) FROM (SELECT max(${column}) AS m FROM Artifact UNION ALL SELECT max(${column}) FROM Execution UNION ALL SELECT max(${column}) FROM Context)`))).toISOString().replace('.000Z', 'Z');
  const activity = (db: string) => ({
    artifacts: count(db, 'Artifact'),
    executions: count(db, 'Execution'),
    contexts: count(db, 'Context'),
    events: count(db, 'Event'),
    newestCreated: newest(db, 'create_time_since_epoch'),
    newestUpdated: newest(db, 'last_update_time_since_epoch'),
  });
  expect(result.comparison).toEqual({
    verdict: 'will be replaced',
    backup: activity(world.backupSourceDb),
    live: activity(world.dbPath),
    liveNewerThanBackup: { artifacts: 1, executions: 0, contexts: 0, events: 1, total: 2 },
  });
  expect(result.comparison?.live?.newestUpdated).toBe(new Date(1800000000001).toISOString());
});

test('a restore: the live database after it has the backup\'s fingerprint; the snapshot records the old one', async () => {
  const oldFingerprint = fingerprintOf(world.dbPath);
  const result = await run({ backup: world.backups.dumpGz });
  const backupFingerprint = fingerprintOf(world.backupSourceDb);
  expect(result.fingerprint).toEqual({ backup: backupFingerprint, liveBefore: oldFingerprint, liveAfter: backupFingerprint });
  expect(fingerprintOf(world.dbPath)).toBe(backupFingerprint);
  expect(fingerprintOf(`${world.dbPath}.pre-restore`)).toBe(oldFingerprint);
  const snapshot = result.snapshot as { key: string; fingerprint: string };
  expect(snapshot.fingerprint).toBe(oldFingerprint);
  const head = await world.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: snapshot.key }));
  expect(head.Metadata).toEqual({ 'ckf-restore-fingerprint': oldFingerprint, 'ckf-restore-sha256': sha(readFileSync(`${world.dbPath}.pre-restore`)) });
  expect(result.comparison?.verdict).toBe('will be replaced');
});

test('the raw file of the same content as the live database changes nothing: content, not bytes, decides', async () => {
  await run({ backup: world.backups.dumpGz });
  const before = world.liveBytes();
  expect(sha(before)).not.toBe(sha(readFileSync(world.backupSourceDb))); // other bytes, same content
  const requests = world.kube.state.requests.length;
  const result = await run({ backup: world.backups.raw });
  expect(result.alreadyRestored).toBe(true);
  expect(result.comparison?.verdict).toBe('already restored');
  expect(result.fingerprint?.liveBefore).toBe(result.fingerprint?.backup);
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(world.kube.state.requests.slice(requests).filter((r) => r.method === 'PATCH' || r.method === 'DELETE')).toEqual([]);
});

test.each([
  ['an INTEGER', 'CREATE TRIGGER plant AFTER INSERT ON Artifact WHEN new.id = 7 BEGIN UPDATE Artifact SET state = 99 WHERE id = 7; END;', /Artifact, rowid 7, column state: the backup has INTEGER \d, the database INTEGER 99/],
  ['a REAL in its last bit', "CREATE TRIGGER plant2 AFTER INSERT ON ArtifactProperty WHEN new.artifact_id = 7 AND new.name = 'accuracy' BEGIN UPDATE ArtifactProperty SET double_value = CASE WHEN double_value > 0 THEN double_value * (1 + 2.220446049250313e-16) ELSE double_value * (1 - 1.1102230246251565e-16) END WHERE rowid = new.rowid; END;", /ArtifactProperty, rowid \d+, column double_value: the backup has REAL .* \(bits 0x[0-9a-f]{16}\), the database REAL .* \(bits 0x[0-9a-f]{16}\)/],
  ['a TEXT', "CREATE TRIGGER plant AFTER INSERT ON Artifact WHEN new.id = 7 BEGIN UPDATE Artifact SET uri = uri || '#' WHERE id = 7; END;", /Artifact, rowid 7, column uri: the backup has TEXT "minio:.*", the database TEXT "minio:.*#"/],
  ['a storage class', 'CREATE TRIGGER plant AFTER INSERT ON Artifact WHEN new.id = 7 BEGIN UPDATE Artifact SET state = CAST(state AS BLOB) WHERE id = 7; END;', /Artifact, rowid 7, column state: the backup has INTEGER 2, the database BLOB X'32' \(1 bytes\)/],
])('a backup whose built database differs from its dump in %s is refused before anything in the cluster changes', async (_what, trigger, message) => {
  const dump = readFileSync(join(world.root, 'backup.sql'), 'utf8');
  const table = trigger.includes('plant2') ? 'ArtifactProperty' : 'Artifact';
  const planted = dump.replace(new RegExp(`(CREATE TABLE \`${table}\`[^;]*;)`), `$1\n${trigger}`);
  expect(planted).not.toBe(dump);
  const name = `mlmd-2024-05-02-00-0${Math.floor(Math.random() * 10)}.dump.gz`;
  await world.putBackup(name, gzipSync(planted));
  const before = world.liveBytes();
  const requests = world.kube.state.requests.length;
  const error = await run({ backup: name }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MlmdRestoreFailedError);
  expect((error as Error).message).toMatch(/^build failed: the built database differs from the backup at /);
  expect((error as Error).message).toMatch(message);
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(world.writer()).toEqual({ replicas: 1, annotations: {} });
  expect(world.kube.state.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([]);
});
