import { SchemaTooNewError } from './errors';

export type SchemaComparison =
  | { relation: 'same' }
  /** The backup is older: MLMD upgrades it when it starts (it runs with --enable_database_upgrade=true). */
  | { relation: 'older'; warning: string }
  /** The backup is newer and the operator forced the restore anyway. */
  | { relation: 'newer'; warning: string };

/**
 * What restoring a backup of schema `backupVersion` onto an MLMD whose live database has `liveVersion`
 * means. MLMD can upgrade a database but never downgrade one, so a newer backup is refused unless forced.
 */
export function compareSchema(backupVersion: number, liveVersion: number, options: { force?: boolean } = {}): SchemaComparison {
  if (backupVersion === liveVersion) return { relation: 'same' };
  if (backupVersion < liveVersion) {
    return {
      relation: 'older',
      warning: `The backup has MLMD schema version ${backupVersion}, older than the live ${liveVersion}; MLMD will upgrade it when it starts (--enable_database_upgrade=true)`,
    };
  }
  const message = `The backup has MLMD schema version ${backupVersion}, newer than the live ${liveVersion}; this MLMD cannot downgrade it and would fail to start`;
  if (!options.force) {
    throw new SchemaTooNewError(message, {
      hint: 'Restore a backup made by the same MLMD version, or upgrade Charmed Kubeflow first; force=true restores it anyway',
    });
  }
  return { relation: 'newer', warning: `${message} (restoring anyway: forced)` };
}
