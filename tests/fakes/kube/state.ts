import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ConfigMapStore } from './configMaps';

/**
 * The in-memory cluster behind the fake API server: StatefulSets and Deployments with their pods,
 * standalone pods, ConfigMaps, custom resources, a log of every request, and fault switches. Tests seed
 * it, run code against the server, then inspect it. Objects are stored in the JSON shape the real API
 * returns.
 */

export interface Metadata {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
  [key: string]: unknown;
}

export interface PodObject {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: Metadata;
  spec: { containers: { name: string; image: string }[]; [key: string]: unknown };
  status: {
    phase: 'Pending' | 'Running';
    conditions: { type: string; status: 'True' | 'False' }[];
    [key: string]: unknown;
  };
}

export interface StatefulSetObject {
  apiVersion: 'apps/v1';
  kind: 'StatefulSet';
  metadata: Metadata;
  spec: {
    replicas: number;
    serviceName: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
    [key: string]: unknown;
  };
  status: { replicas: number; readyReplicas: number; [key: string]: unknown };
}

/**
 * As the API server returns it: the Deployment controller keeps one ReplicaSet per pod template, named
 * `<name>-<pod-template-hash>`, whose pods are `<replicaset>-<5 characters>`. Counts that are 0 are
 * left out of `status`, as the real API does (omitempty).
 */
export interface DeploymentObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: Metadata & { generation: number };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
    strategy: { type: 'RollingUpdate'; rollingUpdate: { maxUnavailable: string; maxSurge: string } };
    [key: string]: unknown;
  };
  status: { observedGeneration?: number; replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; [key: string]: unknown };
}

export interface CustomObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  /** Parsed JSON body, if any. */
  body: unknown;
  /** Exec only: the argv. */
  command?: string[];
}

export interface FakeKubeTiming {
  /** From delete (or scale-down) until the pod object is gone. */
  podDeleteDelayMs: number;
  /** From the pod being gone (or a scale-up) until its replacement exists (Pending, not Ready). */
  podCreateDelayMs: number;
  /** From creation until the pod is Running and Ready. */
  podReadyDelayMs: number;
}

export interface FakeKubeFaults {
  /** Exec: drop the WebSocket (no close frame, no status) once this many stdin bytes arrived. */
  dropExecAfterStdinBytes?: number;
  /** Exec: negotiate only v4.channel.k8s.io, as an API server before Kubernetes 1.30 does. */
  onlyV4Exec?: boolean;
  /** Pod names that run but never pass readiness. */
  neverReady: Set<string>;
  /** REST requests to these exact paths are answered with a Status error of that HTTP code. */
  failPaths: Map<string, number>;
  /**
   * Finer: requests with this method and exact path are let through `skip` times (default 0), then the
   * next `times` (default: all) are answered with a Status error of `code`.
   */
  failRequests: { method: string; path: string; code: number; skip?: number; times?: number; seen?: number }[];
}

export interface SeedStatefulSet {
  name: string;
  namespace?: string;
  replicas: number;
  containers: string[];
  /** Pod labels (also the selector). Default: `{ 'app.kubernetes.io/name': name }`. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type SeedDeployment = SeedStatefulSet;

export interface SeedPod {
  name: string;
  namespace?: string;
  containers: string[];
  labels?: Record<string, string>;
  ready?: boolean;
}

export interface CustomResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
/** The characters Kubernetes uses for generated name suffixes and pod-template-hash (no vowels, no 0/1/3). */
const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const typeKey = (t: { group: string; version: string; plural: string }) => `${t.group}/${t.version}/${t.plural}`;

export class FakeKubeState {
  readonly namespace: string;
  readonly timing: FakeKubeTiming;
  readonly faults: FakeKubeFaults = { neverReady: new Set(), failPaths: new Map(), failRequests: [] };
  readonly requests: RecordedRequest[] = [];
  readonly configMaps = new ConfigMapStore(() => this.nextResourceVersion());
  private readonly statefulSets = new Map<string, StatefulSetObject>();
  private readonly deployments = new Map<string, DeploymentObject>();
  private readonly pods = new Map<string, PodObject>();
  private readonly crdTypes = new Map<string, CustomResourceType>();
  private readonly customObjects = new Map<string, CustomObject[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Pods a StatefulSet has scheduled for creation (so reconcile does not create them twice). */
  private readonly pendingCreates = new Set<string>();
  private version = 1;

  constructor(options: { namespace?: string; timing?: Partial<FakeKubeTiming> } = {}) {
    this.namespace = options.namespace ?? 'kubeflow';
    this.timing = { podDeleteDelayMs: 20, podCreateDelayMs: 20, podReadyDelayMs: 20, ...options.timing };
  }

  // ---- seeding ---------------------------------------------------------------------------------

  addStatefulSet(seed: SeedStatefulSet): StatefulSetObject {
    const namespace = seed.namespace ?? this.namespace;
    const labels = seed.labels ?? { 'app.kubernetes.io/name': seed.name };
    const containers = seed.containers.map((name) => ({ name, image: `fake/${name}:latest` }));
    const sts: StatefulSetObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { ...this.newMetadata(seed.name, namespace), labels: { ...labels }, ...(seed.annotations ? { annotations: { ...seed.annotations } } : {}) },
      spec: {
        replicas: seed.replicas,
        serviceName: `${seed.name}-endpoints`,
        selector: { matchLabels: { ...labels } },
        template: { metadata: { labels: { ...labels } }, spec: { containers } },
      },
      status: { replicas: 0, readyReplicas: 0 },
    };
    this.statefulSets.set(key(namespace, seed.name), sts);
    for (let i = 0; i < seed.replicas; i++) this.createStatefulSetPod(sts, i, true);
    this.refreshStatus(sts);
    return sts;
  }

