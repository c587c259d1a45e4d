/**
 * Every hook does the same idempotent work: the leader (re)writes what the two handshakes need from us,
 * then the unit's status says what, if anything, the operator must do before the actions can run.
 */
import { describeError } from '../errors';
import type { HookContext } from '../juju/context';
import * as tools from '../juju/hookTools';
import { describeBackupStore, parseBackupStore, S3_ENDPOINT, type BackupStore } from '../relations/backupStore';
import { OBJECT_STORAGE_ENDPOINT, parseMinio, SUPPORTED_VERSIONS, type MinioStore } from '../relations/minio';
import { readRelation, type RelationState } from '../relations/readRelation';
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
  // Juju still lists a relation during its -relation-broken hook; it must count as gone.
  const broken = context.hookName.endsWith('-relation-broken') ? context.relationId : undefined;
  // Each relation is read once; the handshakes and the status both work from what was read.
  const s3 = await readRelation(S3_ENDPOINT, parseBackupStore, { exclude: broken });
  const minio = await readRelation(
    OBJECT_STORAGE_ENDPOINT,
    (data) => parseMinio(data, { defaultNamespace: context.modelName, endpointOverride: config.minioEndpoint || undefined }),
    { exclude: broken },
  );
  if (await tools.isLeader()) await writeHandshakes(config, s3, minio);
  const status = computeStatus(s3, minio);
  await tools.statusSet(status.name, status.message);
  return status;
}

async function writeHandshakes(config: CharmConfig, s3: RelationState<unknown>, minio: RelationState<unknown>): Promise<void> {
  if (minio.status !== 'missing') {
    // SDI: the requirer announces the schema versions it speaks; MinIO answers with `data`.
    await tools.relationSet(minio.relationId, { _supported_versions: SUPPORTED_VERSIONS }, { app: true });
  }
  if (s3.status !== 'missing') {
    // s3 v0: the provider publishes credentials once the requirer has written `bucket`. A bucket set on the
    // integrator wins over ours; without either, use the name data-platform's S3Requirer would use.
    const bucket = config.bucket || s3.data.bucket || `relation-${s3.relationId.split(':').at(-1)}`;
    await tools.relationSet(s3.relationId, { bucket }, { app: true });
  }
}

function computeStatus(s3: RelationState<BackupStore>, minio: RelationState<MinioStore>): Status {
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
