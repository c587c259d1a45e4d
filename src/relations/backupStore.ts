/**
 * The shared backup storage, as s3-integrator publishes it on the `s3-credentials` relation (interface
 * `s3`, v0: plain strings in the provider's app databag).
 */
import type { S3Endpoint } from '../storage/endpoint';
import { ACCESS_KEY_MIN_LENGTH, registerSecret } from '../util/redact';
import { RelationDataError } from './relationDataError';

export const S3_ENDPOINT = 's3-credentials';

export interface BackupStore {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** The root of all backups inside the bucket: '' or `a/b` (no leading or trailing slash). */
  path: string;
  uriStyle: 'path' | 'host';
  accessKey: string;
  secretKey: string;
  caCertificates: string[] | undefined;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `undefined` while s3-integrator has not published credentials yet. */
export function parseBackupStore(data: Record<string, string>): BackupStore | undefined {
  const fail = (field: string, problem: string) => new RelationDataError(S3_ENDPOINT, field, problem);
  const accessKey = data['access-key'] ?? '';
  const secretKey = data['secret-key'] ?? '';
  registerSecret(accessKey, { minLength: ACCESS_KEY_MIN_LENGTH });
  registerSecret(secretKey);
  if (!accessKey && !secretKey) return undefined;
  if (!accessKey) throw fail('access-key', 'is missing');
  if (!secretKey) throw fail('secret-key', 'is missing');

  const bucket = data.bucket ?? '';
  if (!bucket) throw fail('bucket', 'is missing');
  if (!BUCKET.test(bucket)) throw fail('bucket', `${JSON.stringify(bucket)} is not a valid S3 bucket name`);

  const endpoint = data.endpoint?.trim() || undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw fail('endpoint', `${JSON.stringify(endpoint)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('endpoint', `must start with http:// or https://, got ${JSON.stringify(endpoint)}`);
  }

  const style = data['s3-uri-style']?.trim() || undefined;
  if (style !== undefined && style !== 'path' && style !== 'host') throw fail('s3-uri-style', `must be path or host, got ${JSON.stringify(style)}`);
  // AWS's own endpoint wants virtual-host style; other servers (RadosGW, MinIO) usually only do path style.
  const uriStyle = style ?? (endpoint === undefined || /amazonaws\.com/.test(endpoint) ? 'host' : 'path');

  return {
    endpoint,
    region: data.region?.trim() || 'us-east-1',
    bucket,
    path: normalizePath(data.path ?? ''),
    uriStyle,
    accessKey,
    secretKey,
    caCertificates: parseCaChain(data['tls-ca-chain'], fail),
  };
}

function normalizePath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new RelationDataError(S3_ENDPOINT, 'path', `must not contain . or .. segments, got ${JSON.stringify(path)}`);
  }
  return trimmed;
}

function parseCaChain(raw: string | undefined, fail: (field: string, problem: string) => Error): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('tls-ca-chain', 'is not a JSON list of PEM certificates');
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string' && item.includes('-----BEGIN CERTIFICATE-----'))) {
    throw fail('tls-ca-chain', 'is not a JSON list of PEM certificates');
  }
  return parsed.length > 0 ? (parsed as string[]) : undefined;
}

/** The object key of `name` under the store's backup root. */
export function backupKey(store: BackupStore, name: string): string {
  return store.path ? `${store.path}/${name}` : name;
}

export function backupStoreEndpoint(store: BackupStore): S3Endpoint {
  return {
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: store.uriStyle === 'path',
    accessKeyId: store.accessKey,
    secretAccessKey: store.secretKey,
    caCertificates: store.caCertificates,
  };
}

/** Where the store is, for status and results: never the keys. */
export function describeBackupStore(store: BackupStore): string {
  const where = store.endpoint ?? `AWS ${store.region}`;
  return `${where} ${store.bucket}${store.path ? `/${store.path}` : ''}`;
}
