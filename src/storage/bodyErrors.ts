/** An object body that is not the length the listing promised: worth another attempt (see sync/errors.ts). */

/** The body ended before the length the listing (or Content-Length) promised. */
export class TruncatedBodyError extends Error {
  constructor(
    readonly received: number,
    readonly expected: number,
  ) {
    super(`body ended after ${received} of ${expected} bytes`);
    this.name = 'TruncatedBodyError';
  }
}

/** The object's size on the source is not what the listing said (truncated headers, or it changed). */
export class SizeMismatchError extends Error {
  constructor(
    readonly listed: number,
    readonly served: number | undefined,
  ) {
    super(`the source served ${served === undefined ? 'no Content-Length' : `${served} bytes`} where the listing said ${listed}`);
    this.name = 'SizeMismatchError';
  }
}
