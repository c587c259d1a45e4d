/**
 * An S3 client for one store. Non-AWS servers (MinIO, RadosGW) reject or mangle the SDK's default
 * flexible checksums (with them s3rver even stores aws-chunked framing inside streamed objects), so
 * checksums are only sent where an operation requires them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { S3Endpoint } from './endpoint';

export interface S3ClientOptions {
  /** Sockets per host; parallel transfers need at least as many. */
  maxSockets?: number;
  /** SDK-level attempts per request (the sync engine retries whole objects itself and passes 1). */
  maxAttempts?: number;
  /** The SDK's logger (default: none, so the SDK falls back to console for its few warnings). */
  logger?: { debug(...content: unknown[]): void; info(...content: unknown[]): void; warn(...content: unknown[]): void; error(...content: unknown[]): void };
}

export function createS3Client(endpoint: S3Endpoint, options: S3ClientOptions = {}): S3Client {
  const maxSockets = options.maxSockets ?? 64;
  return new S3Client({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    forcePathStyle: endpoint.forcePathStyle,
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 3,
    // No `Expect: 100-continue` round trip before each upload (the SDK's default above 2 MB): rclone does
    // without it too, and s3rver never answers it, which cost a 1 s stall per part.
    expectContinueHeader: false,
    ...(options.logger ? { logger: options.logger } : {}),
    requestHandler: {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      // Custom CAs are added to, not instead of, the public roots: AWS S3 must keep working.
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets, ...(endpoint.caCertificates ? { ca: [...rootCertificates, ...endpoint.caCertificates] } : {}) }),
      connectionTimeout: 10_000,
      socketTimeout: 120_000,
    },
  });
}
