/**
 * CKF's MinIO, as it publishes itself on the `object-storage` relation (serialized-data-interface v1):
 * the provider's app databag holds `data`, a YAML document with the connection details.
 */
import yaml from 'js-yaml';
import type { S3Endpoint } from '../storage/endpoint';
import { ACCESS_KEY_MIN_LENGTH, registerSecret } from '../util/redact';
import { RelationDataError } from './relationDataError';

export const OBJECT_STORAGE_ENDPOINT = 'object-storage';
/** What the requirer writes into its own app databag to start the SDI handshake. */
export const SUPPORTED_VERSIONS = '- v1\n';

export interface MinioStore {
  service: string;
  namespace: string;
  port: number;
  secure: boolean;
  accessKey: string;
  secretKey: string;
  /** http(s)://<service>.<namespace>.svc.cluster.local:<port>, or the `minio-endpoint` config override. */
  endpoint: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `undefined` while MinIO has not published `data` yet. `defaultNamespace` is the model's name. */
export function parseMinio(data: Record<string, string>, options: { defaultNamespace: string; endpointOverride?: string | undefined }): MinioStore | undefined {
  const raw = data.data;
  if (raw === undefined || raw.trim() === '') return undefined;
  const fail = (field: string, problem: string) => new RelationDataError(OBJECT_STORAGE_ENDPOINT, field, problem);

  let doc: unknown;
  try {
    doc = yaml.load(raw, { schema: yaml.JSON_SCHEMA });
  } catch {
    throw fail('data', 'is not valid YAML');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail('data', 'is not a YAML mapping');
  const fields = doc as Record<string, unknown>;

  const accessKey = stringField(fields, 'access-key', fail);
  const secretKey = stringField(fields, 'secret-key', fail);
  registerSecret(accessKey, { minLength: ACCESS_KEY_MIN_LENGTH });
  registerSecret(secretKey);

  const service = stringField(fields, 'service', fail);
  if (!DNS_LABEL.test(service)) throw fail('service', `${JSON.stringify(service)} is not a Kubernetes service name`);
  const namespace = fields.namespace === undefined || fields.namespace === null ? options.defaultNamespace : stringField(fields, 'namespace', fail);
  if (!DNS_LABEL.test(namespace)) throw fail('namespace', `${JSON.stringify(namespace)} is not a Kubernetes namespace name`);

  const port = Number(fields.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw fail('port', `must be a port number, got ${JSON.stringify(fields.port)}`);

  const secureRaw = fields.secure ?? false;
  if (secureRaw !== true && secureRaw !== false && secureRaw !== 'true' && secureRaw !== 'false') throw fail('secure', `must be true or false, got ${JSON.stringify(secureRaw)}`);
  const secure = secureRaw === true || secureRaw === 'true';

  const endpoint = options.endpointOverride || `${secure ? 'https' : 'http'}://${service}.${namespace}.svc.cluster.local:${port}`;
  return { service, namespace, port, secure, accessKey, secretKey, endpoint };
}

function stringField(fields: Record<string, unknown>, name: string, fail: (field: string, problem: string) => Error): string {
  const value = fields[name];
  if (value === undefined || value === null || value === '') throw fail(name, 'is missing');
  if (typeof value !== 'string' && typeof value !== 'number') throw fail(name, `must be a string, got ${typeof value}`);
  return String(value);
}

export function minioEndpoint(store: MinioStore): S3Endpoint {
  return {
    endpoint: store.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: store.accessKey,
    secretAccessKey: store.secretKey,
    caCertificates: undefined,
  };
}
