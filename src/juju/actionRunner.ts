/**
 * Runs one action: read params, hand them to the handler, set its results; on any failure keep the
 * partial results, say what happened and what to do with `action-fail`. Handlers stay thin and never
 * touch hook tools for results or failure themselves.
 *
 * Every run ends with an `outcome` in the results and an exit status for the process: `juju run` decides
 * its own exit status from the task's `return-code` (the exit status of this process), not from
 * action-fail, so a run that did not succeed must also exit non-zero for a script to notice (README,
 * "Scripts and cron").
 */
import { describeError, isRefusal, RestoreError } from '../errors';
import { redact } from '../util/redact';
import { flattenResults, type Results } from './actionResults';
import type { ActionContext } from './context';
import * as tools from './hookTools';
import type { RawParams } from './params';

export interface ActionRun {
  context: ActionContext;
  params: RawParams;
  /** Streams a line to `juju run` (action-log). Ordered; failures to log never fail the action. */
  log(line: string): void;
  /** Results that survive a later failure (e.g. what was already copied). */
  addResults(results: Results): void;
  /**
   * The run finished but not wholly well (e.g. a cross-check found missing objects): the outcome is
   * `degraded`, `reason` goes into the results (`degraded-reason`) and to stderr, and the process exits 1
   * without action-fail. The last call wins.
   */
  markDegraded(reason: string): void;
}

export interface ActionHandler {
  name: string;
  run(run: ActionRun): Promise<Results>;
}

/**
 * - `ok`: it did what was asked.
 * - `degraded`: it finished, but something is not as it should be (`degraded-reason` says what).
 * - `refused`: a check declined the request and what was declined changed nothing (`isRefusal`).
 * - `failed`: something was tried and did not work; `error.message` says what, and what to do.
 */
export type Outcome = 'ok' | 'degraded' | 'refused' | 'failed';

/** The process's exit status per outcome: anything but `ok` makes `juju run` exit 1. */
export const EXIT_STATUS: Record<Outcome, 0 | 1> = { ok: 0, degraded: 1, refused: 1, failed: 1 };

export interface ActionOutcome {
  outcome: Outcome;
  exitStatus: 0 | 1;
  /** Why, for every outcome but `ok` (unredacted: everything that prints it redacts it). */
  message?: string;
}

export async function runAction(handlers: readonly ActionHandler[], context: ActionContext): Promise<ActionOutcome> {
  const handler = handlers.find((candidate) => candidate.name === context.actionName);
  if (!handler) {
    const message = `unknown action ${JSON.stringify(context.actionName)}; this charm has: ${handlers.map((h) => h.name).join(', ')}`;
    return finishUnsuccessful(context, {}, 'refused', message, 'UnknownAction');
  }

  let logChain: Promise<void> = Promise.resolve();
  const log = (line: string): void => {
    logChain = logChain.then(() =>
      tools.actionLog(line).catch((error: unknown) => {
        // A lost progress line must not fail a restore; say so on stderr, which Juju keeps in the unit log.
        process.stderr.write(`action-log failed: ${redact(describeError(error))}\n`);
      }),
    );
  };
  let partial: Results = {};
  const addResults = (results: Results): void => {
    partial = { ...partial, ...results };
  };
  let degraded: string | undefined;
  const markDegraded = (reason: string): void => {
    degraded = reason;
  };

  try {
    const params = await tools.actionGet();
    const results = await handler.run({ context, params, log, addResults, markDegraded });
    await logChain;
    if ('outcome' in results) throw new Error(`action ${handler.name} set the reserved result key "outcome" itself`);
    const outcome: Outcome = degraded === undefined ? 'ok' : 'degraded';
    await tools.actionSet(flattenResults({ ...partial, ...results, outcome, degradedReason: degraded }));
    if (degraded !== undefined) {
      writeStderr(`ckf-restore: ${context.actionName} degraded: ${degraded}`);
      return { outcome, exitStatus: EXIT_STATUS[outcome], message: degraded };
    }
    return { outcome, exitStatus: EXIT_STATUS[outcome] };
  } catch (error) {
    await logChain;
    const outcome: Outcome = isRefusal(error) ? 'refused' : 'failed';
    return finishUnsuccessful(context, partial, outcome, describeError(error), error instanceof RestoreError ? error.name : 'UnexpectedError');
  }
}

/**
 * Results with the outcome and the error, then action-fail, then the reason on stderr. Each step is
 * tried even when an earlier one failed (a broken hook tool must not hide the failure): stderr reaches
 * `juju run` and the unit log whatever happens, and the exit status is non-zero.
 */
async function finishUnsuccessful(context: ActionContext, partial: Results, outcome: 'refused' | 'failed', message: string, kind: string): Promise<ActionOutcome> {
  const failure: Results = { outcome, error: { message, kind } };
  await tools
    .actionSet(flattenResults({ ...partial, ...failure }))
    .catch((error: unknown) => {
      // The partial results may be what broke it (too large, a bad key): the outcome and error alone, then.
      writeStderr(`action-set failed: ${describeError(error)}`);
      return tools.actionSet(flattenResults(failure));
    })
    .catch((error: unknown) => writeStderr(`action-set failed: ${describeError(error)}`));
  await tools.actionFail(message).catch((error: unknown) => writeStderr(`action-fail failed: ${describeError(error)}`));
  writeStderr(`ckf-restore: ${context.actionName} ${outcome}: ${message}`);
  return { outcome, exitStatus: EXIT_STATUS[outcome], message };
}

function writeStderr(line: string): void {
  process.stderr.write(`${redact(line)}\n`);
}
