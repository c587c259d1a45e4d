/**
 * An S3 error response (`<Error><Code>SlowDown</Code><Message>…</Message></Error>`) as an error shaped
 * like the SDK's service exceptions: `name` is the S3 code and `$metadata.httpStatusCode` the status, so
 * retry decisions (sync/errors.ts) and operator messages (storageError.ts) treat both paths alike.
 */
import type { IncomingMessage } from 'node:http';
import { elementText, MalformedXmlError } from './xmlText';

export class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    /** The server's clock (Date header), for clock-skew correction. */
    readonly serverDate: string | undefined,
  ) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: statusCode };
  }
}

/** An element of an error body, or undefined when absent or unreadable (the status then speaks for it). */
function errorText(xml: string, element: string): string | undefined {
  try {
    return elementText(xml, element);
  } catch (error) {
    if (error instanceof MalformedXmlError) return undefined;
    throw error;
  }
}

/** Reads at most 64 KiB of the body (error bodies are small; a proxy's HTML page need not be read whole). */
export async function responseError(response: IncomingMessage): Promise<S3ResponseError> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (length < 64 * 1024) chunks.push(chunk);
    length += chunk.length;
  }
  const xml = Buffer.concat(chunks).toString('utf8');
  const status = response.statusCode ?? 0;
  const code = errorText(xml, 'Code') ?? (status === 404 ? 'NotFound' : `HTTP${status}`);
  const message = errorText(xml, 'Message') ?? `HTTP ${status} ${response.statusMessage ?? ''}`.trim();
  return new S3ResponseError(code, message, status, response.headers.date);
}
