import { describeError, InvalidInputError, RestoreError } from '../../src/errors';
import { clearSecrets, redact, registerSecret } from '../../src/util/redact';
import { retry } from '../../src/util/retry';

describe('redact', () => {
  beforeEach(() => clearSecrets());
  test('masks every registered secret, longest first', () => {
    registerSecret('abcd');
    registerSecret('abcdefgh');
    expect(redact('x abcdefgh y abcd z')).toBe('x *** y *** z');
  });
  test('short values are not registered; access keys use a higher floor', () => {
    registerSecret('abc');
    registerSecret('minio', { minLength: 8 });
    expect(redact('abc minio')).toBe('abc minio');
  });
});

describe('retry', () => {
  test('retries retryable errors with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { attempts: 5, baseDelayMs: 4, random: () => 1, onRetry: (_e, _a, delay) => delays.push(delay) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([4, 8]);
  });
  test('stops at once on a non-retryable error and after the last attempt', async () => {
    let calls = 0;
    await expect(retry(async () => { calls++; throw new Error('fatal'); }, { attempts: 5, baseDelayMs: 1, retryable: () => false })).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    calls = 0;
    await expect(retry(async () => { calls++; throw new Error('again'); }, { attempts: 3, baseDelayMs: 1 })).rejects.toThrow('again');
    expect(calls).toBe(3);
  });
});

test('describeError joins message and hint', () => {
  expect(describeError(new InvalidInputError('backup is required', { hint: 'Pass backup=<key>' }))).toBe('backup is required. Pass backup=<key>');
  expect(describeError(new RestoreError('plain'))).toBe('plain');
  expect(describeError(new Error('other'))).toBe('other');
  expect(describeError('text')).toBe('text');
});
