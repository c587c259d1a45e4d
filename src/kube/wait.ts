import { sleep } from '../util/sleep';
import { KubeTimeoutError } from './errors';

export interface WaitOptions {
  timeoutMs: number;
  /** Delay between checks. Default: 1 s (capped to the time left). */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Polls `check` until it returns a value (not undefined) or the deadline passes; then throws the error
 * `onTimeout` builds (it can describe the last state `check` saw).
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: WaitOptions,
  onTimeout: () => KubeTimeoutError,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 1000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw onTimeout();
    await sleep(Math.min(pollMs, left), options.signal);
  }
}
