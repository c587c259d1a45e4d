/**
 * Every hook does the same idempotent work: the leader (re)writes what the two handshakes need from us,
 * then the unit's status says what, if anything, the operator must do before the actions can run.
 */
import { describeError } from '../errors';
import type { HookContext } from '../juju/context';
import * as tools from '../juju/hookTools';
import { describeBackupStore, parseBackupStore, S3_ENDPOINT } from '../relations/backupStore';
import { OBJECT_STORAGE_ENDPOINT, parseMinio, SUPPORTED_VERSIONS } from '../relations/minio';
import { readRelation } from '../relations/readRelation';
import { parseConfig, type CharmConfig } from './config';

export interface Status {
  name: tools.StatusName;
  message: string;
}

const INTEGRATE_HINT: Record<string, string> = {
  [S3_ENDPOINT]: 'juju integrate ckf-restore s3-integrator',
  [OBJECT_STORAGE_ENDPOINT]: 'juju integrate ckf-restore minio',
};

export async function handleHook(context: HookContext): Promise<Status> {
  let config: CharmConfig;
  try {
    config = parseConfig(await tools.configGet());
  } catch (error) {
    const status: Status = { name: 'blocked', message: describeError(error) };
    await tools.statusSet(status.name, status.message);
    return status;
  }
  const broken = context.hookName.endsWith('-relation-broken') ? context.relationId : undefined;
  if (await tools.isLeader()) await writeHandshakes(config, broken);
  const status = await computeStatus(config, context.modelName, broken);
  await tools.statusSet(status.name, status.message);
  return status;
}

/** Juju still lists a relation during its -relation-broken hook; it must count as gone. */
async function liveRelationIds(endpoint: string, broken: string | undefined): Promise<string[]> {
  return (await tools.relationIds(endpoint)).filter((id) => id !== broken);
}

async function writeHandshakes(config: CharmConfig, broken: string | undefined): Promise<void> {
  for (const id of await liveRelationIds(OBJECT_STORAGE_ENDPOINT, broken)) {
    // SDI: the requirer announces the schema versions it speaks; MinIO answers with `data`.
    await tools.relationSet(id, { _supported_versions: SUPPORTED_VERSIONS }, { app: true });
  }
  for (const id of await liveRelationIds(S3_ENDPOINT, broken)) {
    // s3 v0: the provider publishes credentials once the requirer has written `bucket`. A bucket set on the
    // integrator wins over ours; without either, use the name data-platform's S3Requirer would use.
    const remoteApp = await tools.relationRemoteApp(id);
    const published = remoteApp ? (await tools.relationGet(id, remoteApp, { app: true })).bucket : undefined;
    const bucket = config.bucket || published || `relation-${id.split(':').at(-1)}`;
    await tools.relationSet(id, { bucket }, { app: true });
  }
}

async function computeStatus(config: CharmConfig, modelName: string, broken: string | undefined): Promise<Status> {
  const s3 = await readRelation(S3_ENDPOINT, parseBackupStore, { exclude: broken });
  const minio = await readRelation(
    OBJECT_STORAGE_ENDPOINT,
    (data) => parseMinio(data, { defaultNamespace: modelName, endpointOverride: config.minioEndpoint || undefined }),
    { exclude: broken },
  );
  const states = [s3, minio];

  const missing = states.filter((state) => state.status === 'missing').map((state) => state.endpoint);
  if (missing.length > 0) {
    return { name: 'blocked', message: `missing relation: ${missing.join(', ')} (${missing.map((e) => INTEGRATE_HINT[e]).join('; ')})` };
  }
  for (const state of states) {
    if (state.status === 'invalid') return { name: 'blocked', message: state.error.message };
  }
  const waiting = states.filter((state) => state.status === 'waiting').map((state) => state.endpoint);
  if (waiting.length > 0) return { name: 'waiting', message: `waiting for data on ${waiting.join(', ')}` };

  if (s3.status !== 'ready' || minio.status !== 'ready') throw new Error('unreachable: both relations are ready here');
  return { name: 'active', message: `backups: ${describeBackupStore(s3.value)}; minio: ${minio.value.service}.${minio.value.namespace}:${minio.value.port}` };
}
