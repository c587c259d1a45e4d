import { PatchStrategy, setHeaderOptions, type V1StatefulSet } from '@kubernetes/client-node';
import { RestoreError } from '../errors';
import { isNotFound, toKubeApiError } from './apiError';
import type { KubeClient } from './client';
import { KubeNotFoundError, KubeTimeoutError } from './errors';
import { ORIGINAL_REPLICAS_ANNOTATION, recordedReplicas as recordedOn } from './replicaAnnotation';
import { waitFor, type WaitOptions } from './wait';

/** Where quiesceStatefulSet records the replica count to restore (shared with quiesceWorkloads). */
export { ORIGINAL_REPLICAS_ANNOTATION };

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface QuiesceResult {
  name: string;
  /** The replica count resumeStatefulSet will restore. */
  originalReplicas: number;
  /** True when the annotation was already there (an earlier run did not resume): its value was kept. */
  resumedFromEarlierRun: boolean;
}

export interface ResumeResult {
  name: string;
  /** False when there was no annotation: nothing was quiesced, nothing changed. */
  resumed: boolean;
  replicas: number;
}

async function getStatefulSet(client: KubeClient, name: string): Promise<V1StatefulSet> {
  try {
    return await client.apps.readNamespacedStatefulSet({ name, namespace: client.namespace });
  } catch (error) {
    if (isNotFound(error)) {
      throw new KubeNotFoundError(`StatefulSet ${name} not found in namespace ${client.namespace}`, {
        hint: `Check that the application ${name} is deployed in this model (juju status ${name})`,
      });
    }
    throw toKubeApiError(error, `reading StatefulSet ${name}`);
  }
}

async function patchStatefulSet(client: KubeClient, name: string, body: object, doing: string): Promise<V1StatefulSet> {
  try {
    return await client.apps.patchNamespacedStatefulSet({ name, namespace: client.namespace, body }, MERGE_PATCH);
  } catch (error) {
    throw toKubeApiError(error, doing);
  }
}

function recordedReplicas(sts: V1StatefulSet, name: string): number | undefined {
  return recordedOn(sts.metadata?.annotations, 'StatefulSet', name);
}

function selectorOf(sts: V1StatefulSet, name: string): string {
  const labels = sts.spec?.selector?.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector) {
    throw new RestoreError(`StatefulSet ${name} has no matchLabels selector, so its pods cannot be found`, {
      hint: 'This StatefulSet was not created by Juju; scale it down by hand',
    });
  }
  return selector;
}

/**
 * Scales a StatefulSet to 0 and waits until its pods are gone. The replica count to come back to is
 * written to an annotation *before* scaling, so a run that crashes in between can be resumed by the next
 * one; if the annotation is already there (an earlier run did not finish), its value is kept.
 */
export async function quiesceStatefulSet(
  client: KubeClient,
  name: string,
  options: Partial<WaitOptions> = {},
): Promise<QuiesceResult> {
  const sts = await getStatefulSet(client, name);
  const recorded = recordedReplicas(sts, name);
  const originalReplicas = recorded ?? sts.spec?.replicas ?? 1;
  if (recorded === undefined) {
    await patchStatefulSet(
      client,
      name,
      { metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: String(originalReplicas) } } },
      `recording the replica count of StatefulSet ${name}`,
    );
  }
  if (sts.spec?.replicas !== 0) {
    await patchStatefulSet(client, name, { spec: { replicas: 0 } }, `scaling StatefulSet ${name} to 0`);
  }
  const selector = selectorOf(sts, name);
  const timeoutMs = options.timeoutMs ?? 300_000;
  let remaining: string[] = [];
  await waitFor(
    async () => {
      try {
        const pods = await client.core.listNamespacedPod({ namespace: client.namespace, labelSelector: selector });
        remaining = pods.items.map((p) => p.metadata?.name ?? '?');
      } catch (error) {
        throw toKubeApiError(error, `listing the pods of StatefulSet ${name}`);
      }
      return remaining.length === 0 ? true : undefined;
    },
    { ...options, timeoutMs },
    () =>
      new KubeTimeoutError(`StatefulSet ${name} was scaled to 0 but pods ${remaining.join(', ')} still exist after ${timeoutMs / 1000}s`, {
        hint: `Check why they do not terminate: kubectl describe pod ${remaining[0] ?? name + '-0'} -n ${client.namespace}. ` +
          'Running the action again resumes from here',
      }),
  );
  return { name, originalReplicas, resumedFromEarlierRun: recorded !== undefined };
}

/**
 * Scales a quiesced StatefulSet back to the recorded count and removes the annotation, in one patch.
 * Without the annotation nothing was quiesced (or it was already resumed): nothing changes.
 */
export async function resumeStatefulSet(client: KubeClient, name: string): Promise<ResumeResult> {
  const sts = await getStatefulSet(client, name);
  const recorded = recordedReplicas(sts, name);
  if (recorded === undefined) return { name, resumed: false, replicas: sts.spec?.replicas ?? 0 };
  await patchStatefulSet(
    client,
    name,
    { metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: null } }, spec: { replicas: recorded } },
    `scaling StatefulSet ${name} back to ${recorded}`,
  );
  return { name, resumed: true, replicas: recorded };
}
