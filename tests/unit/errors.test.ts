import { describeError, InvalidInputError, isRefusal, RefusalError, RestoreError } from '../../src/errors';
import { PhaseFailedError } from '../../src/restore/phases';
import { RelationNotReadyError } from '../../src/actions/charmState';
import { RelationDataError } from '../../src/relations/relationDataError';
import { SyncFailedError } from '../../src/storage/sync/errors';
import { emptyReport } from '../../src/storage/sync/report';
import { ActivityError, BackupNotFoundError, MlmdRestoreFailedError } from '../../src/restore/mlmd/restoreMlmd';
import { SchemaTooNewError, SqlDumpError } from '../../src/mlmd/errors';
import { DatabasePreflightError } from '../../src/restore/databases/restoreDatabases';

const mlmdResult = { backup: 'b', dryRun: false, alreadyRestored: false, warnings: [], phases: {} };
const phaseFailure = (cause: unknown) => new PhaseFailedError('preflight', {}, cause);

describe('isRefusal', () => {
  test.each([
    ['InvalidInputError', new InvalidInputError('parameter x is bad'), true],
    ['a RefusalError', new RefusalError('no'), true],
    ['a missing relation', new RelationNotReadyError('no s3-credentials relation'), true],
    ['malformed relation data', new RelationDataError('s3-credentials', 'bucket', 'is missing'), true],
    ['a failed databases preflight', new DatabasePreflightError([{ ok: false, target: { database: 'kfp-db', app: 'kfp-db', backupId: 'x' }, problem: 'no such backup', hint: 'list-backups' }]), true],
    ['the empty-source guard', new SyncFailedError('refusing', 'empty-source', emptyReport(false)), true],
    ['the max-delete guard', new SyncFailedError('refusing', 'max-delete', emptyReport(false)), true],
    ['failed copies', new SyncFailedError('2 failed', 'copy-failed', emptyReport(false)), false],
    ['an aborted sync', new SyncFailedError('aborted', 'aborted', emptyReport(false)), false],
    ['running pipelines (restore-mlmd), wrapped twice', new MlmdRestoreFailedError(phaseFailure(new ActivityError('2 runs')), { ...mlmdResult }), true],
    ['a missing MLMD backup, wrapped', new MlmdRestoreFailedError(phaseFailure(new BackupNotFoundError('not found')), { ...mlmdResult }), true],
    ['a backup newer than MLMD', phaseFailure(new SchemaTooNewError('newer')), true],
    ['a broken dump, wrapped', new MlmdRestoreFailedError(phaseFailure(new SqlDumpError('syntax', {})), { ...mlmdResult }), false],
    ['a plain RestoreError', new RestoreError('the pod did not come back'), false],
    ['a wrapper around a library error', phaseFailure(new TypeError('x is undefined')), false],
    ['a library error', new TypeError('x is undefined'), false],
    ['not an error', 'text', false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isRefusal(error)).toBe(expected);
  });

  test('a class that knows it failed wins over a refusal it wraps', () => {
    class CopyFailed extends RestoreError {
      override get refusal(): boolean {
        return false;
      }
    }
    expect(isRefusal(new CopyFailed('copies failed', { cause: new InvalidInputError('x') }))).toBe(false);
  });

  test('a cause chain that loops ends', () => {
    const a = new RestoreError('a');
    const b = new RestoreError('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(isRefusal(a)).toBe(false);
  });
});

test('describeError joins message and hint', () => {
  expect(describeError(new InvalidInputError('parameter x is bad', { hint: 'Use y' }))).toBe('parameter x is bad. Use y');
});
