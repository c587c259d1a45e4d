/*
 * Errors crossing a thread boundary keep their class (by name), message and hint, so an operator sees the
 * same TruncatedGzipError or UnverifiableContentError whichever thread met it.
 */
import { RestoreError } from '../../errors';
import * as mlmdErrors from '../errors';

export interface WireError {
  name: string;
  message: string;
  hint?: string;
  statement?: number;
  line?: number;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const extra = error as { hint?: unknown; statement?: unknown; line?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof extra.hint === 'string' ? { hint: extra.hint } : {}),
      ...(typeof extra.statement === 'number' ? { statement: extra.statement } : {}),
      ...(typeof extra.line === 'number' ? { line: extra.line } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

type ErrorClass = new (message: string, options?: { hint?: string }) => RestoreError;

export function fromWireError(wire: WireError): Error {
  if (wire.name === 'SqlDumpError') {
    return new mlmdErrors.SqlDumpError(wire.message, { statement: wire.statement, line: wire.line }, wire.hint === undefined ? {} : { hint: wire.hint });
  }
  const known = (mlmdErrors as unknown as Record<string, unknown>)[wire.name];
  if (typeof known === 'function' && known.prototype instanceof RestoreError && wire.name !== 'NotMlmdDatabaseError' && wire.name !== 'ContentMismatchError') {
    return new (known as ErrorClass)(wire.message, wire.hint === undefined ? {} : { hint: wire.hint });
  }
  if (wire.name === 'RestoreError') return new RestoreError(wire.message, wire.hint === undefined ? {} : { hint: wire.hint });
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}
