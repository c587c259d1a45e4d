import { InvalidInputError, isRefusal } from '../../../src/errors';
import { parseAt, parseDuration } from '../../../src/restore/controlPlane/backupTime';
import {
  BackupSelectionError,
  BackupSkewError,
  databaseCandidates,
  mlmdCandidates,
  mlpipelineCandidates,
  selectBackupSet,
  type BackupSetRequest,
} from '../../../src/restore/controlPlane/backupSet';

const HOUR = 3600_000;
const mlmd = mlmdCandidates([
  { name: 'mlmd-2024-05-01-10-30.dump.gz', bytes: 10, modified: '2024-05-01T10:31:12.000Z', format: 'sql-dump-gz', taken: undefined, age: undefined },
  { name: 'mlmd-2024-05-02-10-30.dump.gz', bytes: 10, modified: '2024-05-02T10:31:00.000Z', format: 'sql-dump-gz', taken: undefined, age: undefined },
  { name: 'mlmd-2024-04-30-10-30.db', bytes: 10, modified: '2024-04-30T10:31:00.000Z', format: 'sqlite', taken: undefined, age: undefined },
  // Newer than all, but a pre-restore snapshot: only when named.
  { name: 'ckf-restore/pre-restore/mlmd-2024-05-03T09-00-00Z.db', bytes: 10, modified: '2024-05-03T09:00:01.000Z', format: 'sqlite', taken: undefined, age: undefined },
  { name: 'mlmd-manual.db', bytes: 10, modified: '2024-05-01T11:00:00.000Z', format: 'sqlite', taken: undefined, age: undefined },
]);
const kfp = databaseCandidates([
  { id: '2024-04-30T10:25:00Z', type: 'full', status: 'finished' },
  { id: '2024-05-01T10:25:00Z', type: 'full', status: 'finished' },
  { id: '2024-05-01T10:29:00Z', type: 'incremental', status: 'failed' },
  { id: '2024-05-02T10:25:00Z', type: 'full', status: 'finished' },
]);
const katib = databaseCandidates([
  { id: '2024-05-01T10:26:00Z', type: 'full', status: 'finished' },
  { id: '2024-05-02T10:26:00Z', type: 'full', status: 'running' },
]);
const pipeline = mlpipelineCandidates([
  { prefix: 'mlpipeline', objects: 120, bytes: 1000, newest: '2024-05-01T10:20:00.000Z' },
  { prefix: 'mlpipeline-old', objects: 80, bytes: 900, newest: '2024-04-20T10:20:00.000Z' },
  { prefix: 'mlpipeline-empty', objects: 0, bytes: 0, newest: undefined },
]);
const ALL = { mlmd, 'kfp-db': kfp, 'katib-db': katib, mlpipeline: pipeline };

