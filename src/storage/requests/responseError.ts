/**
 * An S3 error response (`<Error><Code>SlowDown</Code><Message>…</Message></Error>`) as an error shaped
 * like the SDK's service exceptions: `name` is the S3 code and `$metadata.httpStatusCode` the status, so
 * retry decisions (sync/errors.ts) and operator messages (storageError.ts) treat both paths alike.
 */
import type { IncomingMessage } from 'node:http';

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

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  return match?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name] as string);
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
  const code = xmlText(xml, 'Code') ?? (status === 404 ? 'NotFound' : `HTTP${status}`);
  const message = xmlText(xml, 'Message') ?? `HTTP ${status} ${response.statusMessage ?? ''}`.trim();
  return new S3ResponseError(code, message, status, response.headers.date);
}
