/**
 * Bandwidth: the `bwlimit` parameter as rclone reads it, and one limiter shared by every transfer of a
 * sync so the total, not each stream, stays under the limit.
 */
import { InvalidInputError } from '../../errors';
import { sleep } from '../../util/sleep';

const KIB_MULTIPLIER: Record<string, number> = { b: 1 / 1024, k: 1, m: 1024, g: 1024 ** 2, t: 1024 ** 3, p: 1024 ** 4 };

/**
 * Bytes per second from rclone's `--bwlimit` syntax, 0 = unlimited. As rclone: a plain number is KiB/s
 * (`100` = 100 KiB/s), suffixes B|K|M|G|T|P are binary (`20M` = 20 MiB/s), case-insensitive, optionally
 * followed by `i` or `iB` (`20Mi`, `20MiB`); decimals are allowed (`1.5M`); `0` and `off` mean no limit.
 * rclone's separate upload:download limits and timetables are not supported: one limit covers both.
 */
export function parseBandwidth(text: string, parameter = 'bwlimit'): number {
  const trimmed = text.trim();
  if (/^off$/i.test(trimmed)) return 0;
  const match = /^(\d+(?:\.\d+)?)(?:([bkmgtp])(i?b?)?)?$/i.exec(trimmed);
  const unit = (match?.[2] ?? 'k').toLowerCase();
  // `Bi`/`BiB` are not units rclone knows.
  if (!match || (unit === 'b' && match[3])) {
    const why = trimmed.includes(':') ? ' (separate upload:download limits and timetables are not supported)' : '';
    throw new InvalidInputError(`invalid ${parameter} "${text}"${why}`, {
      hint: `Give a rate like rclone's --bwlimit: "20M" (20 MiB/s), "512K", "1.5G", a plain number in KiB/s ("100"), or "0"/"off" for no limit`,
    });
  }
  return Math.round(Number(match[1]) * (KIB_MULTIPLIER[unit] as number) * 1024);
}

/**
 * A token bucket over bytes (GCRA form): each `take` reserves its bytes on a shared timeline and waits
 * until the timeline allows them, so concurrent streams share the rate in arrival order. A small burst
 * (50 ms of traffic) keeps short bursts smooth without letting the average drift above the limit.
 */
export class BandwidthLimiter {
  private theoreticalArrivalMs = 0;
  private readonly burstMs: number;

  constructor(readonly bytesPerSecond: number) {
    this.burstMs = bytesPerSecond > 0 ? Math.max(50, (64 * 1024 * 1000) / bytesPerSecond) : 0;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0 || bytes <= 0) return;
    const now = performance.now();
    this.theoreticalArrivalMs = Math.max(this.theoreticalArrivalMs, now - this.burstMs) + (bytes * 1000) / this.bytesPerSecond;
    const waitMs = this.theoreticalArrivalMs - now;
    if (waitMs > 1) await sleep(waitMs, signal);
  }
}