  addDeployment(seed: SeedDeployment): DeploymentObject {
    const namespace = seed.namespace ?? this.namespace;
    const labels = seed.labels ?? { 'app.kubernetes.io/name': seed.name };
    const containers = seed.containers.map((name) => ({ name, image: `fake/${name}:latest` }));
    const deployment: DeploymentObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...this.newMetadata(seed.name, namespace), generation: 1, labels: { ...labels }, ...(seed.annotations ? { annotations: { ...seed.annotations } } : {}) },
      spec: {
        replicas: seed.replicas,
        selector: { matchLabels: { ...labels } },
        template: { metadata: { labels: { ...labels } }, spec: { containers } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      },
      status: {},
    };
    this.deployments.set(key(namespace, seed.name), deployment);
    for (let i = 0; i < seed.replicas; i++) this.createDeploymentPod(deployment, true);
    this.refreshDeploymentStatus(deployment);
    return deployment;
  }

  addPod(seed: SeedPod): PodObject {
    const namespace = seed.namespace ?? this.namespace;
    const pod = this.buildPod(seed.name, namespace, seed.containers, seed.labels ?? {}, seed.ready ?? true);
    this.pods.set(key(namespace, seed.name), pod);
    return pod;
  }

  /** Makes a CRD known (its list is then empty rather than 404). */
  installCrd(type: CustomResourceType): void {
    this.crdTypes.set(typeKey(type), type);
    if (!this.customObjects.has(typeKey(type))) this.customObjects.set(typeKey(type), []);
  }

  /** Adds a custom resource (installing its CRD). `object` needs at least metadata.name and .namespace. */
  addCustomResource(type: CustomResourceType, object: { metadata: { name: string; namespace: string; labels?: Record<string, string> }; [k: string]: unknown }): CustomObject {
    this.installCrd(type);
    const stored: CustomObject = {
      ...structuredClone(object),
      apiVersion: `${type.group}/${type.version}`,
      kind: type.kind,
      metadata: { ...this.newMetadata(object.metadata.name, object.metadata.namespace), ...structuredClone(object.metadata) },
    };
    this.customObjects.get(typeKey(type))!.push(stored);
    return stored;
  }

  // ---- reading (for routes and tests) ----------------------------------------------------------

  getStatefulSet(name: string, namespace = this.namespace): StatefulSetObject | undefined {
    return this.statefulSets.get(key(namespace, name));
  }

  getDeployment(name: string, namespace = this.namespace): DeploymentObject | undefined {
    return this.deployments.get(key(namespace, name));
  }

  getPod(name: string, namespace = this.namespace): PodObject | undefined {
    return this.pods.get(key(namespace, name));
  }

  listPods(namespace: string | undefined): PodObject[] {
    return [...this.pods.values()].filter((p) => namespace === undefined || p.metadata.namespace === namespace);
  }

  crdType(group: string, version: string, plural: string): CustomResourceType | undefined {
    return this.crdTypes.get(typeKey({ group, version, plural }));
  }

  listCustomObjects(group: string, version: string, plural: string, namespace: string | undefined): CustomObject[] {
    const all = this.customObjects.get(typeKey({ group, version, plural })) ?? [];
    return all.filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }

  nextResourceVersion(): string {
    return String(++this.version);
  }

  // ---- changes (the "controllers") -------------------------------------------------------------

  /** Stores a patched StatefulSet and lets the controller react to a replica change. */
  replaceStatefulSet(sts: StatefulSetObject): void {
    sts.metadata.resourceVersion = this.nextResourceVersion();
    this.statefulSets.set(key(sts.metadata.namespace!, sts.metadata.name), sts);
    this.reconcile(sts);
  }