const request = (at: string, extra: Partial<BackupSetRequest> = {}): BackupSetRequest => ({ at: parseAt(at), maxSkewMs: HOUR, force: false, candidates: ALL, ...extra });
const picked = (set: ReturnType<typeof selectBackupSet>) => Object.fromEntries(set.chosen.map((c) => [c.component, c.backup]));
const failure = (r: BackupSetRequest) => {
  try {
    selectBackupSet(r);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
};

test('at: the newest finished/usable backup at or before it, per component; the skew of the set', () => {
  const set = selectBackupSet(request('2024-05-01T10:30Z'));
  expect(picked(set)).toEqual({ 'kfp-db': '2024-05-01T10:25:00Z', 'katib-db': '2024-05-01T10:26:00Z', mlmd: 'mlmd-2024-05-01-10-30.dump.gz', mlpipeline: 'mlpipeline' });
  // 10:20 (mlpipeline) to 10:30 (mlmd): the failed 10:29 kfp-db backup and the 11:00 manual MLMD file are not candidates.
  expect(set.skewMs).toBe(10 * 60_000);
  expect(set).toMatchObject({ maxSkewMs: HOUR, forced: false, warnings: [] });
  expect(set.chosen.map((c) => c.component)).toEqual(['kfp-db', 'katib-db', 'mlmd', 'mlpipeline']);
  expect(set.chosen.find((c) => c.component === 'mlmd')).toEqual({ component: 'mlmd', backup: 'mlmd-2024-05-01-10-30.dump.gz', time: new Date('2024-05-01T10:30:00Z'), by: 'at' });
});

test('at is inclusive and ignores what comes after it', () => {
  const set = selectBackupSet({ ...request('2024-05-01T10:25:00Z'), candidates: { 'kfp-db': kfp, mlmd }, force: true });
  expect(picked(set)).toEqual({ 'kfp-db': '2024-05-01T10:25:00Z', mlmd: 'mlmd-2024-04-30-10-30.db' });
});

test('latest: the newest usable of each; here they are a day apart, so max-skew refuses, listing each with its time', () => {
  const error = failure(request('latest'));
  expect(error).toBeInstanceOf(BackupSkewError);
  expect(isRefusal(error)).toBe(true);
  expect(error.message).toBe(
    'the chosen backups span 24h10m, more than max-skew 1h: kfp-db 2024-05-02T10:25:00Z (2024-05-02T10:25:00Z), katib-db 2024-05-01T10:26:00Z (2024-05-01T10:26:00Z), ' +
      'mlmd mlmd-2024-05-02-10-30.dump.gz (2024-05-02T10:30:00Z), mlpipeline mlpipeline (2024-05-01T10:20:00Z)',
  );
  expect((error as BackupSkewError).set.skewMs).toBe(24 * HOUR + 10 * 60_000);
});

test('force accepts a large skew and says so in the warnings', () => {
  const set = selectBackupSet(request('latest', { force: true }));
  expect(set.forced).toBe(true);
  expect(set.warnings).toEqual([expect.stringMatching(/^the backups span 24h10m, more than max-skew 1h \(restoring anyway: forced\): kfp-db 2024-05-02T10:25:00Z/)]);
});

test('a skew exactly at max-skew is accepted; one second more is not', () => {
  const candidates = { 'kfp-db': kfp, mlpipeline: pipeline };
  // kfp-db 2024-05-01T10:25:00Z, mlpipeline 10:20: 5 minutes.
  expect(selectBackupSet({ ...request('2024-05-01T10:30Z'), candidates, maxSkewMs: 5 * 60_000 }).skewMs).toBe(5 * 60_000);
  expect(failure({ ...request('2024-05-01T10:30Z'), candidates, maxSkewMs: 5 * 60_000 - 1000 })).toBeInstanceOf(BackupSkewError);
});

test('overrides win over at, per component, and count in the skew', () => {
  const set = selectBackupSet(request('2024-05-01T10:30Z', { overrides: { mlmd: 'ckf-restore/pre-restore/mlmd-2024-05-03T09-00-00Z.db', mlpipeline: 'mlpipeline-old' }, force: true }));
  expect(picked(set)).toMatchObject({ mlmd: 'ckf-restore/pre-restore/mlmd-2024-05-03T09-00-00Z.db', mlpipeline: 'mlpipeline-old', 'kfp-db': '2024-05-01T10:25:00Z' });
  expect(set.chosen.filter((c) => c.by === 'override').map((c) => c.component)).toEqual(['mlmd', 'mlpipeline']);
  expect(set.skewMs).toBe(new Date('2024-05-03T09:00:00Z').getTime() - new Date('2024-04-20T10:20:00Z').getTime());
  // A manual file without a time in its name: its modified time stands for it.
  const manual = selectBackupSet(request('2024-05-01T10:30Z', { overrides: { mlmd: 'mlmd-manual.db' } }));
  expect(manual.chosen.find((c) => c.component === 'mlmd')?.time).toEqual(new Date('2024-05-01T11:00:00Z'));
});

test('nothing at or before at: says which component and its oldest backup; all problems at once', () => {
  const error = failure(request('2024-04-30T10:00Z'));
  expect(error).toBeInstanceOf(BackupSelectionError);
  expect(isRefusal(error)).toBe(true);
  expect((error as BackupSelectionError).problems).toEqual([
    { component: 'kfp-db', problem: 'nothing at or before 2024-04-30T10:00:00Z; the oldest is 2024-04-30T10:25:00Z (2024-04-30T10:25:00Z)' },
    { component: 'katib-db', problem: 'nothing at or before 2024-04-30T10:00:00Z; the oldest is 2024-05-01T10:26:00Z (2024-05-01T10:26:00Z)' },
    { component: 'mlmd', problem: 'nothing at or before 2024-04-30T10:00:00Z; the oldest is mlmd-2024-04-30-10-30.db (2024-04-30T10:30:00Z)' },
  ]);
  expect(error.message).toMatch(/^no backup set: kfp-db: nothing at or before 2024-04-30T10:00:00Z; the oldest is/);
});

test('an override that does not exist, or cannot be restored, is refused naming what there is', () => {
  const error = failure(request('latest', { overrides: { 'kfp-db': '2024-05-01T10:24:00Z', 'katib-db': '2024-05-02T10:26:00Z', mlpipeline: 'mlpipeline-empty', mlmd: 'nope.db' } }));
  expect((error as BackupSelectionError).problems).toEqual([
    { component: 'kfp-db', problem: '2024-05-01T10:24:00Z does not exist (there are: 2024-05-02T10:25:00Z, 2024-05-01T10:25:00Z, 2024-04-30T10:25:00Z)' },
    { component: 'katib-db', problem: '2024-05-02T10:26:00Z cannot be restored: its status is "running", not finished' },
    { component: 'mlmd', problem: expect.stringMatching(/^nope\.db does not exist \(there are: ckf-restore\/pre-restore\/mlmd-2024-05-03T09-00-00Z\.db, mlmd-2024-05-02-10-30\.dump\.gz, /) },
    { component: 'mlpipeline', problem: 'mlpipeline-empty cannot be restored: it holds no objects' },
  ]);
});

test('a component with no usable backup at all says why', () => {
  const error = failure({ ...request('latest'), candidates: { 'katib-db': databaseCandidates([{ id: '2024-05-02T10:26:00Z', type: 'full', status: 'failed' }]), mlpipeline: [] } });
  expect((error as BackupSelectionError).problems).toEqual([
    { component: 'katib-db', problem: 'no usable backup (1 not usable: 1 its status is "failed", not finished)' },
    { component: 'mlpipeline', problem: 'no usable backup' },
  ]);
});

test('only the components asked for are chosen', () => {
  const set = selectBackupSet({ ...request('2024-05-01T10:30Z'), candidates: { mlmd } });
  expect(picked(set)).toEqual({ mlmd: 'mlmd-2024-05-01-10-30.dump.gz' });
  expect(set.skewMs).toBe(0);
});

test('unparsable at and max-skew are InvalidInputErrors (refusals) before anything is chosen', () => {
  for (const bad of [() => parseAt('2024-05-01 10:30'), () => parseDuration('an hour')]) {
    expect(bad).toThrow(InvalidInputError);
    try {
      bad();
    } catch (error) {
      expect(isRefusal(error)).toBe(true);
    }
  }
});
