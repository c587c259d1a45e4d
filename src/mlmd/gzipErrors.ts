import { CorruptGzipError, TruncatedGzipError } from './errors';

/**
 * zlib's errors as operator-facing ones: an early end means the object was cut short; anything else
 * means the compressed bytes are damaged.
 */
export function gzipError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') {
    return new TruncatedGzipError(`${what} is a truncated gzip stream (it ends before the compressed data does)`, {
      hint: 'The backup was cut short (an interrupted upload or copy); pick another backup',
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new CorruptGzipError(`${what} starts like gzip but its compressed data is damaged: ${String((error as { message?: unknown }).message)}`, {
      hint: 'Pick another backup',
      cause: error,
    });
  }
  return error; // not a zlib error: pass it on unchanged
}