  /** Stores a patched Deployment (a new generation when its spec changed) and lets the controller react. */
  replaceDeployment(deployment: DeploymentObject): void {
    const current = this.deployments.get(key(deployment.metadata.namespace!, deployment.metadata.name));
    deployment.metadata.resourceVersion = this.nextResourceVersion();
    if (current && JSON.stringify(current.spec) !== JSON.stringify(deployment.spec)) deployment.metadata.generation = current.metadata.generation + 1;
    this.deployments.set(key(deployment.metadata.namespace!, deployment.metadata.name), deployment);
    this.reconcileDeployment(deployment);
  }

  /** Graceful delete: the pod is Terminating, then gone; its StatefulSet or Deployment then replaces it (new uid). */
  deletePod(name: string, namespace = this.namespace): PodObject | undefined {
    const pod = this.pods.get(key(namespace, name));
    if (!pod) return undefined;
    if (!pod.metadata.deletionTimestamp) this.terminate(pod);
    return pod;
  }

  /** Fault: the pod vanishes at once and is not recreated until its StatefulSet is next reconciled. */
  removePod(name: string, namespace = this.namespace): void {
    this.pods.delete(key(namespace, name));
  }

  /** Stops every pending timer (call when the server closes). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- internals -------------------------------------------------------------------------------

  private newMetadata(name: string, namespace: string): Metadata {
    return {
      name,
      namespace,
      uid: randomUUID(),
      resourceVersion: this.nextResourceVersion(),
      creationTimestamp: new Date().toISOString(),
    };
  }

  private buildPod(name: string, namespace: string, containers: string[], labels: Record<string, string>, ready: boolean): PodObject {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...this.newMetadata(name, namespace), labels: { ...labels } },
      spec: { containers: containers.map((c) => ({ name: c, image: `fake/${c}:latest` })) },
      status: {
        phase: ready ? 'Running' : 'Pending',
        conditions: [{ type: 'Ready', status: ready && !this.faults.neverReady.has(name) ? 'True' : 'False' }],
      },
    };
  }

  private createStatefulSetPod(sts: StatefulSetObject, ordinal: number, ready: boolean): void {
    const name = `${sts.metadata.name}-${ordinal}`;
    const namespace = sts.metadata.namespace!;
    const pod = this.buildPod(
      name,
      namespace,
      sts.spec.template.spec.containers.map((c) => c.name),
      { ...sts.spec.template.metadata.labels, 'statefulset.kubernetes.io/pod-name': name },
      ready,
    );
    pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name, uid: sts.metadata.uid, controller: true }];
    this.pods.set(key(namespace, name), pod);
    if (!ready) {
      this.later(this.timing.podReadyDelayMs, () => {
        if (this.pods.get(key(namespace, name)) !== pod || pod.metadata.deletionTimestamp) return;
        pod.status.phase = 'Running';
        pod.status.conditions = [{ type: 'Ready', status: this.faults.neverReady.has(name) ? 'False' : 'True' }];
        pod.metadata.resourceVersion = this.nextResourceVersion();
        this.refreshStatus(sts);
      });
    }
  }

  private terminate(pod: PodObject): void {
    const namespace = pod.metadata.namespace!;
    // As on a real cluster, the Ready condition stays as it was until the kubelet has stopped the pod.
    pod.metadata.deletionTimestamp = new Date().toISOString();
    pod.metadata.resourceVersion = this.nextResourceVersion();
    this.later(this.timing.podDeleteDelayMs, () => {
      if (this.pods.get(key(namespace, pod.metadata.name)) === pod) this.pods.delete(key(namespace, pod.metadata.name));
      const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'StatefulSet');
      const sts = owner && this.statefulSets.get(key(namespace, owner.name));
      if (sts) this.reconcile(sts);
      const deployment = this.deploymentOwning(pod);
      if (deployment) this.reconcileDeployment(deployment);
    });
  }

  // ---- the Deployment controller (and its ReplicaSet) ------------------------------------------

  /** `pod-template-hash`: a short hash of the pod template, as the Deployment controller labels its ReplicaSet and pods. */
  private templateHash(deployment: DeploymentObject): string {
    const digest = createHash('sha256').update(JSON.stringify(deployment.spec.template)).digest();
    return Array.from(digest.subarray(0, 10), (byte) => POD_NAME_ALPHABET[byte % POD_NAME_ALPHABET.length]).join('');
  }

  private deploymentOwning(pod: PodObject): DeploymentObject | undefined {
    const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    if (!owner) return undefined;
    return [...this.deployments.values()].find((d) => d.metadata.namespace === pod.metadata.namespace && owner.name === `${d.metadata.name}-${this.templateHash(d)}`);
  }

  private deploymentPods(deployment: DeploymentObject): PodObject[] {
    return this.listPods(deployment.metadata.namespace).filter((pod) => this.deploymentOwning(pod) === this.deployments.get(key(deployment.metadata.namespace!, deployment.metadata.name)));
  }

