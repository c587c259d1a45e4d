import { RestoreError } from '../errors';

/**
 * Where a quiesce records the replica count to come back to, on the workload itself: written before the
 * scale to 0, removed by the resume, so a run that dies in between leaves what the next run needs.
 */
export const ORIGINAL_REPLICAS_ANNOTATION = 'ckf-restore.charmed-kubeflow.io/original-replicas';

/** The recorded count, undefined when there is none; an unreadable one is refused rather than guessed. */
export function recordedReplicas(annotations: Record<string, string> | undefined, kind: 'StatefulSet' | 'Deployment', name: string): number | undefined {
  const value = annotations?.[ORIGINAL_REPLICAS_ANNOTATION];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new RestoreError(`${kind} ${name} has an invalid ${ORIGINAL_REPLICAS_ANNOTATION} annotation: ${JSON.stringify(value)}`, {
      hint: `Set it to the replica count the app should have, e.g. kubectl annotate ${kind.toLowerCase()} ${name} --overwrite ${ORIGINAL_REPLICAS_ANNOTATION}=1`,
    });
  }
  return Number(value);
}
