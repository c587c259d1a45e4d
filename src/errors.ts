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
}

/** Bad operator input (action params, config): nothing has been changed when this is thrown. */
export class InvalidInputError extends RestoreError {}

/** Text for an operator: the message and, when there is one, what to do next. */
export function describeError(error: unknown): string {
  if (error instanceof RestoreError) {
    return error.hint ? `${error.message}. ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
