import { InvalidInputError } from '../../../src/errors';
import { BandwidthLimiter, parseBandwidth } from '../../../src/storage/sync/bandwidth';
import { isTransient, SizeMismatchError, TruncatedBodyError } from '../../../src/storage/sync/errors';
import { StorageError } from '../../../src/storage/storageError';
import { formatSeconds } from '../../../src/storage/sync/progress';

test.each([
  ['20M', 20 * 1024 * 1024],
  ['20m', 20 * 1024 * 1024],
  ['20Mi', 20 * 1024 * 1024],
  ['20MiB', 20 * 1024 * 1024],
  ['512K', 512 * 1024],
  ['100', 100 * 1024], // rclone: a plain number is KiB/s
  ['1.5M', 1.5 * 1024 * 1024],
  ['1G', 1024 ** 3],
  ['2T', 2 * 1024 ** 4],
  ['4096B', 4096],
  ['0', 0],
  ['off', 0],
  [' 5M ', 5 * 1024 * 1024],
])('parseBandwidth(%j) = %d bytes/s', (text, bytes) => {
  expect(parseBandwidth(text)).toBe(bytes);
});

test.each(['', 'fast', '20 MB/s', '-1M', '10M:5M', '08:00,512k', '5x', '1BiB'])('parseBandwidth(%j) is refused with the parameter and examples', (text) => {
  const error = (() => {
    try {
      return parseBandwidth(text, 'bwlimit');
    } catch (caught) {
      return caught;
    }
  })();
  expect(error).toBeInstanceOf(InvalidInputError);
  expect((error as InvalidInputError).message).toContain('invalid bwlimit');
  expect((error as InvalidInputError).hint).toContain('"20M"');
});

test('the limiter holds several concurrent takers to the shared rate', async () => {
  const limiter = new BandwidthLimiter(1024 * 1024);
  const started = performance.now();
  // 4 takers × 8 × 16 KiB = 512 KiB at 1 MiB/s ≈ 0.5 s (less a 64 KiB burst).
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 8; i++) await limiter.take(16 * 1024);
  }));
  const seconds = (performance.now() - started) / 1000;
  expect(seconds).toBeGreaterThanOrEqual(0.4);
  expect(seconds).toBeLessThan(2);
});

test('an unlimited limiter never waits', async () => {
  const limiter = new BandwidthLimiter(0);
  const started = performance.now();
  for (let i = 0; i < 1000; i++) await limiter.take(1024 * 1024);
  expect(performance.now() - started).toBeLessThan(100);
});

test('transient failures: 5xx, SlowDown, resets, short bodies; not 4xx or an abort', () => {
  expect(isTransient(new StorageError('x', 'SlowDown', 503, {}))).toBe(true);
  expect(isTransient(new StorageError('x', 'InternalError', 500, {}))).toBe(true);
  expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isTransient(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isTransient(new TruncatedBodyError(5, 10))).toBe(true);
  expect(isTransient(new SizeMismatchError(10, 5))).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }))).toBe(true);
  expect(isTransient(new StorageError('x', 'AccessDenied', 403, {}))).toBe(false);
  expect(isTransient(Object.assign(new Error('x'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }))).toBe(false);
  expect(isTransient(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }))).toBe(false);
});

test('progress durations', () => {
  expect(formatSeconds(0.2)).toBe('1s');
  expect(formatSeconds(14)).toBe('14s');
  expect(formatSeconds(125)).toBe('2m05s');
});
