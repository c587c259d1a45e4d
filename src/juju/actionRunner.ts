/**
 * Runs one action: read params, hand them to the handler, set its results; on any failure keep the
 * partial results, say what happened and what to do with `action-fail`. Handlers stay thin and never
 * touch hook tools for results or failure themselves.
 */
import { describeError, RestoreError } from '../errors';
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
}

export interface ActionHandler {
  name: string;
  run(run: ActionRun): Promise<Results>;
}

export interface ActionOutcome {
  ok: boolean;
  message?: string;
}

export async function runAction(handlers: readonly ActionHandler[], context: ActionContext): Promise<ActionOutcome> {
  const handler = handlers.find((candidate) => candidate.name === context.actionName);
  if (!handler) {
    const message = `unknown action ${JSON.stringify(context.actionName)}; this charm has: ${handlers.map((h) => h.name).join(', ')}`;
    await tools.actionFail(message);
    return { ok: false, message };
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

  try {
    const params = await tools.actionGet();
    const results = await handler.run({ context, params, log, addResults });
    await logChain;
    await tools.actionSet(flattenResults({ ...partial, ...results }));
    return { ok: true };
  } catch (error) {
    await logChain;
    const message = describeError(error);
    const failure: Results = { ...partial, error: { message, kind: error instanceof RestoreError ? error.name : 'UnexpectedError' } };
    await tools.actionSet(flattenResults(failure));
    await tools.actionFail(message);
    return { ok: false, message };
  }
}
