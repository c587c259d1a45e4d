/**
 * A small CKF for restore-mlmd: a backup store (s3rver) holding MLMD backups made the way the runbook
 * makes them, and a fake Kubernetes API whose `mlmd-0` pod execs real commands on this host, with the
 * "container's" database at <root>/data/mlmd.db. `shims` is a directory first on the container's PATH,
 * where a test can put a `df` or `sha256sum` that misbehaves like a broken container would.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../../src/storage/client';
import { startFakeKube, type FakeKube } from '../fakes/kube/server';
import { createMlmdDatabase, dumpWithSqlite3 } from './mlmdFixtures';
import { startS3Server, type S3TestServer } from './s3server';

export const BUCKET = 'ckf-backups';
export const STORE_PATH = 'cluster-a';
export const WRITER = 'kfp-metadata-writer';

export interface MlmdWorld {
  root: string;
  dbPath: string;
  shims: string;
  store: S3TestServer;
  client: S3Client;
  kube: FakeKube;
  /** Backups in the store, by name under STORE_PATH. */
  backups: { dumpGz: string; dump: string; raw: string };
  /** The bytes of the backup source database (what a restore should produce for `raw`). */
  backupSourceDb: string;
  putBackup(name: string, body: Buffer | string): Promise<void>;
  liveBytes(): Buffer;
  /** Puts the initial live database (not the backup's content) back, so a restore is a real change. */
  resetLive(): void;
  writer(): { replicas: number | undefined; annotations: Record<string, string> };
  shim(name: string, script: string): void;
  close(): Promise<void>;
}

export async function startMlmdWorld(options: { readyDelayMs?: number; writerReplicas?: number; accessKey?: string; secretKey?: string } = {}): Promise<MlmdWorld> {
  const root = mkdtempSync(join(tmpdir(), 'mlmd-world-'));
  const shims = join(root, 'shims');
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(shims);
  const dbPath = join(root, 'data', 'mlmd.db');

  // The live database and the backup differ, so a restore is visible.
  const initialLive = join(root, 'initial-live.db');
  createMlmdDatabase(initialLive, { artifacts: 300, executions: 120, contexts: 20 }, { seed: 7 });
  copyFileSync(initialLive, dbPath);
  const backupSourceDb = join(root, 'backup-source.db');
  createMlmdDatabase(backupSourceDb, { artifacts: 1500, executions: 600, contexts: 60 }, { seed: 42 });
  const dumpGz = join(root, 'backup.dump.gz');
  const dump = join(root, 'backup.sql');
  await dumpWithSqlite3(backupSourceDb, dumpGz, { gzip: true });
  await dumpWithSqlite3(backupSourceDb, dump, { gzip: false });

  const store = await startS3Server({ accessKey: options.accessKey, secretKey: options.secretKey });
  const client = createS3Client(store.s3Endpoint);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const putBackup = async (name: string, body: Buffer | string) => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${STORE_PATH}/${name}`, Body: body }));
  };
  const backups = { dumpGz: 'mlmd-2024-05-01-10-30.dump.gz', dump: 'mlmd-2024-05-01-10-31.sql', raw: 'mlmd-2024-05-01-10-32.db' };
  await putBackup(backups.dumpGz, readFileSync(dumpGz));
  await putBackup(backups.dump, readFileSync(dump));
  await putBackup(backups.raw, readFileSync(backupSourceDb));

  const kube = await startFakeKube({
    namespace: 'kubeflow',
    timing: { podDeleteDelayMs: 20, podCreateDelayMs: 20, podReadyDelayMs: options.readyDelayMs ?? 50 },
    exec: { env: { PATH: `${shims}:/usr/local/bin:/usr/bin:/bin` } },
  });
  kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['charm', 'mlmd-grpc-server'] });
  kube.state.addStatefulSet({ name: WRITER, replicas: options.writerReplicas ?? 1, containers: ['charm', 'kfp-metadata-writer'] });

  return {
    root,
    dbPath,
    shims,
    store,
    client,
    kube,
    backups,
    backupSourceDb,
    putBackup,
    liveBytes: () => readFileSync(dbPath),
    resetLive: () => {
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${dbPath}${suffix}`, { force: true });
      copyFileSync(initialLive, dbPath);
    },
    writer: () => {
      const sts = kube.state.getStatefulSet(WRITER);
      return { replicas: sts?.spec.replicas, annotations: { ...(sts?.metadata.annotations ?? {}) } };
    },
    shim: (name, script) => {
      writeFileSync(join(shims, name), `#!/bin/sh\n${script}\n`);
      chmodSync(join(shims, name), 0o755);
    },
    async close() {
      client.destroy();
      await kube.close();
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
