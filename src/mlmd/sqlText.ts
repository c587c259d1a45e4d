import { isUtf8 } from 'node:buffer';

/**
 * Whether the first bytes of a backup can be the start of an SQL dump: UTF-8 text without NUL or other
 * control characters than tab, newline, form feed and carriage return. Tells random or binary bytes
 * (e.g. a gzip of something else) from SQL before running anything.
 */
export function looksLikeSqlText(head: Buffer): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) return false;
    if (byte === 0x7f) return false;
  }
  // A multi-byte character may be cut at the end of the sample: drop up to 3 trailing bytes of it.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if (byte < 0x80) break;
    if (byte >= 0xc0) {
      end -= back;
      break;
    }
  }
  return isUtf8(head.subarray(0, end));
}
