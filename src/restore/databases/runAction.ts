import { RestoreError } from '../../errors';
import type { ModelClient } from '../../juju/controller/modelClient';
import { FINISHED_ACTION_STATUSES, type ActionState } from '../../juju/controller/types';
import { sleep } from '../../util/sleep';

export interface RunActionOptions {
  timeoutMs: number;
  pollMinMs: number;
  pollMaxMs: number;
  /** Gets each new line of the action's log (action-log), once, in order. */
  onLog: (message: string) => void;
}

export interface ActionRun {
  operationId: string;
  state: ActionState;
}

/** The action did not finish within the bound; it may still be running. */
export class ActionTimeoutError extends RestoreError {
  constructor(readonly operationId: string, readonly lastState: ActionState, message: string, hint: string) {
    super(message, { hint });
  }
}

/**
 * Enqueues `name` on `unit` and polls it (interval doubling from pollMinMs to pollMaxMs) until Juju
 * reports it finished. Returns the final state whatever the outcome; throws only if it cannot tell.
 */
export async function runAction(
  client: ModelClient,
  unit: string,
  name: string,
  parameters: Record<string, unknown>,
  options: RunActionOptions,
): Promise<ActionRun> {
  const { operationId, actionId } = await client.enqueueAction(unit, name, parameters);
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.pollMinMs;
  let seen = 0;
  for (;;) {
    const state = await client.getAction(actionId);
    for (const line of state.log.slice(seen)) options.onLog(line.message);
    seen = Math.max(seen, state.log.length);
    if (FINISHED_ACTION_STATUSES.has(state.status)) return { operationId, state };
    if (Date.now() >= deadline) {
      throw new ActionTimeoutError(
        operationId,
        state,
        `${name} on ${unit} is still ${state.status} after ${options.timeoutMs} ms`,
        `Follow it with \`juju show-operation ${operationId}\``,
      );
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, options.pollMaxMs);
  }
}
