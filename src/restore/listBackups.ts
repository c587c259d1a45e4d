/**
 * What can be restored from the backup store: MLMD backups (the runbook's `mlmd-*` objects at the
 * backup root and this charm's pre-restore snapshots) and a summary of the mlpipeline prefix. No Juju.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { guessFormatFromName } from '../mlmd/format';
import { listObjects } from '../storage/objects';

export interface MlmdBackupEntry {
  /** The value to pass as `backup=` (relative to the store's path). */
  name: string;
  bytes: number;
  modified: string | undefined;
  format: string;
}

export interface PrefixSummary {
  prefix: string;
  objects: number;
  bytes: number;
  newest: string | undefined;
}

export interface StoreBackups {
  mlmd: MlmdBackupEntry[];
  mlpipeline: PrefixSummary;
}

export const SNAPSHOT_DIR = 'ckf-restore/pre-restore/';

export async function listStoreBackups(client: S3Client, bucket: string, root: string, mlpipelinePrefix: string, where: string): Promise<StoreBackups> {
  const base = root ? `${root}/` : '';
  // Two narrow prefixes instead of the whole bucket: the mlpipeline prefix can hold millions of objects.
  const [runbook, snapshots, pipeline] = await Promise.all([
    listObjects(client, bucket, `${base}mlmd`, where),
    listObjects(client, bucket, `${base}${SNAPSHOT_DIR}`, where),
    listObjects(client, bucket, `${base}${mlpipelinePrefix.replace(/\/?$/, '/')}`, where),
  ]);
  const mlmd = [...runbook.filter((object) => !object.key.slice(base.length).includes('/')), ...snapshots]
    .filter((object) => !object.key.endsWith('/'))
    .map((object) => ({
      name: object.key.slice(base.length),
      bytes: object.size,
      modified: object.lastModified?.toISOString(),
      format: guessFormatFromName(object.key),
    }))
    .sort((a, b) => (b.modified ?? '').localeCompare(a.modified ?? '') || a.name.localeCompare(b.name));
  const newest = pipeline.reduce<Date | undefined>((latest, object) => (object.lastModified && (!latest || object.lastModified > latest) ? object.lastModified : latest), undefined);
  return {
    mlmd,
    mlpipeline: { prefix: mlpipelinePrefix, objects: pipeline.length, bytes: pipeline.reduce((sum, object) => sum + object.size, 0), newest: newest?.toISOString() },
  };
}
