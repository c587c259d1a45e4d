/**
 * The MLMD restore engine against a real S3 server, the fake Kubernetes API (real commands in the
 * "container") and real SQLite: the happy paths, idempotence, and every bad input or failure ending in a
 * clear error with the live database byte-identical and the writer back at its replicas.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client';
import { Kube } from '../../../src/kube/kube';
import { MlmdRestoreFailedError, restoreMlmd, type MlmdRestoreRequest } from '../../../src/restore/mlmd/restoreMlmd';
import { createS3Client } from '../../../src/storage/client';
import { databaseContents } from '../../helpers/mlmdFixtures';
import { BUCKET, startMlmdWorld, STORE_PATH, WRITER, type MlmdWorld } from '../../helpers/mlmdWorld';

let world: MlmdWorld;
const tempRoot = mkdtempSync(join(tmpdir(), 'mlmd-engine-'));
const lines: string[] = [];

beforeAll(async () => {
  world = await startMlmdWorld();
});
afterAll(async () => {
  await world.close();
  rmSync(tempRoot, { recursive: true, force: true });
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface RunOverrides {
  endpoint?: string;
  readyMs?: number;
}

function run(request: Partial<MlmdRestoreRequest> & { backup: string }, overrides: RunOverrides = {}) {
  const client = createS3Client({ ...world.store.s3Endpoint, ...(overrides.endpoint ? { endpoint: overrides.endpoint } : {}) }, { maxAttempts: 1 });
  const kube = new Kube(createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: world.kube.kubeconfigPath } })));
  lines.length = 0;
  return restoreMlmd(
    { backupKey: `${STORE_PATH}/${request.backup}`, format: request.format ?? 'auto', dryRun: request.dryRun ?? false, force: request.force ?? false },
    {
      store: { client, bucket: BUCKET, where: 'backup store', snapshotPrefix: `${STORE_PATH}/ckf-restore/pre-restore/` },
      kube,
      mlmdApp: 'mlmd',
      dbPath: world.dbPath,
      writerApp: WRITER,
      tempRoot,
      timeouts: { quiesceMs: 5000, readyMs: overrides.readyMs ?? 5000, execMs: 30_000 },
      log: (line) => lines.push(line),
    },
  ).finally(() => client.destroy());
}

async function expectRefused(request: Parameters<typeof run>[0], message: RegExp, overrides: RunOverrides = {}): Promise<MlmdRestoreFailedError> {
  const before = world.liveBytes();
  const error = await run(request, overrides).then(
    () => {
      throw new Error('expected the restore to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MlmdRestoreFailedError);
  expect((error as Error).message).toMatch(message);
  expect(sha(world.liveBytes())).toBe(sha(before));
  expect(world.writer()).toEqual({ replicas: 1, annotations: {} });
  expect(existsSync(`${world.dbPath}.restoring`)).toBe(false);
  expect(readdirTemp()).toEqual([]);
  return error as MlmdRestoreFailedError;
}

function readdirTemp(): string[] {
  return require('node:fs').readdirSync(tempRoot) as string[];
}

describe('happy paths', () => {
  test('dry-run builds and verifies, changes nothing in the cluster', async () => {
    const before = world.liveBytes();
    const result = await run({ backup: world.backups.dumpGz, dryRun: true });
    expect(result).toMatchObject({ dryRun: true, format: 'sql-dump-gz', schemaVersion: 10, counts: { artifacts: 1500, executions: 600, contexts: 60 } });
    expect(Object.keys(result.phases)).toEqual(['preflight', 'fetch', 'build', 'compare', 'rollback', 'resume', 'tidy']);
    expect(sha(world.liveBytes())).toBe(sha(before));
    expect(world.kube.state.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  test('a gzipped SQL dump (the runbook sqlite3 backup) is restored: old database kept, writer back, MLMD restarted', async () => {
    const before = world.liveBytes();
    const mlmdUid = world.kube.state.getPod('mlmd-0')?.metadata.uid;
    const result = await run({ backup: world.backups.dumpGz });
    expect(databaseContents(world.dbPath)).toEqual(databaseContents(world.backupSourceDb));
    expect(result.alreadyRestored).toBe(false);
    expect(sha(world.liveBytes())).toBe(result.sha256);
    expect(sha(readFileSync(`${world.dbPath}.pre-restore`))).toBe(sha(before));
    const snapshot = result.snapshot as { key: string; bytes: number; schemaVersion: number };
    expect(snapshot.key).toMatch(/^cluster-a\/ckf-restore\/pre-restore\/mlmd-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.db$/);
    expect(snapshot.schemaVersion).toBe(10);
    const stored = await world.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: snapshot.key }));
    expect(sha(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha(before));
    expect(world.writer()).toEqual({ replicas: 1, annotations: {} });
    expect(world.kube.state.getPod('mlmd-0')?.metadata.uid).not.toBe(mlmdUid);
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\/12\] preflight: /));
    expect(readdirTemp()).toEqual([]);
  });

  test('running the same restore again changes nothing', async () => {
    const before = world.liveBytes();
    const requests = world.kube.state.requests.length;
    const result = await run({ backup: world.backups.dumpGz });
    expect(result.alreadyRestored).toBe(true);
    expect(sha(world.liveBytes())).toBe(sha(before));
    expect(world.kube.state.requests.slice(requests).filter((request) => request.method === 'PATCH' || request.method === 'DELETE')).toEqual([]);
  });

  test('the raw-file backup (the runbook kubectl backup) and a plain SQL dump restore too', async () => {
    world.resetLive();
    const raw = await run({ backup: world.backups.raw });
    expect(raw.format).toBe('sqlite');
    expect(sha(world.liveBytes())).toBe(sha(readFileSync(world.backupSourceDb)));
    world.resetLive();
    const dump = await run({ backup: world.backups.dump, format: 'sql-dump' });
    expect(dump.format).toBe('sql-dump');
    expect(databaseContents(world.dbPath)).toEqual(databaseContents(world.backupSourceDb));
  });

  test('an API server without exec v5 (Kubernetes before 1.30) still takes the copy: it ends by length', async () => {
    world.kube.state.faults.onlyV4Exec = true;
    world.resetLive();
    try {
      const raw = await run({ backup: world.backups.raw });
      expect(raw.alreadyRestored).toBe(false);
      expect(sha(world.liveBytes())).toBe(sha(readFileSync(world.backupSourceDb)));
    } finally {
      world.kube.state.faults.onlyV4Exec = false;
    }
    await run({ backup: world.backups.dump, format: 'sql-dump' });
  });
});

describe('refused or failed, nothing lost', () => {
  // Each starts from a live database that differs from the backups, so every restore would be a real change.
  beforeEach(() => world.resetLive());
  const garbage = Buffer.from('this is not a database, not gzip and not SQL ;; \u0000\u0001');
  const corruptSqlite = (): Buffer => {
    const bytes = Buffer.from(readFileSync(world.backupSourceDb));
    bytes.fill(0xff, 4096, 4096 * 3);
    return bytes;
  };
  const notMlmd = (): Buffer => {
    const path = join(world.root, 'other.db');
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('hi');");
    db.close();
    return readFileSync(path);
  };

  test.each<[string, Buffer | string | (() => Buffer) | undefined, RegExp]>([
    ['missing key', undefined, /backup cluster-a\/nope\.dump\.gz not found in backup store\. Run list-backups/],
    ['empty file', Buffer.alloc(0), /is empty/],
    ['truncated gzip', () => gzipSync(Buffer.from('x'.repeat(100_000))).subarray(0, 200), /gzip|truncated/i],
    ['gzip of garbage', () => gzipSync(garbage), /not|unrecogni|SQL/i],
    ['corrupt SQLite', corruptSqlite, /corrupt|malformed|not a database/i],
    ['valid SQLite that is not MLMD', notMlmd, /MLMD/],
    ['SQL with a syntax error', 'CREATE TABLE ok(x);\nINSERT INTO ok VALUES (1;\n', /syntax|statement/i],
  ])('%s', async (name, body, message) => {
    const key = name === 'missing key' ? 'nope.dump.gz' : `bad-${name.replace(/\W+/g, '-')}.dump`;
    if (body !== undefined) await world.putBackup(key, typeof body === 'function' ? body() : body);
    await expectRefused({ backup: key }, message);
  });

  test('format mismatch (said sqlite, is gzip)', async () => {
    await expectRefused({ backup: world.backups.dumpGz, format: 'sqlite' }, /sqlite|gzip|format/i);
  });

  test('backup store unreachable', async () => {
    await expectRefused({ backup: world.backups.raw }, /cannot connect \(ECONNREFUSED\)/, { endpoint: 'http://127.0.0.1:1' });
  });

  test('exec dropped mid-transfer', async () => {
    world.kube.state.faults.dropExecAfterStdinBytes = 64 * 1024;
    try {
      await expectRefused({ backup: world.backups.raw }, /transfer failed/);
    } finally {
      world.kube.state.faults.dropExecAfterStdinBytes = undefined;
    }
  });

  test('hash mismatch after the transfer: nothing swapped', async () => {
    world.shim('sha256sum', 'case "$1" in *.restoring) echo "0000000000000000000000000000000000000000000000000000000000000000  $1";; *) exec /usr/bin/sha256sum "$@";; esac');
    try {
      await expectRefused({ backup: world.backups.raw }, /has sha256 0{64}, expected/);
    } finally {
      rmSync(join(world.shims, 'sha256sum'));
    }
  });

  test('volume too small', async () => {
    world.shim('df', 'printf "Filesystem 1024-blocks Used Available Capacity Mounted on\\n/dev/x 1000 990 10 99%% /data\\n"');
    try {
      await expectRefused({ backup: world.backups.raw }, /MLMD volume \(\/data\) has 10240 bytes free/);
    } finally {
      rmSync(join(world.shims, 'df'));
    }
  });

  test('MLMD not Ready in time after the swap: rolled back', async () => {
    world.kube.state.faults.neverReady.add('mlmd-0');
    try {
      const error = await expectRefused({ backup: world.backups.raw }, /restart failed: .*the previous database was put back/, { readyMs: 400 });
      expect(error.result.rolledBack).toBe(true);
    } finally {
      world.kube.state.faults.neverReady.delete('mlmd-0');
    }
  });

  test('a backup with a newer schema than the running MLMD is refused (after the snapshot)', async () => {
    const live = new DatabaseSync(world.dbPath);
    live.exec('UPDATE MLMDEnv SET schema_version = 9');
    live.close();
    await expectRefused({ backup: world.backups.dumpGz }, /newer than the live 9.*force=true/);
  });

  test('running pipelines refuse the restore, naming them', async () => {
    world.kube.state.addCustomResource(
      { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' },
      { metadata: { name: 'train-abc', namespace: 'alice', labels: {} } },
    );
    await expectRefused({ backup: world.backups.raw }, /1 pipeline run\(s\)\/experiment\(s\) are running: workflow alice\/train-abc.*force=true/);
  });

  test('MLMD pod missing', async () => {
    world.kube.state.removePod('mlmd-0');
    await expectRefused({ backup: world.backups.raw }, /mlmd-0/);
  });
});
