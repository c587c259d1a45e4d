/**
 * What every action needs from Juju before it can start: the config and the two relations, each turned
 * into a clear error that says what to do when it is not usable.
 */
import { parseConfig, type CharmConfig } from '../charm/config';
import { RefusalError } from '../errors';
import * as tools from '../juju/hookTools';
import { parseBackupStore, S3_ENDPOINT, type BackupStore } from '../relations/backupStore';
import { OBJECT_STORAGE_ENDPOINT, parseMinio, type MinioStore } from '../relations/minio';
import { readRelation, type RelationState } from '../relations/readRelation';

/** A relation the action needs is missing or has no data yet: a refusal, nothing was changed. */
export class RelationNotReadyError extends RefusalError {}

export async function readConfig(): Promise<CharmConfig> {
  return parseConfig(await tools.configGet());
}

function usable<T>(state: RelationState<T>, integrate: string): T {
  switch (state.status) {
    case 'ready':
      return state.value;
    case 'missing':
      throw new RelationNotReadyError(`no ${state.endpoint} relation`, { hint: `Run: ${integrate}` });
    case 'waiting':
      throw new RelationNotReadyError(`${state.remoteApp || 'the remote application'} has not published its data on ${state.endpoint} yet`, {
        hint: `Wait for it (juju status ${state.remoteApp || ''}), then run the action again`.replace(/ \)/, ')'),
      });
    case 'invalid':
      throw state.error;
  }
}

export async function requireBackupStore(): Promise<BackupStore> {
  return usable(await readRelation(S3_ENDPOINT, parseBackupStore), 'juju integrate ckf-restore s3-integrator');
}

export async function requireMinio(config: CharmConfig, modelName: string): Promise<MinioStore> {
  const state = await readRelation(OBJECT_STORAGE_ENDPOINT, (data) => parseMinio(data, { defaultNamespace: modelName, endpointOverride: config.minioEndpoint || undefined }));
  return usable(state, 'juju integrate ckf-restore minio');
}
