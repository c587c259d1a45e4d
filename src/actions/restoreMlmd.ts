/** restore-mlmd: params → the MLMD restore engine → results. */
import { tmpdir } from 'node:os';
import type { ActionHandler } from '../juju/actionRunner';
import type { Results } from '../juju/actionResults';
import { ParamReader, validateObjectKey } from '../juju/params';
import { Kube } from '../kube/kube';
import { REQUESTED_MLMD_FORMATS } from '../mlmd/format';
import { backupKey, describeBackupStore, backupStoreEndpoint } from '../relations/backupStore';
import { MlmdRestoreFailedError, restoreMlmd, type MlmdRestoreResult } from '../restore/mlmd/restoreMlmd';
import { createS3Client } from '../storage/client';
import { readConfig, requireBackupStore } from './charmState';

function toResults(result: MlmdRestoreResult): Results {
  return {
    backup: result.backup,
    dryRun: result.dryRun,
    alreadyRestored: result.alreadyRestored,
    format: result.format,
    backupBytes: result.backupBytes,
    bytes: result.bytes,
    sha256: result.sha256,
    schemaVersion: result.schemaVersion,
    counts: result.counts ? { ...result.counts } : undefined,
    fingerprint: result.fingerprint ? { ...result.fingerprint } : undefined,
    contentCheck: result.contentCheck,
    comparison: result.comparison
      ? {
          verdict: result.comparison.verdict,
          backup: { ...result.comparison.backup },
          live: result.comparison.live ? { ...result.comparison.live } : undefined,
          liveNewerThanBackup: result.comparison.liveNewerThanBackup ? { ...result.comparison.liveNewerThanBackup } : undefined,
          note: result.comparison.note,
        }
      : undefined,
    snapshot: result.snapshot ? { ...result.snapshot } : undefined,
    rolledBack: result.rolledBack,
    warnings: result.warnings.length > 0 ? result.warnings : undefined,
    phases: Object.fromEntries(Object.entries(result.phases).map(([name, record]) => [name, { ...record }])),
  };
}

export const restoreMlmdAction: ActionHandler = {
  name: 'restore-mlmd',
  async run({ context, params: raw, log, addResults }) {
    const params = new ParamReader(raw);
    const backup = validateObjectKey('backup', params.string('backup'));
    const format = params.oneOf('format', REQUESTED_MLMD_FORMATS, 'auto');
    const dryRun = params.boolean('dry-run', false);
    const force = params.boolean('force', false);
    params.rejectUnknown();

    const config = await readConfig();
    const store = await requireBackupStore();
    const client = createS3Client(backupStoreEndpoint(store));
    const timeoutMs = config.mlmdReadyTimeoutSeconds * 1000;
    try {
      const result = await restoreMlmd(
        { backupKey: backupKey(store, backup), format, dryRun, force },
        {
          store: { client, bucket: store.bucket, where: `backup store ${describeBackupStore(store)}`, snapshotPrefix: backupKey(store, 'ckf-restore/pre-restore/') },
          kube: Kube.connect(context.modelName),
          mlmdApp: config.mlmdApp,
          dbPath: config.mlmdDbPath,
          writerApp: config.metadataWriterApp,
          tempRoot: tmpdir(),
          timeouts: { quiesceMs: timeoutMs, readyMs: timeoutMs, execMs: Math.max(timeoutMs, 30 * 60_000) },
          log,
        },
      );
      return toResults(result);
    } catch (error) {
      if (error instanceof MlmdRestoreFailedError) addResults(toResults(error.result));
      throw error;
    } finally {
      client.destroy();
    }
  },
};
