/**
 * `npm run sandbox`: a whole restore, end to end, on this machine. It packs the charm, starts the local
 * stand-ins for what a CKF model has (two S3 servers — the backup store and MinIO —, a fake Kubernetes
 * API whose mlmd-0 "container" runs real commands, a fake Juju controller with kfp-db and katib-db),
 * seeds a realistic backup store, then runs the hooks and every action through the packed charm's
 * dispatch exactly as Juju would, printing what `juju status` and `juju run` would show. It cleans up
 * after itself. Run with: node --import ./scripts/registerTs.mjs --experimental-transform-types scripts/sandbox.ts
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../src/storage/client.ts';
import { installFakeHookTools } from '../tests/fakes/hookTools/install.ts';
import { readState } from '../tests/fakes/hookTools/state.ts';
import { createTestPki } from '../tests/fakes/jujuController/pki.ts';
import { startFakeJujuController } from '../tests/fakes/jujuController/server.ts';
import { type CharmEnv, runCharmAction, runHook } from '../tests/helpers/charmProcess.ts';
import { BUCKET, startMlmdWorld, STORE_PATH } from '../tests/helpers/mlmdWorld.ts';
import { fakeRelation, minioAppData, s3IntegratorAppData } from '../tests/helpers/relationData.ts';
import { startS3Server } from '../tests/helpers/s3server.ts';
import { unpackCharm } from '../tests/helpers/unpackCharm.ts';
import { formatJujuRun } from './sandbox/jujuRunOutput.ts';
import { packCharm } from './pack.ts';

const say = (text: string) => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n\x1b[1m== ${text}\x1b[0m`);

const secret = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
const STORE_KEYS = { accessKey: 'AKIASANDBOX00000001', secretKey: secret('store-secret') };
const MINIO_KEYS = { accessKey: 'minio', secretKey: secret('minio-secret') };
const SECRET_URI = 'secret:csandbox0000000000000';

async function seedPipelineBackup(world: Awaited<ReturnType<typeof startMlmdWorld>>): Promise<number> {
  // What a KFP mlpipeline bucket holds: pipeline specs, run artifacts, logs; keys with spaces and unicode.
  const keys: [string, number][] = [];
  for (let run = 0; run < 40; run++) {
    keys.push([`artifacts/pipeline-run-${run}/train/model.bin`, 64 * 1024 + run * 1000]);
    keys.push([`artifacts/pipeline-run-${run}/train/main.log`, 2000 + run]);
    keys.push([`artifacts/pipeline-run-${run}/evaluate/metrics.json`, 300]);
  }
  keys.push(['pipelines/3f2a-ünïcode pipeline.yaml', 5000], ['pipelines/with spaces+plus%percent.yaml', 4000], ['v2/artifacts/empty-marker/', 0]);
  await Promise.all(
    keys.map(([key, size]) => world.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${STORE_PATH}/mlpipeline/${key}`, Body: randomBytes(size), ContentType: 'application/octet-stream' }))),
  );
  return keys.length;
}

async function main(): Promise<void> {
  const started = Date.now();
  const cleanup: (() => Promise<void> | void)[] = [];
  try {
    heading('Packing the charm');
    const charm = await packCharm();
    const dir = mkdtempSync(join(tmpdir(), 'ckf-restore-sandbox-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const charmDir = join(dir, 'charm');
    await unpackCharm(charm, charmDir);
    say(`${charm} unpacked into ${charmDir}`);

    heading('Starting the local model');
    const world = await startMlmdWorld(STORE_KEYS);
    cleanup.push(() => world.close());
    const pipelineObjects = await seedPipelineBackup(world);
    const minio = await startS3Server(MINIO_KEYS);
    cleanup.push(() => minio.close());
    const minioClient = createS3Client(minio.s3Endpoint);
    await minioClient.send(new CreateBucketCommand({ Bucket: 'mlpipeline' }));
    await minioClient.send(new PutObjectCommand({ Bucket: 'mlpipeline', Key: 'artifacts/stale-run/out.txt', Body: 'left over from before the disaster' }));
    minioClient.destroy();
    const pki = await createTestPki();
    const controller = await startFakeJujuController({ pki, timing: { settleMs: 300, actionStepMs: 100 } });
    cleanup.push(() => controller.close());
    say(`backup store  ${world.store.endpoint}  bucket ${BUCKET}, path ${STORE_PATH}: 3 MLMD backups, ${pipelineObjects} mlpipeline objects`);
    say(`minio         ${minio.endpoint}  bucket mlpipeline with 1 stale object`);
    say(`kubernetes    ${world.kube.url}  mlmd-0 (mlmd-grpc-server), kfp-metadata-writer; MLMD db at ${world.dbPath}`);
    say(`juju          wss://${controller.addresses[0]}  model kubeflow: kfp-db, katib-db (mysql-k8s)`);

    const tools = installFakeHookTools(dir, {
      config: { 'mlmd-db-path': world.dbPath, 'minio-endpoint': minio.endpoint, 'juju-credentials': SECRET_URI, 'mlmd-ready-timeout': 60 },
      secrets: { [SECRET_URI]: { username: controller.credentials.username, password: controller.credentials.password, 'ca-cert': controller.caCertPem } },
      relations: [
        fakeRelation('s3-credentials:3', 's3-credentials', 's3-integrator'),
        fakeRelation('object-storage:4', 'object-storage', 'minio'),
      ],
    });
    const env: CharmEnv = {
      charmDir,
      ...tools,
      extraEnv: { KUBECONFIG: world.kube.kubeconfigPath, JUJU_API_ADDRESSES: controller.addresses.join(' '), JUJU_MODEL_UUID: controller.modelUuid },
    };

    heading('Hooks (juju deploy … --trust; juju integrate …)');
    const status = () => {
      const last = readState(tools.statePath).statuses.at(-1);
      return last ? `${last.status}: ${last.message}` : '(no status)';
    };
    await runHook(env, 'install');
    say(`install                            → ${status()}`);
    await runHook(env, 's3-credentials-relation-created', { id: 's3-credentials:3', endpoint: 's3-credentials', remoteApp: 's3-integrator' });
    say(`s3-credentials-relation-created    → ${status()}`);
    // The integrators answer the handshakes the charm just wrote.
    const state = readState(tools.statePath);
    say(`  charm wrote: s3-credentials ${JSON.stringify(state.relations[0]?.localAppData)}, object-storage ${JSON.stringify(state.relations[1]?.localAppData)}`);
    const { updateState } = await import('../tests/fakes/hookTools/state.ts');
    updateState(tools.statePath, (next) => {
      Object.assign(next.relations[0]!.remoteAppData, s3IntegratorAppData({ ...STORE_KEYS, bucket: BUCKET, endpoint: world.store.endpoint, path: STORE_PATH, region: 'us-east-1' }));
    });
    await runHook(env, 's3-credentials-relation-changed', { id: 's3-credentials:3', endpoint: 's3-credentials', remoteApp: 's3-integrator' });
    say(`s3-credentials-relation-changed    → ${status()}`);
    updateState(tools.statePath, (next) => {
      Object.assign(next.relations[1]!.remoteAppData, minioAppData(MINIO_KEYS));
    });
    await runHook(env, 'object-storage-relation-changed', { id: 'object-storage:4', endpoint: 'object-storage', remoteApp: 'minio' });
    say(`object-storage-relation-changed    → ${status()}`);

    heading('Actions (juju run)');
    const runs: [string, Record<string, unknown>][] = [
      ['list-backups', {}],
      ['restore-databases', { 'backup-id': '2024-05-03T10:25:00Z', 'katib-db-backup-id': '2024-05-01T10:26:00Z' }],
      ['restore-mlmd', { backup: world.backups.dumpGz, 'dry-run': true }],
      ['restore-mlmd', { backup: world.backups.dumpGz }],
      ['restore-mlmd', { backup: world.backups.dumpGz }],
      ['restore-mlmd', { backup: '../../etc/passwd' }],
      ['restore-mlpipeline', { 'dry-run': true }],
      ['restore-mlpipeline', {}],
      ['restore-mlpipeline', {}],
      ['restore-mlpipeline', { prefix: 'mlpipelin' }],
    ];
    let operation = 1;
    const outputs: string[] = [];
    let restoredMlmd: Record<string, string> | undefined;
    for (const [action, params] of runs) {
      const before = Date.now();
      const result = await runCharmAction(env, action, params);
      const text = formatJujuRun(
        { unit: 'ckf-restore/0', action, params, logs: result.state.actionLogs, results: result.state.results, failure: result.state.failure, exitCode: result.exitCode, stderr: result.stderr, seconds: (Date.now() - before) / 1000 },
        operation,
      );
      operation += 2;
      if (action === 'restore-mlmd' && !params['dry-run'] && restoredMlmd === undefined) restoredMlmd = result.state.results;
      outputs.push(text);
      say(text);
    }

    heading('Checks');
    const final = readState(tools.statePath);
    const everything = [...outputs, JSON.stringify({ statuses: final.statuses, logs: final.jujuLogs, results: final.results, failure: final.failure })].join('\n');
    const leaked = [STORE_KEYS.secretKey, MINIO_KEYS.secretKey, controller.credentials.password].filter((value) => everything.includes(value));
    say(leaked.length === 0 ? 'no secret appears in any status, log, result or error' : `LEAKED SECRETS: ${leaked.length}`);
    say(`writer back at ${world.writer().replicas} replica(s), annotations ${JSON.stringify(world.writer().annotations)}`);
    // The live MLMD database as Debian's sqlite3 reads it, fingerprinted by the tests' own implementation.
    const { readReference, referenceFingerprint } = await import('../tests/helpers/sqliteReference.ts');
    const live = referenceFingerprint(readReference(world.dbPath));
    const matches = live === restoredMlmd?.['fingerprint.backup'] && live === restoredMlmd?.['fingerprint.live-after'];
    say(`live MLMD database fingerprint ${live} ${matches ? '= the backup\'s (restore-mlmd results)' : `≠ the backup's ${restoredMlmd?.['fingerprint.backup'] ?? '(none)'}`}`);
    if (!matches) process.exitCode = 1;
    say(`sandbox finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (leaked.length > 0) process.exitCode = 1;
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

await main();
