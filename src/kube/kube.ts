import { checkActivity, type ActivityReport } from './activity';
import { createKubeClient, loadKubeConfig, type KubeClient, type LoadKubeConfigOptions } from './client';
import { execInPod, type ExecOptions, type ExecResult } from './exec';
import { volumeFreeSpace, type FreeSpace } from './freeSpace';
import { findMlmdPod, restartPodAndWaitReady, type PodContainer } from './pods';
import { quiesceWorkloads, resumeWorkloads, type QuiesceOptions, type QuiesceReport, type ResumeOptions, type ResumeReport } from './quiesce';
import { quiesceStatefulSet, resumeStatefulSet, type QuiesceResult, type ResumeResult } from './statefulset';
import type { WaitOptions } from './wait';

/**
 * The Kubernetes operations of the restore actions, bound to one namespace (the Juju model's name).
 * A thin front over the functions in this folder, which take a KubeClient and can be used directly.
 */
export class Kube {
  constructor(readonly client: KubeClient) {}

  /** Credentials from KUBECONFIG, else the in-cluster service account (RestoreError if neither). */
  static connect(namespace: string, options: LoadKubeConfigOptions = {}): Kube {
    return new Kube(createKubeClient(namespace, loadKubeConfig(options)));
  }

  get namespace(): string {
    return this.client.namespace;
  }

  exec(pod: string, container: string, command: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execInPod(this.client, pod, container, command, options);
  }

  quiesceStatefulSet(name: string, options: Partial<WaitOptions> = {}): Promise<QuiesceResult> {
    return quiesceStatefulSet(this.client, name, options);
  }

  resumeStatefulSet(name: string): Promise<ResumeResult> {
    return resumeStatefulSet(this.client, name);
  }

  /** Stops the StatefulSet or Deployment named after each app, all at once (quiesce.ts). */
  quiesceWorkloads(names: readonly string[], options: QuiesceOptions): Promise<QuiesceReport> {
    return quiesceWorkloads(this.client, names, options);
  }

  /** Brings back every one of them that has a record; never throws for one workload (quiesce.ts). */
  resumeWorkloads(names: readonly string[], options: ResumeOptions): Promise<ResumeReport> {
    return resumeWorkloads(this.client, names, options);
  }

  findMlmdPod(app = 'mlmd'): Promise<PodContainer> {
    return findMlmdPod(this.client, app);
  }

  restartPodAndWaitReady(name: string, timeoutMs: number, options: Omit<Partial<WaitOptions>, 'timeoutMs'> = {}): Promise<{ uid: string }> {
    return restartPodAndWaitReady(this.client, name, timeoutMs, options);
  }

  checkActivity(): Promise<ActivityReport> {
    return checkActivity(this.client);
  }

  volumeFreeSpace(pod: string, container: string, dir: string): Promise<FreeSpace> {
    return volumeFreeSpace(this.client, pod, container, dir);
  }
}
