import { isNotFound, toKubeApiError } from './apiError';
import type { KubeClient } from './client';

/**
 * Preflight: Kubeflow activity that writes to the stores being restored and must be stopped first.
 * Each list is cluster-wide (user workloads live in profile namespaces). A CRD that is not installed
 * (404) means "none of that kind"; every other error propagates.
 */

export interface ActivityReport {
  /** Argo Workflows not completed, as `namespace/name`. */
  workflows: string[];
  /** Katib Experiments with a Running or Restarting condition True. */
  experiments: string[];
  /** KFP ScheduledWorkflows with spec.enabled true. */
  scheduledWorkflows: string[];
}

interface CustomObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { enabled?: unknown };
  status?: { conditions?: { type?: string; status?: string }[] };
}

async function listClusterWide(
  client: KubeClient,
  resource: { group: string; version: string; plural: string },
  labelSelector?: string,
): Promise<CustomObject[]> {
  try {
    const list = (await client.custom.listClusterCustomObject({ ...resource, ...(labelSelector ? { labelSelector } : {}) })) as {
      items?: CustomObject[];
    };
    return list.items ?? [];
  } catch (error) {
    if (isNotFound(error)) return [];
    throw toKubeApiError(error, `listing ${resource.plural}.${resource.group}`);
  }
}

const qualified = (o: CustomObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? '?'}`;

export async function listRunningWorkflows(client: KubeClient): Promise<string[]> {
  const items = await listClusterWide(
    client,
    { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows' },
    'workflows.argoproj.io/completed!=true',
  );
  return items.map(qualified).sort();
}

export async function listRunningExperiments(client: KubeClient): Promise<string[]> {
  const items = await listClusterWide(client, { group: 'kubeflow.org', version: 'v1beta1', plural: 'experiments' });
  return items
    .filter((o) => (o.status?.conditions ?? []).some((c) => (c.type === 'Running' || c.type === 'Restarting') && c.status === 'True'))
    .map(qualified)
    .sort();
}

export async function listEnabledScheduledWorkflows(client: KubeClient): Promise<string[]> {
  const items = await listClusterWide(client, { group: 'kubeflow.org', version: 'v1beta1', plural: 'scheduledworkflows' });
  return items
    .filter((o) => o.spec?.enabled === true)
    .map(qualified)
    .sort();
}

export async function checkActivity(client: KubeClient): Promise<ActivityReport> {
  const [workflows, experiments, scheduledWorkflows] = await Promise.all([
    listRunningWorkflows(client),
    listRunningExperiments(client),
    listEnabledScheduledWorkflows(client),
  ]);
  return { workflows, experiments, scheduledWorkflows };
}
