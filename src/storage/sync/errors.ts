/** The sync's own failures, and which transient failures are worth another attempt. */
import { RestoreError } from '../../errors';
import { StorageError } from '../storageError';
import { SizeMismatchError, TruncatedBodyError } from '../bodyErrors';
import type { SyncReport } from './report';

export { SizeMismatchError, TruncatedBodyError };

export type SyncFailure = 'copy-failed' | 'delete-failed' | 'aborted' | 'empty-source' | 'max-delete';

/** The run did not finish; `report` says what was done. Running it again completes it without copying anything twice. */
export class SyncFailedError extends RestoreError {
  constructor(
    message: string,
    readonly reason: SyncFailure,
    readonly report: SyncReport,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }

  /** The safety guards (an empty source, too many deletions) refuse; the rest failed. */
  override get refusal(): boolean {
    return this.reason === 'empty-source' || this.reason === 'max-delete';
  }
}

const TRANSIENT_CODES = new Set([
  'SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeTooSkewed', 'ThrottlingException', 'Throttling', 'TooManyRequests',
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'TimeoutError', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
  // A listing page that could not be read whole (cut short, garbled): fetched again.
  'ListingFormatError',
]);

function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string') return e.code;
  if (e.message === 'aborted') return 'ECONNRESET';
  if (e.cause) return networkCode(e.cause);
  return undefined;
}

/** Worth retrying: server errors (5xx, SlowDown), throttling, network resets, short bodies, unreadable listing pages. Not: 4xx, our own abort. */
export function isTransient(error: unknown): boolean {
  // A TransferError (transfer.ts) has already decided.
  const decided = (error as { transient?: unknown } | undefined)?.transient;
  if (typeof decided === 'boolean') return decided;
  if (error instanceof TruncatedBodyError || error instanceof SizeMismatchError) return true;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'AbortError') return false;
  const status = error instanceof StorageError ? error.statusCode : e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (status !== undefined && status >= 400) return false;
  if (error instanceof StorageError && TRANSIENT_CODES.has(error.code)) return true;
  if (e.name && TRANSIENT_CODES.has(e.name)) return true;
  const code = networkCode(error);
  if (code && TRANSIENT_CODES.has(code)) return true;
  // The SDK reports a connection dropped mid-response this way, with no code.
  return /socket hang up|aborted|premature close|ECONNRESET|EPIPE/i.test(e.message ?? '');
}

/** One line for the report: never the credentials (SDK messages do not carry them). */
export function describeFailure(error: unknown): string {
  if (error instanceof StorageError) return error.message;
  const e = error as { name?: string; message?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  // Our own TransferError messages are complete already; the SDK's wrapper of a network error says less than its cause.
  if (e?.name === 'TransferError') return e.message ?? '';
  if (e?.cause && e.message?.startsWith('AWS SDK error wrapper')) return describeFailure(e.cause);
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(error)}${status ? ` (HTTP ${status})` : ''}`;
}
