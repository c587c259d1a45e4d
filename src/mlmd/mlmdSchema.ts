/*
 * Facts about the MLMD SQLite schema (google/ml-metadata, ml_metadata/util/metadata_source_query_config.cc).
 * CKF 1.8, 1.9 and 1.10 ship MLMD 1.14.0, whose schema version is 10.
 */

/** Schema version written by MLMD 1.14.0 into `MLMDEnv.schema_version`. */
export const MLMD_SCHEMA_VERSION_1_14 = 10;

/**
 * MLMD tables and the schema version whose migration created them. A database of schema version v must
 * have every table with `since <= v`; an older backup legitimately lacks the newer ones (MLMD adds them
 * when it upgrades the database on start).
 */
export const MLMD_TABLES: readonly { name: string; since: number }[] = [
  { name: 'MLMDEnv', since: 1 },
  { name: 'Type', since: 1 },
  { name: 'TypeProperty', since: 1 },
  { name: 'Artifact', since: 1 },
  { name: 'ArtifactProperty', since: 1 },
  { name: 'Execution', since: 1 },
  { name: 'ExecutionProperty', since: 1 },
  { name: 'Event', since: 1 },
  { name: 'EventPath', since: 1 },
  { name: 'Context', since: 3 },
  { name: 'ContextProperty', since: 3 },
  { name: 'Association', since: 4 },
  { name: 'Attribution', since: 4 },
  { name: 'ParentType', since: 6 },
  { name: 'ParentContext', since: 6 },
];

/** Tables a database claiming `schemaVersion` must have. */
export function requiredMlmdTables(schemaVersion: number): string[] {
  return MLMD_TABLES.filter((t) => t.since <= schemaVersion).map((t) => t.name);
}
