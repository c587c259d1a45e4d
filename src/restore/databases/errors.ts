import { RestoreError } from '../../errors';
import type { DatabaseKey, DatabaseRestoreResult } from './types';

/** One or more databases did not restore; `results` holds every database's outcome, the good ones too. */
export class DatabaseRestoreFailedError extends RestoreError {
  constructor(
    readonly failed: DatabaseKey[],
    readonly results: DatabaseRestoreResult[],
    options: { hint?: string } = {},
  ) {
    super(
      `restore failed for ${failed.join(' and ')}: ${results
        .filter((r) => failed.includes(r.database))
        .map((r) => `${r.database}: ${r.message}`)
        .join('; ')}`,
      options,
    );
  }
}
