// The MLMD backup engine: from a downloaded backup to a verified MLMD SQLite file. No Juju, no Kubernetes.
export { buildMlmdDatabase, detectBackupFormat } from './buildMlmdDatabase';
export type { BuildMlmdDatabaseOptions, BuiltDatabase } from './buildMlmdDatabase';
export {
  detectContentKind,
  detectFormat,
  describeFormat,
  guessFormatFromName,
  isRequestedMlmdFormat,
  resolveFormat,
  REQUESTED_MLMD_FORMATS,
} from './format';
export type { ContentKind, MlmdBackupFormat, RequestedMlmdFormat } from './format';
export { readSchemaVersion, verifyMlmdDatabase } from './mlmdDatabase';
export type { MlmdCounts, MlmdDatabaseFacts } from './mlmdDatabase';
export { compareSchema } from './schemaCompare';
export type { SchemaComparison } from './schemaCompare';
export { sha256File } from './sha256File';
export { ensureFreeSpace, freeBytes } from './freeSpace';
export { MLMD_SCHEMA_VERSION_1_14, MLMD_TABLES, requiredMlmdTables } from './mlmdSchema';
export * from './errors';
