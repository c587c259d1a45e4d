import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { RestoreError } from '../errors';
import { isNotFound, toKubeApiError } from './apiError';
import type { KubeClient } from './client';
import { recordedReplicas } from './replicaAnnotation';

/**
 * "The workload named after the app": a Juju sidecar charm's StatefulSet (CKF 1.8+ for every writer) or
 * a podspec charm's Deployment (CKF 1.7's kfp-api, kfp-persistence, kfp-schedwf, argo-controller, and
 * katib-controller up to CKF 1.8). One shape for both, read and patched the same way.
 */
export type WorkloadKind = 'StatefulSet' | 'Deployment';

export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** spec.replicas (Kubernetes' default of 1 when unset). */
  replicas: number;
  /** The original-replicas annotation, when a quiesce recorded one. */
  recorded: number | undefined;
  /** Its pods' label selector (`k=v,k2=v2`). */
  selector: string;
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function toWorkload(kind: WorkloadKind, object: V1StatefulSet | V1Deployment, name: string): Workload {
  const labels = object.spec?.selector?.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector || (object.spec?.selector?.matchExpressions?.length ?? 0) > 0) {
    throw new RestoreError(`${kind} ${name} does not select its pods by matchLabels alone, so its pods cannot be found`, {
      hint: `This ${kind} was not created by Juju; scale it down by hand`,
    });
  }
  return { kind, name, replicas: object.spec?.replicas ?? 1, recorded: recordedReplicas(object.metadata?.annotations, kind, name), selector };
}

/** The StatefulSet named `name`, else the Deployment; undefined when there is neither. */
export async function findWorkload(client: KubeClient, name: string): Promise<Workload | undefined> {
  const { apps, namespace } = client;
  try {
    return toWorkload('StatefulSet', await apps.readNamespacedStatefulSet({ name, namespace }), name);
  } catch (error) {
    if (!isNotFound(error)) throw toKubeApiError(error, `reading StatefulSet ${name}`);
  }
  try {
    return toWorkload('Deployment', await apps.readNamespacedDeployment({ name, namespace }), name);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toKubeApiError(error, `reading Deployment ${name}`);
  }
}

/** A JSON merge patch of the workload's metadata and/or spec. */
export async function patchWorkload(client: KubeClient, workload: Pick<Workload, 'kind' | 'name'>, body: object, doing: string): Promise<void> {
  const request = { name: workload.name, namespace: client.namespace, body };
  try {
    if (workload.kind === 'StatefulSet') await client.apps.patchNamespacedStatefulSet(request, MERGE_PATCH);
    else await client.apps.patchNamespacedDeployment(request, MERGE_PATCH);
  } catch (error) {
    throw toKubeApiError(error, doing);
  }
}

export async function podsOf(client: KubeClient, workload: Pick<Workload, 'kind' | 'name' | 'selector'>): Promise<V1Pod[]> {
  try {
    return (await client.core.listNamespacedPod({ namespace: client.namespace, labelSelector: workload.selector })).items;
  } catch (error) {
    throw toKubeApiError(error, `listing the pods of ${workload.kind} ${workload.name}`);
  }
}
