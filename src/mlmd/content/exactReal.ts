/*
 * SQLite's decimal-to-double conversion is not correctly rounded: the SQLite in Node 22 (3.51) reads
 * `-2.49999999999999998e-300` one ulp off, and about 17 in 100 doubles from random bit patterns as
 * `sqlite3 .dump` prints them; Debian's sqlite3 3.40 misreads fewer, but some. So the build never lets
 * SQLite convert a REAL literal: each becomes `ckf_exact_real(hi, lo)`, the two 32-bit halves of the IEEE
 * pattern that JavaScript's (correctly rounded) Number() read from the literal, and this function hands
 * SQLite exactly that double.
 */
import type { DatabaseSync } from 'node:sqlite';

export const EXACT_REAL_FUNCTION = 'ckf_exact_real';

const view = new DataView(new ArrayBuffer(8));

/** The SQL that yields exactly `value` once `registerExactReal` is on the connection. */
export function exactRealCall(value: number): string {
  view.setFloat64(0, value);
  return `${EXACT_REAL_FUNCTION}(${view.getUint32(0)},${view.getUint32(4)})`;
}

/** Adds the function to a connection; directOnly: usable in the statements we run, never from a trigger or view. */
export function registerExactReal(db: DatabaseSync): void {
  db.function(EXACT_REAL_FUNCTION, { deterministic: true, directOnly: true }, (hi, lo) => {
    if (typeof hi !== 'number' || typeof lo !== 'number') throw new TypeError(`${EXACT_REAL_FUNCTION} takes two integers`);
    view.setUint32(0, hi);
    view.setUint32(4, lo);
    return view.getFloat64(0);
  });
}