  private createDeploymentPod(deployment: DeploymentObject, ready: boolean): void {
    const namespace = deployment.metadata.namespace!;
    const hash = this.templateHash(deployment);
    const replicaSet = `${deployment.metadata.name}-${hash}`;
    const suffix = Array.from(randomBytes(5), (byte) => POD_NAME_ALPHABET[byte % POD_NAME_ALPHABET.length]).join('');
    const name = `${replicaSet}-${suffix}`;
    const pod = this.buildPod(name, namespace, deployment.spec.template.spec.containers.map((c) => c.name), { ...deployment.spec.template.metadata.labels, 'pod-template-hash': hash }, ready);
    pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, uid: randomUUID(), controller: true }];
    this.pods.set(key(namespace, name), pod);
    if (!ready) {
      this.later(this.timing.podReadyDelayMs, () => {
        if (this.pods.get(key(namespace, name)) !== pod || pod.metadata.deletionTimestamp) return;
        pod.status.phase = 'Running';
        pod.status.conditions = [{ type: 'Ready', status: this.faults.neverReady.has(name) ? 'False' : 'True' }];
        pod.metadata.resourceVersion = this.nextResourceVersion();
        const current = this.deployments.get(key(namespace, deployment.metadata.name));
        if (current) this.refreshDeploymentStatus(current);
      });
    }
  }

  /** Keep `spec.replicas` live pods: terminate the newest extra ones, create the missing ones after a delay. */
  private reconcileDeployment(deployment: DeploymentObject): void {
    const namespace = deployment.metadata.namespace!;
    const live = this.deploymentPods(deployment)
      .filter((pod) => !pod.metadata.deletionTimestamp)
      .sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp));
    for (const pod of live.slice(0, Math.max(0, live.length - deployment.spec.replicas))) this.terminate(pod);
    const deploymentKey = key(namespace, deployment.metadata.name);
    const pending = [...this.pendingCreates].filter((k) => k.startsWith(`${deploymentKey}#`)).length;
    for (let i = live.length + pending; i < deployment.spec.replicas; i++) {
      const token = `${deploymentKey}#${randomUUID()}`;
      this.pendingCreates.add(token);
      this.later(this.timing.podCreateDelayMs, () => {
        this.pendingCreates.delete(token);
        const current = this.deployments.get(deploymentKey);
        if (!current) return;
        const alive = this.deploymentPods(current).filter((pod) => !pod.metadata.deletionTimestamp).length;
        if (alive >= current.spec.replicas) return;
        this.createDeploymentPod(current, false);
        this.refreshDeploymentStatus(current);
      });
    }
    this.refreshDeploymentStatus(deployment);
  }

  private refreshDeploymentStatus(deployment: DeploymentObject): void {
    const owned = this.deploymentPods(deployment);
    const ready = owned.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const live = owned.filter((p) => !p.metadata.deletionTimestamp).length;
    const counts = { replicas: live, updatedReplicas: live, readyReplicas: ready, availableReplicas: ready };
    deployment.status = { observedGeneration: deployment.metadata.generation };
    for (const [name, value] of Object.entries(counts)) if (value > 0) deployment.status[name] = value;
  }

  /** The StatefulSet controller: make pods 0..replicas-1 exist, terminate the rest. */
  private reconcile(sts: StatefulSetObject): void {
    const namespace = sts.metadata.namespace!;
    const prefix = `${sts.metadata.name}-`;
    for (const pod of this.listPods(namespace)) {
      if (!pod.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === sts.metadata.name)) continue;
      const ordinal = Number(pod.metadata.name.slice(prefix.length));
      if (ordinal >= sts.spec.replicas && !pod.metadata.deletionTimestamp) this.terminate(pod);
    }
    for (let i = 0; i < sts.spec.replicas; i++) {
      const name = `${prefix}${i}`;
      const podKey = key(namespace, name);
      if (this.pods.has(podKey) || this.pendingCreates.has(podKey)) continue;
      this.pendingCreates.add(podKey);
      this.later(this.timing.podCreateDelayMs, () => {
        this.pendingCreates.delete(podKey);
        const current = this.statefulSets.get(key(namespace, sts.metadata.name));
        if (!current || i >= current.spec.replicas || this.pods.has(podKey)) return;
        this.createStatefulSetPod(current, i, false);
        this.refreshStatus(current);
      });
    }
    this.refreshStatus(sts);
  }

  private refreshStatus(sts: StatefulSetObject): void {
    const owned = this.listPods(sts.metadata.namespace).filter((p) =>
      p.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === sts.metadata.name),
    );
    sts.status.replicas = owned.length;
    sts.status.readyReplicas = owned.filter((p) => p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
