import type { V1Pod } from '@kubernetes/client-node';
import { RestoreError } from '../errors';
import { isNotFound, toKubeApiError } from './apiError';
import type { KubeClient } from './client';
import { KubeNotFoundError, KubeTimeoutError } from './errors';
import { waitFor, type WaitOptions } from './wait';

/** MLMD's server container: `mlmd-grpc-server` (CKF 1.9+, sidecar charm) or `mlmd` (CKF 1.8, podspec). */
export const MLMD_CONTAINER_NAMES = ['mlmd-grpc-server', 'mlmd'] as const;

export interface PodContainer {
  pod: string;
  container: string;
}

/** The first of `candidates` that the pod runs, or undefined. */
export function pickContainer(containers: readonly string[], candidates: readonly string[]): string | undefined {
  return candidates.find((name) => containers.includes(name));
}

export async function getPod(client: KubeClient, name: string): Promise<V1Pod | undefined> {
  try {
    return await client.core.readNamespacedPod({ name, namespace: client.namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toKubeApiError(error, `reading pod ${name}`);
  }
}

export function isPodReady(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Finds the MLMD pod (`<app>-0`) and which of the known MLMD containers it runs. */
export async function findMlmdPod(client: KubeClient, app = 'mlmd'): Promise<PodContainer> {
  const name = `${app}-0`;
  const pod = await getPod(client, name);
  if (!pod) {
    throw new KubeNotFoundError(`Pod ${name} not found in namespace ${client.namespace}`, {
      hint: `Check that the ${app} application is deployed and has a unit (juju status ${app}); a scaled-down app has no pod`,
    });
  }
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const container = pickContainer(containers, MLMD_CONTAINER_NAMES);
  if (!container) {
    throw new RestoreError(
      `Pod ${name} has no MLMD container (expected ${MLMD_CONTAINER_NAMES.join(' or ')}; found ${containers.join(', ') || 'none'})`,
      { hint: `Check that ${app} is the MLMD application of Charmed Kubeflow 1.8 or newer` },
    );
  }
  return { pod: name, container };
}

/**
 * Deletes a pod and waits until its controller has replaced it with a new pod (another uid, same name)
 * that is Ready. Used to restart MLMD after its database file was swapped.
 */
export async function restartPodAndWaitReady(
  client: KubeClient,
  name: string,
  timeoutMs: number,
  options: Omit<Partial<WaitOptions>, 'timeoutMs'> = {},
): Promise<{ uid: string }> {
  const before = await getPod(client, name);
  const oldUid = before?.metadata?.uid;
  if (before) {
    try {
      await client.core.deleteNamespacedPod({ name, namespace: client.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw toKubeApiError(error, `deleting pod ${name}`);
    }
  }
  let state = 'the old pod is still terminating';
  return waitFor(
    async () => {
      const pod = await getPod(client, name);
      if (!pod) {
        state = 'no new pod has been created';
        return undefined;
      }
      const uid = pod.metadata?.uid;
      if (uid === undefined || uid === oldUid) {
        state = 'the old pod is still terminating';
        return undefined;
      }
      if (isPodReady(pod)) return { uid };
      state = `the new pod is ${pod.status?.phase ?? 'in an unknown phase'} but not Ready`;
      return undefined;
    },
    { pollMs: 1000, ...options, timeoutMs },
    () =>
      new KubeTimeoutError(`Pod ${name} was not Ready ${timeoutMs / 1000}s after it was restarted (${state})`, {
        hint: `Check it with: kubectl describe pod ${name} -n ${client.namespace}, and its logs (kubectl logs ${name} -n ${client.namespace} --all-containers)`,
      }),
  );
}
