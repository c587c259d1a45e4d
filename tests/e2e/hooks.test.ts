/**
 * The packed charm's dispatch, run as Juju runs it, for the hooks: handshakes written by the leader
 * only, status for every relation state, malformed data named field by field, no secret anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFakeHookTools } from '../fakes/hookTools/install.ts';
import type { HookToolState } from '../fakes/hookTools/state.ts';
import { type CharmEnv, type DispatchResult, E2E_CHARM_DIR, runCharmAction, runHook } from '../helpers/charmProcess';
import { fakeRelation, minioAppData, s3IntegratorAppData } from '../helpers/relationData';

const SECRETS = ['minio-secret-Zq81xK', 'AKIAEXAMPLEKEY42', 's3-secret-Wp93LmNv'];
const MINIO = minioAppData({ accessKey: 'minio', secretKey: SECRETS[0] as string });
const S3 = s3IntegratorAppData({ accessKey: SECRETS[1] as string, secretKey: SECRETS[2] as string, bucket: 'ckf-backups', endpoint: 'https://radosgw.example.com', path: 'cluster-a', uriStyle: 'path' });

const runs: DispatchResult[] = [];
const dirs: string[] = [];

function charm(state: Partial<HookToolState>): CharmEnv {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-hooks-'));
  dirs.push(dir);
  return { charmDir: E2E_CHARM_DIR, ...installFakeHookTools(dir, state) };
}

async function hook(env: CharmEnv, name: string, relation?: { id: string; endpoint: string; remoteApp: string }): Promise<DispatchResult> {
  const result = await runHook(env, name, relation);
  runs.push(result);
  return result;
}

const lastStatus = (result: DispatchResult) => result.state.statuses.at(-1);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('handshakes', () => {
  test('relation-created: the leader writes _supported_versions for MinIO and bucket for s3-integrator', async () => {
    const env = charm({ config: { bucket: 'ckf-backups' }, relations: [fakeRelation('object-storage:1', 'object-storage', 'minio'), fakeRelation('s3-credentials:2', 's3-credentials', 's3-integrator')] });
    const result = await hook(env, 'object-storage-relation-created', { id: 'object-storage:1', endpoint: 'object-storage', remoteApp: 'minio' });
    expect(result.exitCode).toBe(0);
    expect(result.state.relations[0]?.localAppData).toEqual({ _supported_versions: '- v1\n' });
    expect(result.state.relations[1]?.localAppData).toEqual({ bucket: 'ckf-backups' });
    expect(lastStatus(result)).toEqual({ status: 'waiting', message: 'waiting for data on s3-credentials, object-storage', app: false });
  });

  test('without a configured bucket the integrator\'s bucket is echoed, else a per-relation name', async () => {
    const env = charm({ relations: [fakeRelation('s3-credentials:7', 's3-credentials', 's3-integrator', { bucket: 'theirs' }), fakeRelation('object-storage:1', 'object-storage', 'minio')] });
    expect((await hook(env, 'install')).state.relations[0]?.localAppData).toEqual({ bucket: 'theirs' });
    const fresh = charm({ relations: [fakeRelation('s3-credentials:7', 's3-credentials', 's3-integrator')] });
    expect((await hook(fresh, 'install')).state.relations[0]?.localAppData).toEqual({ bucket: 'relation-7' });
  });

  test('a non-leader writes nothing to the app databags', async () => {
    const env = charm({ leader: false, relations: [fakeRelation('object-storage:1', 'object-storage', 'minio'), fakeRelation('s3-credentials:2', 's3-credentials', 's3-integrator')] });
    const result = await hook(env, 'object-storage-relation-created', { id: 'object-storage:1', endpoint: 'object-storage', remoteApp: 'minio' });
    expect(result.exitCode).toBe(0);
    expect(result.state.relations.map((relation) => relation.localAppData)).toEqual([{}, {}]);
    expect(result.state.calls.filter((call) => call.tool === 'relation-set')).toEqual([]);
  });
});

describe('status', () => {
  test('both relations with data as the real charms write it: active, with a summary', async () => {
    const env = charm({ relations: [fakeRelation('object-storage:1', 'object-storage', 'minio', MINIO), fakeRelation('s3-credentials:2', 's3-credentials', 's3-integrator', S3)] });
    const result = await hook(env, 's3-credentials-relation-changed', { id: 's3-credentials:2', endpoint: 's3-credentials', remoteApp: 's3-integrator' });
    expect(result.exitCode).toBe(0);
    expect(lastStatus(result)).toEqual({ status: 'active', message: 'backups: https://radosgw.example.com ckf-backups/cluster-a; minio: minio.kubeflow:9000', app: false });
  });

  test('no relations: blocked, naming both and how to integrate', async () => {
    const result = await hook(charm({}), 'install');
    expect(lastStatus(result)?.status).toBe('blocked');
    expect(lastStatus(result)?.message).toBe(
      'missing relation: s3-credentials, object-storage (juju integrate ckf-restore s3-integrator; juju integrate ckf-restore minio)',
    );
  });

  test('relation-broken counts the departing relation as missing', async () => {
    const env = charm({ relations: [fakeRelation('object-storage:1', 'object-storage', 'minio', MINIO), fakeRelation('s3-credentials:2', 's3-credentials', 's3-integrator', S3)] });
    const result = await hook(env, 'object-storage-relation-broken', { id: 'object-storage:1', endpoint: 'object-storage', remoteApp: 'minio' });
    expect(lastStatus(result)).toMatchObject({ status: 'blocked', message: expect.stringMatching(/^missing relation: object-storage \(juju integrate ckf-restore minio\)$/) });
  });

  test.each([
    ['s3 endpoint with another scheme', { ...S3, endpoint: 'ftp://radosgw' }, MINIO, /^s3-credentials relation: endpoint must start with http:\/\/ or https:\/\//],
    ['s3 uri style', { ...S3, 's3-uri-style': 'virtual' }, MINIO, /^s3-credentials relation: s3-uri-style must be path or host/],
    ['s3 ca chain not JSON', { ...S3, 'tls-ca-chain': '-----BEGIN CERTIFICATE-----' }, MINIO, /^s3-credentials relation: tls-ca-chain is not a JSON list/],
    ['s3 secret key missing', { ...S3, 'secret-key': '' }, MINIO, /^s3-credentials relation: secret-key is missing/],
    ['minio data not YAML', S3, { data: 'access-key: [unclosed' }, /^object-storage relation: data is not valid YAML/],
    ['minio port', S3, minioAppData({ accessKey: 'minio', secretKey: SECRETS[0] as string, port: 99999 }), /^object-storage relation: port must be a port number/],
    ['minio service', S3, { data: MINIO.data?.replace('service: minio', 'service: Minio_Svc') ?? '' }, /^object-storage relation: service "Minio_Svc" is not a Kubernetes service name/],
  ])('malformed data (%s): blocked, naming the field, no crash', async (_name, s3, minio, message) => {
    const env = charm({ relations: [fakeRelation('object-storage:1', 'object-storage', 'minio', minio), fakeRelation('s3-credentials:2', 's3-credentials', 's3-integrator', s3)] });
    const result = await hook(env, 'config-changed');
    expect(result.exitCode).toBe(0);
    expect(lastStatus(result)?.status).toBe('blocked');
    expect(lastStatus(result)?.message).toMatch(message);
  });

  test('bad config: blocked, naming the option', async () => {
    const result = await hook(charm({ config: { 'mlmd-db-path': 'relative/mlmd.db' } }), 'config-changed');
    expect(result.exitCode).toBe(0);
    expect(lastStatus(result)).toMatchObject({ status: 'blocked', message: expect.stringMatching(/^config mlmd-db-path must be an absolute file path/) });
  });
});

describe('actions', () => {
  test('an unknown action is refused with the list of actions, exit status 1', async () => {
    const result = await runCharmAction(charm({}), 'restore-everything', {});
    runs.push(result);
    expect([result.exitCode, result.state.results.outcome]).toEqual([1, 'refused']);
    expect(result.state.failure).toMatch(/^unknown action "restore-everything"; this charm has: /);
  });
});

describe('operational guarantees', () => {
  test('start-up: dispatch reaches the handler quickly (reported, loosely bounded)', async () => {
    const env = charm({});
    const result = await hook(env, 'update-status');
    const line = result.state.jujuLogs.find((log) => /handler start after/.test(log.message));
    expect(line?.level).toBe('DEBUG');
    const ms = Number(/after (\d+) ms/.exec(line?.message ?? '')?.[1]);
    // The target (≤ 300 ms) is measured by bench/startup.ts; this only guards against a gross regression.
    expect(ms).toBeLessThan(3000);
  });

  test('no planted secret appears in any log, status, result, error or output of these runs', () => {
    expect(runs.length).toBeGreaterThan(10);
    const seen = runs.map((run) => JSON.stringify({ stdout: run.stdout, stderr: run.stderr, results: run.state.results, logs: run.state.actionLogs, failure: run.state.failure, statuses: run.state.statuses, jujuLogs: run.state.jujuLogs })).join('\n');
    for (const secret of SECRETS) expect(seen).not.toContain(secret);
  });
});
