/**
 * Where an object request goes: the endpoint's scheme, host and port, the bucket in the path (path style)
 * or in the host name (virtual-host style), and the key URI-encoded the way SigV4 and S3 expect.
 */
import { isIP } from 'node:net';

export interface ObjectTarget {
  protocol: 'http:' | 'https:';
  /** Where to connect. */
  hostname: string;
  port: number;
  /** The Host header (and the signed host): includes the bucket in virtual-host style. */
  host: string;
  /** Encoded request path, e.g. `/bucket/some%20key`. */
  path: string;
}

/**
 * S3's URI encoding: every byte but the unreserved characters `A-Z a-z 0-9 - _ . ~` as %XX (upper case),
 * `/` kept as the separator. encodeURIComponent leaves `! ' ( ) *` alone, which S3 would canonicalise
 * differently from us (a signature mismatch), so those are encoded too.
 */
export function encodeKey(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

/** S3's URI encoding of one path segment or query value: `/` encoded too. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A bucket name that can be a DNS label in front of the endpoint's host (no dots: TLS wildcards cover one label). */
function virtualHostable(bucket: string): boolean {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes('--');
}

/**
 * `endpoint` is the store's full URL (`https://s3.eu-west-1.amazonaws.com`, `http://minio.kubeflow:9000`,
 * possibly with a base path). As the SDK does, virtual-host style falls back to path style for bucket
 * names that cannot be a host label and for endpoints given as an IP address.
 */
export function objectTarget(endpoint: URL, forcePathStyle: boolean, bucket: string, key: string): ObjectTarget {
  const protocol = endpoint.protocol === 'https:' ? 'https:' : 'http:';
  const port = endpoint.port ? Number(endpoint.port) : protocol === 'https:' ? 443 : 80;
  const base = endpoint.pathname.replace(/\/+$/, '');
  const hostname = endpoint.hostname;
  const bareHostname = hostname.replace(/^\[|\]$/g, '');
  if (forcePathStyle || !virtualHostable(bucket) || isIP(bareHostname) !== 0) {
    return { protocol, hostname: bareHostname, port, host: endpoint.host, path: `${base}/${bucket}/${encodeKey(key)}` };
  }
  return { protocol, hostname: `${bucket}.${hostname}`, port, host: `${bucket}.${endpoint.host}`, path: `${base}/${encodeKey(key)}` };
}
