import { sleep } from './sleep';

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time (with jitter), capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Whether this error is worth another attempt. Default: always. */
  retryable?: (error: unknown) => boolean;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** Replaceable for deterministic tests. */
  random?: () => number;
}

/** Runs `fn` until it succeeds or attempts run out; rethrows the last error. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs = 30_000, retryable = () => true, random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error) || options.signal?.aborted) throw error;
      const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      // "Equal jitter": half fixed, half random, so retries from parallel workers spread out.
      const delayMs = Math.round(exponential / 2 + (random() * exponential) / 2);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
