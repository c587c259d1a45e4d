/**
 * Relation databags shaped exactly as the real charms write them, for tests and the sandbox.
 * MinIO (serialized-data-interface v1) writes `_supported_versions` and `data` (a YAML document);
 * s3-integrator (data-platform s3 lib, v0) writes plain strings, lists as JSON.
 */
import yaml from 'js-yaml';
import type { FakeRelation } from '../fakes/hookTools/state.ts';

export interface MinioData {
  accessKey: string;
  secretKey: string;
  service?: string;
  namespace?: string;
  port?: number;
  secure?: boolean;
}

export function minioAppData(data: MinioData): Record<string, string> {
  return {
    _supported_versions: '- v1\n',
    data: yaml.dump({
      'access-key': data.accessKey,
      namespace: data.namespace ?? 'kubeflow',
      port: data.port ?? 9000,
      'secret-key': data.secretKey,
      secure: data.secure ?? false,
      service: data.service ?? 'minio',
    }),
  };
}

export interface S3IntegratorData {
  accessKey: string;
  secretKey: string;
  bucket: string;
  endpoint?: string;
  region?: string;
  path?: string;
  uriStyle?: 'path' | 'host';
  caChain?: string[];
}

export function s3IntegratorAppData(data: S3IntegratorData): Record<string, string> {
  const bag: Record<string, string> = {
    'access-key': data.accessKey,
    'secret-key': data.secretKey,
    bucket: data.bucket,
    region: data.region ?? 'eu-central-1',
    'storage-class': 'STANDARD',
    's3-api-version': '4',
  };
  if (data.endpoint !== undefined) bag.endpoint = data.endpoint;
  if (data.path !== undefined) bag.path = data.path;
  if (data.uriStyle !== undefined) bag['s3-uri-style'] = data.uriStyle;
  if (data.caChain !== undefined) bag['tls-ca-chain'] = JSON.stringify(data.caChain);
  return bag;
}

export function fakeRelation(id: string, endpoint: string, remoteApp: string, remoteAppData: Record<string, string> = {}): FakeRelation {
  return {
    id,
    endpoint,
    remoteApp,
    remoteUnits: [`${remoteApp}/0`],
    remoteAppData,
    remoteUnitData: { [`${remoteApp}/0`]: {} },
    localAppData: {},
    localUnitData: {},
  };
}
