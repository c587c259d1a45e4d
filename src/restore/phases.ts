/**
 * A restore is a list of named phases run in order, then cleanup phases that always run (resume the
 * writer, remove temp files), whatever happened before. Each phase is logged as `[3/7] fetch: …` and
 * timed; the report goes into the action results as `phases.<name>`.
 */
import { describeError, RestoreError } from '../errors';

export interface Phase {
  name: string;
  /** Resolves to 'skipped' when there was nothing to do (e.g. the database already had that content). */
  run: (log: (line: string) => void) => Promise<void | 'skipped'>;
}

export interface PhaseRecord {
  status: 'done' | 'failed' | 'skipped';
  seconds: number;
  error?: string;
}

export type PhaseReport = Record<string, PhaseRecord>;

/** The first failure, with every phase's record (cleanups included). */
export class PhaseFailedError extends RestoreError {
  constructor(
    readonly phase: string,
    readonly report: PhaseReport,
    cause: unknown,
  ) {
    super(`${phase} failed: ${describeError(cause)}`, { cause });
  }
}

export async function runPhases(phases: Phase[], cleanups: Phase[], log: (line: string) => void): Promise<PhaseReport> {
  const report: PhaseReport = {};
  const total = phases.length + cleanups.length;
  let failure: { phase: string; error: unknown } | undefined;

  const runOne = async (phase: Phase, index: number): Promise<void> => {
    const prefix = `[${index + 1}/${total}] ${phase.name}`;
    const started = performance.now();
    try {
      const outcome = await phase.run((line) => log(`${prefix}: ${line}`));
      report[phase.name] = { status: outcome === 'skipped' ? 'skipped' : 'done', seconds: elapsed(started) };
      log(`${prefix}: ${outcome === 'skipped' ? 'skipped' : `done in ${elapsed(started)} s`}`);
    } catch (error) {
      report[phase.name] = { status: 'failed', seconds: elapsed(started), error: describeError(error) };
      log(`${prefix}: failed: ${describeError(error)}`);
      failure ??= { phase: phase.name, error };
    }
  };

  for (const [index, phase] of phases.entries()) {
    if (failure) report[phase.name] = { status: 'skipped', seconds: 0 };
    else await runOne(phase, index);
  }
  for (const [index, phase] of cleanups.entries()) await runOne(phase, phases.length + index);

  if (failure) throw new PhaseFailedError(failure.phase, report, failure.error);
  return report;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) / 10) / 100;
}
