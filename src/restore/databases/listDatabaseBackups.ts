import { RestoreError } from '../../errors';
import { connectToModel } from '../../juju/controller/connect';
import { readDatabaseBackups } from './preflight';
import { listActionOptions, resolveTimeouts, targetsOf } from './restoreDatabases';
import type { ControllerAccess, DatabaseBackups, DatabaseKey, EngineOptions } from './types';

/** Each selected database's backups (id, type, status), from `list-backups` on its leader. */
export async function listDatabaseBackups(
  access: ControllerAccess,
  params: { databases: readonly DatabaseKey[]; appNames?: Partial<Record<DatabaseKey, string>> },
  options: EngineOptions,
): Promise<DatabaseBackups[]> {
  const targets = targetsOf(params);
  const timeouts = resolveTimeouts(options);
  const client = await connectToModel(access.credentials, access.endpoint, access.connect);
  try {
    const reads = await Promise.all(targets.map(async (target) => ({
      target,
      read: await readDatabaseBackups(client, target, listActionOptions(timeouts, options.log, target.database)),
    })));
    const problems = reads.flatMap(({ read }) => (read.ok ? [] : [read]));
    if (problems.length > 0) {
      throw new RestoreError(problems.map((p) => `${p.target.database}: ${p.problem}`).join('; '), {
        hint: problems.map((p) => p.hint).join('; '),
      });
    }
    return reads.map(({ target, read }) => ({ database: target.database, app: target.app, backups: read.ok ? read.backups : [] }));
  } finally {
    client.close();
  }
}
