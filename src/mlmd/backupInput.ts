import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { UnverifiableContentError } from './errors';
import { gzipError } from './gzipErrors';

/** Bytes read from the start of a backup to classify it (enough to check that text looks like SQL). */
export const SNIFF_BYTES = 4096;

/** Reads up to `bytes` bytes from the start of a file. */
export async function readFileHead(path: string, bytes = SNIFF_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Up to `bytes` bytes of a gzip file's uncompressed content. A stream that is damaged or ends before
 * `bytes` bytes and its own end raises TruncatedGzipError / CorruptGzipError.
 */
export async function readGunzippedHead(path: string, bytes = SNIFF_BYTES): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let length = 0;
  try {
    for await (const piece of openBackupBytes(path, true, 64 * 1024)) {
      pieces.push(piece);
      length += piece.length;
      if (length >= bytes) break; // leaving the loop destroys the streams
    }
  } catch (error) {
    throw gzipError(error, `The backup ${path}`);
  }
  return Buffer.concat(pieces).subarray(0, bytes);
}

/** The backup's bytes, gunzipped when `gzipped`; read and file errors end the iteration with an error. */
export async function* openBackupBytes(path: string, gzipped: boolean, chunkBytes = 256 * 1024): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: chunkBytes });
  if (!gzipped) {
    yield* file as AsyncIterable<Buffer>;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** The backup as text (UTF-8), for the SQL executor and the content check. */
export async function* openBackupText(path: string, gzipped: boolean): AsyncGenerator<string> {
  // Fatal on bad UTF-8: sqlite3 .dump writes text values byte for byte, so a byte that is not UTF-8 is a
  // value JavaScript cannot carry exactly (it would become U+FFFD, silently): refuse instead.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const decode = (bytes?: Buffer): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch (error) {
      throw new UnverifiableContentError(`The backup ${path} holds bytes that are not UTF-8 text (within ${offset + (bytes?.length ?? 0)} bytes${gzipped ? ' of its gunzipped content' : ''}): a text value of the database would not be restored exactly`, {
        hint: 'Nothing was changed. Restore from the raw database file backup, which keeps every byte',
        cause: error,
      });
    }
  };
  try {
    for await (const bytes of openBackupBytes(path, gzipped)) {
      const text = decode(bytes);
      offset += bytes.length;
      if (text.length > 0) yield text;
    }
  } catch (error) {
    throw gzipped && !(error instanceof UnverifiableContentError) ? gzipError(error, `The backup ${path}`) : error;
  }
  const tail = decode();
  if (tail.length > 0) yield tail;
}
