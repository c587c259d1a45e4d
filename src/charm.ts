/**
 * Entry point: ./dispatch runs this for every hook and action. Reads what Juju is asking for, routes it,
 * and turns anything unexpected into a log line and a non-zero exit (Juju then shows the hook as failed
 * and retries it).
 */
import { ACTIONS } from './actions/registry';
import { describeError } from './errors';
import { runAction, type ActionHandler } from './juju/actionRunner';
import { readContext } from './juju/context';
import * as tools from './juju/hookTools';
import { handleHook } from './charm/hooks';
import { redact } from './util/redact';

async function main(): Promise<number> {
  const context = readContext(process.env);
  // performance.now() counts from process start: the cost of starting Node and loading this bundle.
  await tools.jujuLog('DEBUG', `${context.kind} ${context.kind === 'action' ? context.actionName : context.hookName}: handler start after ${performance.now().toFixed(0)} ms`);
  if (context.kind === 'action') {
    const load = ACTIONS[context.actionName];
    const handlers: ActionHandler[] = load
      ? [await load()]
      : Object.keys(ACTIONS).map((name) => ({ name, run: () => Promise.reject(new Error('not loaded')) }));
    // Not 0 when the action failed, was refused or is degraded: `juju run` exits with 1 only then.
    return (await runAction(handlers, context)).exitStatus;
  }
  await handleHook(context);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    const message = redact(describeError(error));
    process.stderr.write(`ckf-restore: ${message}\n`);
    // The message is already on stderr, which Juju keeps in the unit log; a failing juju-log adds nothing.
    await tools.jujuLog('ERROR', message).catch((logError: unknown) => process.stderr.write(`juju-log failed: ${redact(describeError(logError))}\n`));
    process.exitCode = 1;
  },
);
