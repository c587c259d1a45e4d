/**
 * Restores MLMD's SQLite database from a backup, safely: everything that can be checked is checked before
 * the cluster changes (backup exists, MLMD pod found, no running pipelines, backup builds into a verified
 * MLMD database); the live database is copied to the backup store and kept beside the new one; the writer
 * always comes back; a failure after the swap puts the old database back. No Juju in here.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeError, RestoreError } from '../../errors';
import type { Kube } from '../../kube/kube';
import type { PodContainer } from '../../kube/pods';
import { buildMlmdDatabase, type BuiltDatabase } from '../../mlmd/buildMlmdDatabase';
import { InsufficientSpaceError } from '../../mlmd/errors';
import type { RequestedMlmdFormat } from '../../mlmd/format';
import { ensureFreeSpace } from '../../mlmd/freeSpace';
import { digestDatabase, locateContentWorker } from '../../mlmd/content/contentThreads';
import { newestRecorded, readMlmdActivity, rowsNewerThan, utc, type MlmdActivity, type NewerRows } from '../../mlmd/mlmdActivity';
import { openReadOnly, readSchemaVersion } from '../../mlmd/mlmdDatabase';
import { sha256File } from '../../mlmd/sha256File';
import { compareSchema } from '../../mlmd/schemaCompare';
import { downloadToFile, headObject, uploadFromStream } from '../../storage/objects';
import { runPhases, type Phase, type PhaseReport } from '../phases';
import { HashMismatchError, MlmdContainer } from './container';

export interface MlmdRestoreRequest {
  /** Full object key of the backup in the store's bucket. */
  backupKey: string;
  format: RequestedMlmdFormat;
  dryRun: boolean;
  force: boolean;
}

export interface MlmdRestoreEnvironment {
  store: { client: S3Client; bucket: string; where: string; snapshotPrefix: string };
  kube: Kube;
  mlmdApp: string;
  dbPath: string;
  writerApp: string;
  /** Local scratch space (the backup and the built database go here). */
  tempRoot: string;
  timeouts: { quiesceMs: number; readyMs: number; execMs: number };
  log: (line: string) => void;
  now?: () => Date;
}

/** Counts and newest times of one MLMD database, as reported. */
export interface ActivityReport {
  artifacts: number;
  executions: number;
  contexts: number;
  events: number;
  newestCreated: string | undefined;
  newestUpdated: string | undefined;
}

/** The live database against the backup: what a restore replaces and what it would discard. */
export interface MlmdComparison {
  verdict: 'will be replaced' | 'already restored' | 'no live database' | 'live database unreadable';
  backup: ActivityReport;
  live?: ActivityReport;
  /** Live rows created or updated after the backup's newest record: the restore discards them (the snapshot keeps them). */
  liveNewerThanBackup?: NewerRows;
  note?: string;
}

export interface MlmdRestoreResult {
  backup: string;
  dryRun: boolean;
  /** The live database already had exactly this content: nothing was changed. */
  alreadyRestored: boolean;
  format?: string;
  backupBytes?: number;
  bytes?: number;
  sha256?: string;
  schemaVersion?: number;
  counts?: BuiltDatabase['counts'];
  /**
   * Content fingerprints (src/mlmd/content/rowDigest.ts): the backup's, read by our code; the live
   * database's before the restore, and after it (equal to the backup's once restored).
   */
  fingerprint?: { backup: string; liveBefore?: string; liveAfter?: string };
  /** How the built database was checked against the backup. */
  contentCheck?: string;
  comparison?: MlmdComparison;
  snapshot?: { key: string; bytes: number; schemaVersion: number; fingerprint: string } | { skipped: string };
  warnings: string[];
  rolledBack?: boolean;
  phases: PhaseReport;
}

/** The live database copied out of the container. */
interface LiveCopy {
  sha256: string;
  bytes: number;
  fingerprint: string;
  /** Its content could not be read (fingerprint says why). */
  unreadable?: boolean;
}

/** Refused because pipelines or experiments are running. */
export class ActivityError extends RestoreError {}
export class BackupNotFoundError extends RestoreError {}

/** Extra room on the MLMD volume beyond the file itself (SQLite needs a little to open it). */
const VOLUME_MARGIN_BYTES = 8 * 1024 * 1024;

/**
 * The restore's phases as groups a caller composes: `prepare` changes nothing in the cluster (preflight,
 * fetch, build, compare); `quiesce` stops the writer; `install` puts the database in (snapshot, transfer,
 * swap, restart); the cleanups `rollback`, `resume` and `tidy` always run. restoreMlmd runs them all in
 * order; restore-control-plane runs prepare early and install between its own quiesce and resume of every
 * writer. `result` fills as they run.
 */
