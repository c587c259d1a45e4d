/**
 * What can be restored from the backup store: MLMD backups (the runbook's `mlmd-*` objects at the
 * backup root and this charm's pre-restore snapshots) and a summary of the mlpipeline prefix. No Juju.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { describeAge, takenFromName } from '../mlmd/backupName';
import { guessFormatFromName } from '../mlmd/format';

const iso = (date: Date | undefined): string | undefined => date?.toISOString().replace(/\.000Z$/, 'Z');
import { listObjects } from '../storage/objects';

export interface MlmdBackupEntry {
  /** The value to pass as `backup=` (relative to the store's path). */
  name: string;
  bytes: number;
  /** When it was taken, from its name (UTC), if the name says. */
  taken: string | undefined;
  /** When it was uploaded (the object's Last-Modified). */
  modified: string | undefined;
  /** Since it was taken (or, without a time in the name, uploaded). */
  age: string | undefined;
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

/** Newest first, by the time in the name, else the upload time; names without either last. */
export async function listStoreBackups(client: S3Client, bucket: string, root: string, mlpipelinePrefix: string, where: string, now: Date = new Date()): Promise<StoreBackups> {
  const base = root ? `${root}/` : '';
  // Two narrow prefixes instead of the whole bucket: the mlpipeline prefix can hold millions of objects.
  const [runbook, snapshots, pipeline] = await Promise.all([
    listObjects(client, bucket, `${base}mlmd`, where),
    listObjects(client, bucket, `${base}${SNAPSHOT_DIR}`, where),
    listObjects(client, bucket, `${base}${mlpipelinePrefix.replace(/\/?$/, '/')}`, where),
  ]);
  const mlmd = [...runbook.filter((object) => !object.key.slice(base.length).includes('/')), ...snapshots]
    .filter((object) => !object.key.endsWith('/'))
    .map((object) => {
      const name = object.key.slice(base.length);
      const taken = takenFromName(name);
      const when = taken ?? object.lastModified;
      return {
        entry: { name, bytes: object.size, taken: iso(taken), modified: iso(object.lastModified), age: when ? describeAge(when, now) : undefined, format: guessFormatFromName(object.key) },
        when: when?.getTime() ?? -Infinity,
      };
    })
    .sort((a, b) => b.when - a.when || a.entry.name.localeCompare(b.entry.name))
    .map(({ entry }) => entry);
  const newest = pipeline.reduce<Date | undefined>((latest, object) => (object.lastModified && (!latest || object.lastModified > latest) ? object.lastModified : latest), undefined);
  return {
    mlmd,
    mlpipeline: { prefix: mlpipelinePrefix, objects: pipeline.length, bytes: pipeline.reduce((sum, object) => sum + object.size, 0), newest: newest?.toISOString() },
  };
}
