/**
 * The base of every error this charm raises on purpose. `message` says what went wrong; `hint` says what
 * the operator should do about it. The action runner turns both into the `action-fail` message.
 */
export class RestoreError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /**
   * Whether this error is a refusal (see `isRefusal`): true or false when the class knows, undefined when
   * it only wraps another error (a phase failure, an engine's "failed with partial results") and the
   * wrapped error decides.
   */
  get refusal(): boolean | undefined {
    return undefined;
  }
}

/**
 * A check declined the request: the input, the relations or credentials, or a safety guard said no, and
 * what was declined changed nothing. Running the same request again gets the same answer until the
 * operator changes something (a parameter, `force`, a relation, the config). Anything else that stops an
 * action is a failure: something was tried and did not work.
 */
export class RefusalError extends RestoreError {
  override get refusal(): boolean {
    return true;
  }
}

/** Bad operator input (action params, config): nothing has been changed when this is thrown. */
export class InvalidInputError extends RefusalError {}

/**
 * Refusals raised by modules that do not extend RefusalError yet (src/restore/mlmd/ and src/mlmd/ are being
 * reworked elsewhere): running pipelines, a backup that is not there, a backup newer than MLMD can read.
 * Matched by class name, which the bundle keeps (it is `error.kind` in the results too).
 */
const REFUSALS_BY_NAME = new Set(['ActivityError', 'BackupNotFoundError', 'SchemaTooNewError']);

/**
 * Whether an action stopped by `error` was refused rather than failed: the first error along the `cause`
 * chain that knows (`refusal` true or false) decides; errors from outside this charm are failures.
 */
export function isRefusal(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 16 && current instanceof RestoreError; depth++) {
    const known = current.refusal ?? (REFUSALS_BY_NAME.has(current.name) ? true : undefined);
    if (known !== undefined) return known;
    current = current.cause;
  }
  return false;
}

/** Text for an operator: the message and, when there is one, what to do next. */
export function describeError(error: unknown): string {
  if (error instanceof RestoreError) {
    return error.hint ? `${error.message}. ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
