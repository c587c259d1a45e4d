/** The charm's config (config.yaml), typed and checked. Defaults match Charmed Kubeflow's app names. */
import { InvalidInputError } from '../errors';

export interface CharmConfig {
  /** Bucket to ask s3-integrator for; '' = whatever the integrator is configured with. */
  bucket: string;
  /** Overrides the MinIO URL derived from relation data ('' = derive). */
  minioEndpoint: string;
  mlmdApp: string;
  mlmdDbPath: string;
  metadataWriterApp: string;
  kfpDbApp: string;
  katibDbApp: string;
  /** URI of a Juju user secret (username, password, ca-cert) for the controller API; '' = not set up. */
  jujuCredentials: string;
  /** How long to wait for MLMD's recreated pod to be Ready, and for the writer's pods to go. */
  mlmdReadyTimeoutSeconds: number;
}

const APP_NAME = /^[a-z][a-z0-9-]*$/;

export function parseConfig(raw: Record<string, unknown>): CharmConfig {
  const text = (key: string, fallback: string): string => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') throw new InvalidInputError(`config ${key} must be a string`);
    return value.trim();
  };
  const app = (key: string, fallback: string): string => {
    const value = text(key, fallback) || fallback;
    if (!APP_NAME.test(value)) throw new InvalidInputError(`config ${key} must be a Juju application name, got ${JSON.stringify(value)}`, { hint: `juju config <app> ${key}=<name>` });
    return value;
  };
  const mlmdDbPath = text('mlmd-db-path', '/data/mlmd.db') || '/data/mlmd.db';
  if (!/^\/[A-Za-z0-9._\/-]+$/.test(mlmdDbPath) || mlmdDbPath.split('/').includes('..') || mlmdDbPath.endsWith('/')) {
    throw new InvalidInputError(`config mlmd-db-path must be an absolute file path of plain characters, got ${JSON.stringify(mlmdDbPath)}`);
  }
  const minioEndpoint = text('minio-endpoint', '');
  if (minioEndpoint && !/^https?:\/\/[^\s/]+\/?$/.test(minioEndpoint)) {
    throw new InvalidInputError(`config minio-endpoint must be http(s)://host:port, got ${JSON.stringify(minioEndpoint)}`);
  }
  const jujuCredentials = text('juju-credentials', '');
  if (jujuCredentials && !/^secret:[A-Za-z0-9/:._-]+$/.test(jujuCredentials)) {
    throw new InvalidInputError('config juju-credentials must be a secret URI (secret:...)', { hint: 'juju config ckf-restore juju-credentials=secret:<id>' });
  }
  const timeoutRaw = raw['mlmd-ready-timeout'] ?? 600;
  if (typeof timeoutRaw !== 'number' || !Number.isInteger(timeoutRaw) || timeoutRaw < 1 || timeoutRaw > 86_400) {
    throw new InvalidInputError(`config mlmd-ready-timeout must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(timeoutRaw)}`);
  }
  return {
    mlmdReadyTimeoutSeconds: timeoutRaw,
    bucket: text('bucket', ''),
    minioEndpoint: minioEndpoint.replace(/\/$/, ''),
    mlmdApp: app('mlmd-app', 'mlmd'),
    mlmdDbPath,
    metadataWriterApp: app('metadata-writer-app', 'kfp-metadata-writer'),
    kfpDbApp: app('kfp-db-app', 'kfp-db'),
    katibDbApp: app('katib-db-app', 'katib-db'),
    jujuCredentials,
  };
}
