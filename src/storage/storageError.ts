/**
 * S3 failures as the operator needs them: which store, which bucket/key, what it means and what to check.
 * Never the credentials (the SDK's messages do not carry the secret key; the access key id is masked by
 * the redactor where it was registered).
 */
import { RestoreError } from '../errors';

export class StorageError extends RestoreError {
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode: number | undefined,
    options: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** `where` names the store (`backup store http://… bucket ckf-backups`), `doing` the operation. */
export function toStorageError(error: unknown, where: string, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const e = (error ?? {}) as SdkLikeError & { cause?: SdkLikeError };
  // Network failures arrive wrapped ("AWS SDK error wrapper for Error: connect ECONNREFUSED …").
  const networkCode = e.code ?? e.cause?.code ?? /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(e.message ?? '')?.[1];
  const code = e.name && e.name !== 'Error' && !(networkCode && e.name === 'Unknown') ? e.name : (networkCode ?? 'Unknown');
  const status = e.$metadata?.httpStatusCode;
  const fail = (what: string, hint: string) => new StorageError(`${doing} on ${where}: ${what}`, code, status, { hint, cause: error });
  switch (code) {
    case 'NoSuchBucket':
      return fail('the bucket does not exist', 'Check the bucket name (s3-integrator config, or the bucket parameter)');
    case 'NoSuchKey':
    case 'NotFound':
      return fail('no such object', 'Run list-backups to see what is there');
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidClientTokenId':
      return fail('the credentials were refused', 'Check the access and secret keys given to s3-integrator (or MinIO)');
    case 'AccessDenied':
    case 'Forbidden':
      return fail('access denied', 'Give these credentials read (backup store) or write (MinIO) access to the bucket');
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'TimeoutError':
      return fail(`cannot connect (${code})`, 'Check the endpoint and that it is reachable from the cluster');
    default:
      if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(`${code} ${e.message ?? ''}`)) {
        return fail(`TLS verification failed (${e.message ?? code})`, 'Give s3-integrator the CA chain (tls-ca-chain) of the endpoint');
      }
      return fail(`${code}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? 'unknown error'}`, 'Check the endpoint, bucket and credentials');
  }
}