export interface MlmdRestoreSteps {
  result: MlmdRestoreResult;
  prepare: Phase[];
  quiesce: Phase;
  install: Phase[];
  rollback: Phase;
  resume: Phase;
  tidy: Phase;
  /** After prepare: whether the install will change anything (not a dry run, not already restored). */
  changing(): boolean;
}

export interface MlmdStepOptions {
  /** Refuse on running pipelines and experiments in preflight (restore-control-plane checks once itself). */
  checkActivity?: boolean;
}

export async function restoreMlmd(request: MlmdRestoreRequest, env: MlmdRestoreEnvironment): Promise<MlmdRestoreResult> {
  const steps = await mlmdRestoreSteps(request, env);
  const phases = request.dryRun ? steps.prepare : [...steps.prepare, steps.quiesce, ...steps.install];
  try {
    steps.result.phases = await runPhases(phases, [steps.rollback, steps.resume, steps.tidy], env.log);
    return steps.result;
  } catch (error) {
    throw new MlmdRestoreFailedError(error, steps.result);
  }
}

export async function mlmdRestoreSteps(request: MlmdRestoreRequest, env: MlmdRestoreEnvironment, options: MlmdStepOptions = {}): Promise<MlmdRestoreSteps> {
  const { store, kube } = env;
  const result: MlmdRestoreResult = { backup: request.backupKey, dryRun: request.dryRun, alreadyRestored: false, warnings: [], phases: {} };
  const workDir = await mkdtemp(join(env.tempRoot, 'ckf-restore-mlmd-'));
  const backupFile = join(workDir, 'backup');
  const builtFile = join(workDir, 'mlmd.db');
  const liveCopy = join(workDir, 'live.db');
  const restoringPath = `${env.dbPath}.restoring`;

  let backupSize = 0;
  let target: PodContainer | undefined;
  let container: MlmdContainer | undefined;
  let built: BuiltDatabase | undefined;
  let quiesced = false;
  let transferStarted = false;
  let swapped = false;
  let finished = false;
  const needContainer = (): MlmdContainer => {
    if (!container) throw new Error('MLMD container not resolved');
    return container;
  };
  const changing = () => !request.dryRun && !result.alreadyRestored;
  let live: LiveCopy | undefined;
  const setFingerprint = (values: { liveBefore?: string; liveAfter?: string }): void => {
    result.fingerprint = { backup: built?.backupFingerprint ?? '', ...result.fingerprint, ...values };
  };

  /** Copies the live database to `liveCopy`; the copy must still have `expectedSha` (else it changed while read). */
  const copyLive = async (expectedSha: string): Promise<LiveCopy> => {
    await needContainer().readFile(env.dbPath, createWriteStream(liveCopy));
    const sha256 = await sha256File(liveCopy);
    if (sha256 !== expectedSha) {
      throw new RestoreError(`the live database changed while it was copied (sha256 ${expectedSha} in the container, ${sha256} copied)`, {
        hint: 'MLMD is still writing to it: run the action again once pipelines are idle',
      });
    }
    const bytes = (await stat(liveCopy)).size;
    // A live database whose content cannot be read is still what the snapshot must keep: say so, go on.
    try {
      const db = openReadOnly(liveCopy);
      try {
        const { content } = await digestDatabase(db, liveCopy, locateContentWorker(), () => undefined);
        return { sha256, bytes, fingerprint: content.fingerprint };
      } finally {
        db.close();
      }
    } catch (error) {
      return { sha256, bytes, fingerprint: `unavailable: ${describeError(error)}`, unreadable: true };
    }
  };

  /** After the restart: the live file is still the verified build's bytes, so it holds the backup's content. */
  const checkLiveAfter = async (say: (line: string) => void): Promise<void> => {
    if (!built) return;
    const sha = await needContainer().sha256(env.dbPath);
    if (sha === built.sha256) {
      setFingerprint({ liveAfter: built.fingerprint });
      say(`live database sha256 ${sha} is the verified build's: content fingerprint ${built.fingerprint}, the backup's`);
      return;
    }
    result.warnings.push(`MLMD changed ${env.dbPath} when it started (sha256 now ${sha ?? 'none'}), e.g. by upgrading its schema; its content was not re-read`);
    say('MLMD changed the database file when it started; see warnings');
  };

  const prepare: Phase[] = [
    {
      name: 'preflight',
      run: async (say) => {
        const head = await headObject(store.client, store.bucket, request.backupKey, store.where);
        if (!head) {
          throw new BackupNotFoundError(`backup ${request.backupKey} not found in ${store.where}`, { hint: 'Run list-backups to see the MLMD backups there' });
        }
        if (head.size === 0) throw new RestoreError(`backup ${request.backupKey} is empty (0 bytes)`, { hint: 'Pick another backup (list-backups)' });
        backupSize = head.size;
        target = await kube.findMlmdPod(env.mlmdApp);
        container = new MlmdContainer(kube, target, env.timeouts.execMs);
        say(`backup ${request.backupKey}: ${backupSize} bytes; MLMD is ${target.pod}/${target.container}`);
        if (options.checkActivity === false) return;
        const activity = await kube.checkActivity();
        const running = [...activity.workflows.map((name) => `workflow ${name}`), ...activity.experiments.map((name) => `experiment ${name}`)];
        if (activity.scheduledWorkflows.length > 0) {
          result.warnings.push(`${activity.scheduledWorkflows.length} recurring run(s) enabled (e.g. ${activity.scheduledWorkflows.slice(0, 3).join(', ')}): they may start runs during the restore`);
        }
        if (running.length > 0) {
          const named = `${running.slice(0, 10).join(', ')}${running.length > 10 ? ` and ${running.length - 10} more` : ''}`;
          if (!request.force) {
            throw new ActivityError(`${running.length} pipeline run(s)/experiment(s) are running: ${named}`, {
              hint: 'Wait for them to finish or stop them; force=true restores anyway (their metadata may be lost)',
            });
          }
          result.warnings.push(`restoring while running (forced): ${named}`);
        }
      },
    },
    {
      name: 'fetch',
      run: async (say) => {
        await ensureFreeSpace(workDir, backupSize, `downloading the backup (${backupSize} bytes)`);
        result.backupBytes = await downloadToFile(store.client, store.bucket, request.backupKey, backupFile, store.where);
        say(`downloaded ${result.backupBytes} bytes`);
      },
    },
    {
      name: 'build',
      run: async (say) => {
        const needed = await estimateBuiltBytes(backupFile);
        await ensureFreeSpace(workDir, needed, `building the database (about ${needed} bytes)`);
        built = await buildMlmdDatabase({ input: backupFile, requestedFormat: request.format, output: builtFile, log: say });
        await rm(backupFile, { force: true });
        Object.assign(result, { format: built.format, bytes: built.outputBytes, sha256: built.sha256, schemaVersion: built.schemaVersion, counts: built.counts });
        setFingerprint({});
        const check = built.contentCheck;
        result.contentCheck =
          check.method === 'dump-values'
            ? `every value of ${check.rows} rows in ${check.tables} tables equals the dump's (read by ckf-restore, REALs bit for bit)`
            : `raw database file, ${check.rows} rows in ${check.tables} tables fingerprinted`;
        say(`verified: schema ${built.schemaVersion}, ${built.counts.artifacts} artifacts, ${built.counts.executions} executions, ${built.counts.contexts} contexts; ${result.contentCheck}; fingerprint ${built.fingerprint}`);
      },
    },
    {
      name: 'compare',
      run: async (say) => {
        if (!built) throw new Error('bug: compare before build');
        const builtDb = openReadOnly(builtFile);
        let backupActivity: MlmdActivity;
        let backupNewest: number | undefined;
        try {
          backupActivity = readMlmdActivity(builtDb);
          backupNewest = newestRecorded(builtDb, backupActivity);
        } finally {
          builtDb.close();
        }
        const backupReport = report(backupActivity);
        const liveSha = await needContainer().sha256(env.dbPath);
        if (liveSha === undefined) {
          result.comparison = { verdict: 'no live database', backup: backupReport };
          return say(`no live database at ${env.dbPath}: the backup's ${describeActivity(backupActivity)} will be put there`);
        }
        if (liveSha === built.sha256) {
          result.alreadyRestored = true;
          setFingerprint({ liveBefore: built.fingerprint });
          result.comparison = { verdict: 'already restored', backup: backupReport, live: backupReport, liveNewerThanBackup: noneNewer() };
          return say('the live database is byte for byte the verified build: nothing to do');
        }
        // Read the live database here to compare it; MLMD may still write to it, so the snapshot reads it
        // again once the writer is stopped (unless its sha256 shows it unchanged).
        const size = (await needContainer().size(env.dbPath)) ?? 0;
        await ensureFreeSpace(workDir, size, `copying the live database (${size} bytes) to compare it`);
        try {
          live = await copyLive(liveSha);
        } catch (error) {
          result.comparison = { verdict: 'live database unreadable', backup: backupReport, note: describeError(error) };
          result.warnings.push(`the live database could not be read for the comparison (${describeError(error)}); it is read again once the writer is stopped`);
          return say('the live database could not be read for the comparison; it will be replaced');
        }
        setFingerprint({ liveBefore: live.fingerprint });
        if (live.unreadable) {
          result.comparison = { verdict: 'live database unreadable', backup: backupReport, note: live.fingerprint };
          result.warnings.push(`the live database's content could not be read (${live.fingerprint}); it will be replaced and kept in the snapshot`);
          return say('the live database could not be read for the comparison; it will be replaced');
        }
        const liveDb = openReadOnly(liveCopy);
        let liveReport: ActivityReport;
        let newer: NewerRows;
        try {
          liveReport = report(readMlmdActivity(liveDb));
          newer = backupNewest === undefined ? noneNewer() : rowsNewerThan(liveDb, backupNewest);
        } finally {
          liveDb.close();
        }
        if (live.fingerprint === built.fingerprint) {
          result.alreadyRestored = true;
          result.comparison = { verdict: 'already restored', backup: backupReport, live: liveReport, liveNewerThanBackup: newer };
          return say('the live database already holds exactly this content (same fingerprint, other bytes): nothing to do');
        }
        result.comparison = { verdict: 'will be replaced', backup: backupReport, live: liveReport, liveNewerThanBackup: newer };
        say(
          `the live database differs: it will be replaced. Live: ${describeReport(liveReport)}; backup: ${describeReport(backupReport)}; ` +
            `${newer.total} live records are newer than the backup's newest (${utc(backupNewest) ?? 'none'}) and would be discarded (the pre-restore snapshot keeps them)`,
        );
      },
    },
  ];

  const quiesce: Phase = {
    name: 'quiesce',
    run: async (say) => {
      if (!changing()) return 'skipped';
      quiesced = true;
      const quiesce = await kube.quiesceStatefulSet(env.writerApp, { timeoutMs: env.timeouts.quiesceMs });
      say(`${env.writerApp} scaled to 0 (was ${quiesce.originalReplicas}${quiesce.resumedFromEarlierRun ? ', recorded by an earlier run' : ''})`);
    },
  };
  const install: Phase[] = [
  {
    name: 'snapshot',
    run: async (say) => {
      if (!changing()) return 'skipped';
      const liveSha = await needContainer().sha256(env.dbPath);
      if (liveSha === undefined) {
        result.snapshot = { skipped: `no live database at ${env.dbPath}` };
        return say('no live database to keep');
      }
      if (live?.sha256 === liveSha) {
        say('the live database is unchanged since the comparison: keeping that copy');
      } else {
        const size = (await needContainer().size(env.dbPath)) ?? 0;
        await ensureFreeSpace(workDir, size, `copying the live database (${size} bytes)`);
        live = await copyLive(liveSha);
        setFingerprint({ liveBefore: live.fingerprint });
      }
      if (live.unreadable) result.warnings.push(`the live database's content could not be read (${live.fingerprint}); it is kept in the snapshot as it is`);
      const liveVersion = readSchemaVersion(liveCopy);
      const stamp = (env.now?.() ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
      const key = `${store.snapshotPrefix}mlmd-${stamp}.db`;
      await uploadFromStream(store.client, store.bucket, key, createReadStream(liveCopy), store.where, {
        contentType: 'application/vnd.sqlite3',
        metadata: { 'ckf-restore-fingerprint': live.fingerprint, 'ckf-restore-sha256': live.sha256 },
      });
      result.snapshot = { key, bytes: (await stat(liveCopy)).size, schemaVersion: liveVersion, fingerprint: live.fingerprint };
      say(`live database (schema ${liveVersion}, ${live.bytes} bytes, fingerprint ${live.fingerprint}) saved to ${store.bucket}/${key}`);
      const comparison = compareSchema(built?.schemaVersion ?? 0, liveVersion, { force: request.force });
      if (comparison.relation !== 'same') result.warnings.push(comparison.warning);
      await rm(liveCopy, { force: true });
    },
  },
  {
    name: 'transfer',
    run: async (say) => {
      if (!changing() || !built) return 'skipped';
      const free = await kube.volumeFreeSpace(needContainer().target.pod, needContainer().target.container, dirname(env.dbPath));
      const needed = built.outputBytes + VOLUME_MARGIN_BYTES;
      if (free.availableBytes < needed) {
        throw new InsufficientSpaceError(`the MLMD volume (${free.mountPoint}) has ${free.availableBytes} bytes free; the restored database needs ${needed}`, {
          hint: 'Grow the mlmd-data volume or free space on it, then run the action again; nothing was changed',
        });
      }
      transferStarted = true;
      await needContainer().writeFile(restoringPath, createReadStream(builtFile), built.outputBytes);
      const copied = await needContainer().sha256(restoringPath);
      if (copied !== built.sha256) {
        throw new HashMismatchError(`the copy in ${needContainer().target.pod} has sha256 ${copied ?? 'none'}, expected ${built.sha256}`, {
          hint: 'The transfer was corrupted; nothing was swapped. Run the action again',
        });
      }
      say(`${built.outputBytes} bytes in ${restoringPath}, sha256 verified`);
    },
  },
  {
    name: 'swap',
    run: async (say) => {
      if (!changing()) return 'skipped';
      await needContainer().swapIn(env.dbPath);
      swapped = true;
      say(`${env.dbPath} replaced; the previous one is ${env.dbPath}.pre-restore`);
    },
  },
  {
    name: 'restart',
    run: async (say) => {
      if (!changing()) return 'skipped';
      // MLMD keeps the old file open: only a new pod serves the restored database.
      await kube.restartPodAndWaitReady(needContainer().target.pod, env.timeouts.readyMs);
      finished = true;
      say(`${needContainer().target.pod} restarted and Ready`);
      await checkLiveAfter(say);
    },
  },
  ];

  const rollback: Phase = {
    name: 'rollback',
    run: async (say) => {
      if (!swapped || finished) return 'skipped';
      say(`putting ${env.dbPath}.pre-restore back`);
      await needContainer().rollBack(env.dbPath);
      result.rolledBack = true;
      await kube.restartPodAndWaitReady(needContainer().target.pod, env.timeouts.readyMs);
      say('previous database back in place and MLMD restarted');
    },
  };
  const resume: Phase = {
    name: 'resume',
    // Runs even when this run paused nothing: it also finishes an earlier run that crashed mid-way.
    run: async (say) => {
      if (request.dryRun) return 'skipped';
      const resume = await kube.resumeStatefulSet(env.writerApp);
      if (resume.resumed) say(`${env.writerApp} scaled back to ${resume.replicas}`);
      else if (quiesced) say(`${env.writerApp} had nothing recorded to resume`);
      else return 'skipped';
    },
  };
  const tidy: Phase = {
    name: 'tidy',
    run: async () => {
      if (transferStarted && !swapped && container) await container.remove(restoringPath);
      await rm(workDir, { recursive: true, force: true });
    },
  };

  return { result, prepare, quiesce, install, rollback, resume, tidy, changing };
}

function report(activity: MlmdActivity): ActivityReport {
  return {
    artifacts: activity.artifacts,
    executions: activity.executions,
    contexts: activity.contexts,
    events: activity.events,
    newestCreated: utc(activity.newestCreated),
    newestUpdated: utc(activity.newestUpdated),
  };
}

const noneNewer = (): NewerRows => ({ artifacts: 0, executions: 0, contexts: 0, events: 0, total: 0 });

function describeReport(r: ActivityReport): string {
  return `${r.artifacts} artifacts, ${r.executions} executions, ${r.contexts} contexts, ${r.events} events, newest update ${r.newestUpdated ?? 'none'}`;
}

function describeActivity(activity: MlmdActivity): string {
  return describeReport(report(activity));
}

/**
 * Room the built database will need: a gzip file records its uncompressed size (mod 4 GiB) in its last
 * four bytes; SQLite files and SQL text are about their own size. 10 % on top for indexes and slack.
 */
async function estimateBuiltBytes(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    let uncompressed = size;
    if (head[0] === 0x1f && head[1] === 0x8b && size >= 18) {
      const tail = Buffer.alloc(4);
      await handle.read(tail, 0, 4, size - 4);
      uncompressed = Math.max(size, tail.readUInt32LE(0));
    }
    return Math.ceil(uncompressed * 1.1);
  } finally {
    await handle.close();
  }
}

/** The restore failed; `result` holds what was done (phases, snapshot, rollback). */
export class MlmdRestoreFailedError extends RestoreError {
  constructor(
    cause: unknown,
    readonly result: MlmdRestoreResult,
  ) {
    super(`${describeError(cause)}${result.rolledBack ? '; the previous database was put back and MLMD restarted' : ''}`, { cause });
    if (typeof cause === 'object' && cause !== null && 'report' in cause) result.phases = (cause as { report: PhaseReport }).report;
  }
}
