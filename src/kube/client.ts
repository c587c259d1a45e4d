import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './errors';

/** Where Kubernetes mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadKubeConfigOptions {
  /** Environment to read `KUBECONFIG`, `KUBERNETES_SERVICE_HOST`/`_PORT` from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Prefix for the service account directory (tests only). Default: none. */
  serviceAccountPathPrefix?: string;
}

const TRUST_HINT =
  'Deploy the charm with --trust (or run `juju trust <app> --scope=cluster`) so that its pod gets ' +
  'Kubernetes API credentials; outside a cluster, set KUBECONFIG';

/**
 * Kubernetes credentials in the standard order: the file(s) named by `KUBECONFIG` if it is set, else the
 * in-cluster service account. Unlike `KubeConfig.loadFromDefault`, never falls back to `~/.kube/config`
 * or to an unauthenticated `http://localhost:8080`, so a missing credential is a clear error.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  const kubeconfig = env.KUBECONFIG;
  if (kubeconfig) {
    const files = kubeconfig.split(path.delimiter).filter((file) => file.length > 0);
    for (const [index, file] of files.entries()) {
      const target = index === 0 ? kc : new KubeConfig();
      try {
        target.loadFromFile(file);
      } catch (error) {
        // No `cause`: a YAML parser error quotes the file, and the file holds credentials.
        const code = (error as NodeJS.ErrnoException).code;
        const kind = code ?? (error instanceof Error ? error.name : 'error');
        throw new KubeConfigError(`Cannot read the kubeconfig file ${file} named by KUBECONFIG (${kind})`, {
          hint: 'Fix or unset KUBECONFIG',
        });
      }
      if (target !== kc) kc.mergeConfig(target);
    }
    if (!kc.getCurrentCluster()) {
      throw new KubeConfigError(`The kubeconfig named by KUBECONFIG (${kubeconfig}) has no current cluster`, {
        hint: 'Set current-context in the kubeconfig',
      });
    }
    return kc;
  }
  const prefix = options.serviceAccountPathPrefix ?? '';
  const tokenFile = `${prefix}${SERVICE_ACCOUNT_DIR}/token`;
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT || !existsSync(tokenFile)) {
    throw new KubeConfigError(
      'No Kubernetes credentials: KUBECONFIG is not set and there is no in-cluster service account ' +
        `(KUBERNETES_SERVICE_HOST/PORT and ${tokenFile})`,
      { hint: TRUST_HINT },
    );
  }
  // loadFromCluster reads KUBERNETES_SERVICE_HOST/PORT from process.env itself.
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
  process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
  try {
    kc.loadFromCluster(prefix);
  } finally {
    restoreEnv('KUBERNETES_SERVICE_HOST', saved.host);
    restoreEnv('KUBERNETES_SERVICE_PORT', saved.port);
  }
  return kc;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The API clients this charm uses, bound to one namespace (the Juju model's). */
export interface KubeClient {
  readonly config: KubeConfig;
  readonly namespace: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
}

export function createKubeClient(namespace: string, config: KubeConfig = loadKubeConfig()): KubeClient {
  if (!namespace) {
    throw new KubeConfigError('No namespace given for the Kubernetes client', {
      hint: 'The namespace is the Juju model name (JUJU_MODEL_NAME)',
    });
  }
  return {
    config,
    namespace,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}
