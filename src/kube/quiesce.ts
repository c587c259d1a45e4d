/**
 * Stops several workloads at once and brings them back: every one's replica count is recorded (the
 * original-replicas annotation) before any is scaled, then all are scaled to 0, then all their pods are
 * waited for, under one deadline. Resume scales back every workload that has a record — whether this run
 * or a crashed earlier one wrote it, whatever failed before — one failure not stopping the others, then
 * waits (bounded) until their pods are Ready and says which are not. No Juju in here.
 */
import { describeError, RestoreError } from '../errors';
import { sleep } from '../util/sleep';
import type { KubeClient } from './client';
import { ORIGINAL_REPLICAS_ANNOTATION } from './replicaAnnotation';
import { isPodReady } from './pods';
import { findWorkload, patchWorkload, podsOf, type Workload, type WorkloadKind } from './workloadApi';

export interface QuiesceOptions {
  /** For all pods of all workloads to be gone. */
  timeoutMs: number;
  /** Between checks. Default 1 s. */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface StoppedWorkload {
  name: string;
  kind: WorkloadKind;
  /** What resume brings it back to. */
  originalReplicas: number;
  /** The record was already there (an earlier run did not resume): its value was kept, not the current 0. */
  recordedByEarlierRun: boolean;
}

export interface QuiesceReport {
  /** Recorded (and, once quiesceWorkloads returns, scaled to 0 with no pods left), in the order given. */
  stopped: StoppedWorkload[];
  /** Named but neither a StatefulSet nor a Deployment exists: skipped. */
  missing: string[];
  seconds: number;
}

/**
 * The quiesce did not finish; `report.stopped` lists what had been recorded by then (some may be scaled
 * to 0). Resume them — resumeWorkloads with the same names does, from the records.
 */
export class QuiesceFailedError extends RestoreError {
  constructor(
    message: string,
    readonly report: QuiesceReport,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export async function quiesceWorkloads(client: KubeClient, names: readonly string[], options: QuiesceOptions): Promise<QuiesceReport> {
  const started = performance.now();
  const report: QuiesceReport = { stopped: [], missing: [], seconds: 0 };
  const done = (): QuiesceReport => ({ ...report, seconds: elapsedSeconds(started) });
  const unique = [...new Set(names)];

  // 1. Read all: nothing has changed if one cannot be read.
  const found = await settleAll(unique, (name) => findWorkload(client, name));
  const unreadable = found.filter((entry) => entry.error !== undefined);
  if (unreadable.length > 0) {
    throw new QuiesceFailedError(`cannot read ${list(unreadable.map((entry) => `${entry.item} (${entry.error})`))}; nothing was stopped`, done(), {
      hint: 'Check the Kubernetes API and the charm\'s permissions, then run the action again',
    });
  }
  const workloads: Workload[] = [];
  for (const entry of found) {
    if (entry.value === undefined) report.missing.push(entry.item);
    else workloads.push(entry.value);
  }

  // 2. Record every count before anything is scaled; a record left by an earlier run is kept.
  const recorded = await settleAll(workloads, async (workload) => {
    if (workload.recorded === undefined) {
      await patchWorkload(client, workload, { metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: String(workload.replicas) } } }, `recording the replica count of ${workload.kind} ${workload.name}`);
    }
    return { name: workload.name, kind: workload.kind, originalReplicas: workload.recorded ?? workload.replicas, recordedByEarlierRun: workload.recorded !== undefined };
  });
  report.stopped = recorded.flatMap((entry) => (entry.value ? [entry.value] : []));
  const notRecorded = recorded.filter((entry) => entry.error !== undefined);
  if (notRecorded.length > 0) {
    throw new QuiesceFailedError(`cannot record the replica count of ${list(notRecorded.map((entry) => `${entry.item.name} (${entry.error})`))}; nothing was scaled`, done(), {
      hint: 'Resume the recorded ones (nothing was scaled, so their counts are unchanged) and run the action again',
    });
  }

  // 3. Scale every one to 0.
  const scaled = await settleAll(workloads, async (workload) => {
    if (workload.replicas !== 0) await patchWorkload(client, workload, { spec: { replicas: 0 } }, `scaling ${workload.kind} ${workload.name} to 0`);
  });
  const notScaled = scaled.filter((entry) => entry.error !== undefined);
  if (notScaled.length > 0) {
    throw new QuiesceFailedError(`cannot scale ${list(notScaled.map((entry) => `${entry.item.name} (${entry.error})`))} to 0`, done(), {
      hint: 'Every recorded workload must be resumed; then run the action again',
    });
  }

  // 4. Wait until none has a pod left, under one deadline.
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const remaining = await settleAll(workloads, async (workload) => (await podsOf(client, workload)).map((pod) => pod.metadata?.name ?? '?'));
    const broken = remaining.filter((entry) => entry.error !== undefined);
    if (broken.length > 0) {
      throw new QuiesceFailedError(`cannot list the pods of ${list(broken.map((entry) => `${entry.item.name} (${entry.error})`))}`, done(), {
        hint: 'Every recorded workload must be resumed; then run the action again',
      });
    }
    const left = remaining.filter((entry) => (entry.value?.length ?? 0) > 0);
    if (left.length === 0) return done();
    const wait = deadline - Date.now();
    if (wait <= 0) {
      const first = left[0]?.value?.[0] ?? '';
      throw new QuiesceFailedError(
        `pods still running ${options.timeoutMs / 1000}s after scaling to 0: ${list(left.map((entry) => `${entry.item.name} (${(entry.value ?? []).join(', ')})`))}`,
        done(),
        { hint: `Check why they do not terminate: kubectl describe pod ${first} -n ${client.namespace}. Every recorded workload must be resumed; running the action again resumes from the records` },
      );
    }
    await sleep(Math.min(options.pollMs ?? 1000, wait), options.signal);
  }
}

export interface ResumeOptions {
  /** For the pods of every resumed workload to be Ready. 0: do not wait. */
  readyTimeoutMs: number;
  pollMs?: number;
  /**
   * Counts to use when a workload has no record but is at 0 replicas (e.g. the annotation was removed by
   * hand after the scale): typically what a journal recorded. Never used for a workload above 0.
   */
  fallbackReplicas?: Readonly<Record<string, number>>;
  signal?: AbortSignal;
}

export interface ResumedWorkload {
  name: string;
  kind: WorkloadKind;
  replicas: number;
  /** Where the count came from. */
  from: 'annotation' | 'fallback';
  /** Ready pods when the wait ended (or when it was not waited for: not counted, 0). */
  readyPods: number;
  ready: boolean;
}

export interface ResumeReport {
  resumed: ResumedWorkload[];
  /** Found, but with no record (and no fallback that applies): left as they are. */
  notRecorded: string[];
  missing: string[];
  /** Could not be read or scaled back: what went wrong. These need a person. */
  failed: { name: string; error: string }[];
  /** Resumed, but not all pods Ready within readyTimeoutMs. */
  notReady: string[];
  /** Every recorded workload scaled back and Ready. */
  complete: boolean;
  seconds: number;
}

/** Never throws for a single workload: each outcome is in the report (see requireResumed). */
export async function resumeWorkloads(client: KubeClient, names: readonly string[], options: ResumeOptions): Promise<ResumeReport> {
  const started = performance.now();
  const report: ResumeReport = { resumed: [], notRecorded: [], missing: [], failed: [], notReady: [], complete: false, seconds: 0 };
  const outcomes = await settleAll([...new Set(names)], async (name) => {
    const workload = await findWorkload(client, name);
    if (!workload) return 'missing' as const;
    const fallback = options.fallbackReplicas?.[name];
    const replicas = workload.recorded ?? (workload.replicas === 0 ? fallback : undefined);
    if (replicas === undefined) return 'not-recorded' as const;
    const body = workload.recorded !== undefined ? { metadata: { annotations: { [ORIGINAL_REPLICAS_ANNOTATION]: null } }, spec: { replicas } } : { spec: { replicas } };
    await patchWorkload(client, workload, body, `scaling ${workload.kind} ${name} back to ${replicas}`);
    return { workload, replicas, from: workload.recorded !== undefined ? ('annotation' as const) : ('fallback' as const) };
  });
  const back: { workload: Workload; replicas: number; from: 'annotation' | 'fallback' }[] = [];
  for (const entry of outcomes) {
    if (entry.error !== undefined) report.failed.push({ name: entry.item, error: entry.error });
    else if (entry.value === 'missing') report.missing.push(entry.item);
    else if (entry.value === 'not-recorded') report.notRecorded.push(entry.item);
    else if (entry.value) back.push(entry.value);
  }

  const readyCounts = new Map<string, number>();
  const deadline = Date.now() + options.readyTimeoutMs;
  const waiting = () => back.filter((b) => (readyCounts.get(b.workload.name) ?? 0) < b.replicas);
  if (options.readyTimeoutMs > 0) {
    for (;;) {
      const counts = await settleAll(waiting(), async (b) => (await podsOf(client, b.workload)).filter(isPodReady).length);
      for (const entry of counts) if (entry.value !== undefined) readyCounts.set(entry.item.workload.name, entry.value);
      const wait = deadline - Date.now();
      if (waiting().length === 0 || wait <= 0) break;
      await sleep(Math.min(options.pollMs ?? 1000, wait), options.signal);
    }
  }
  for (const b of back) {
    const readyPods = readyCounts.get(b.workload.name) ?? 0;
    const ready = b.replicas === 0 || (options.readyTimeoutMs > 0 && readyPods >= b.replicas);
    report.resumed.push({ name: b.workload.name, kind: b.workload.kind, replicas: b.replicas, from: b.from, readyPods, ready });
    if (!ready && options.readyTimeoutMs > 0) report.notReady.push(b.workload.name);
  }
  report.complete = report.failed.length === 0 && report.notReady.length === 0;
  report.seconds = elapsedSeconds(started);
  return report;
}

/** Some workload was not scaled back, or not Ready in time; `report` says which and why. */
export class ResumeIncompleteError extends RestoreError {
  constructor(readonly report: ResumeReport) {
    const parts = [
      ...report.failed.map((f) => `${f.name} not scaled back (${f.error})`),
      ...report.notReady.map((name) => {
        const r = report.resumed.find((x) => x.name === name);
        return `${name} scaled back to ${r?.replicas ?? '?'} but ${r?.readyPods ?? 0} pod(s) Ready`;
      }),
    ];
    super(`resume incomplete: ${parts.join('; ')}`, {
      hint: `Check them with kubectl get pods -n <model>; what was not scaled back keeps its ${ORIGINAL_REPLICAS_ANNOTATION} annotation, so running the action again (or kubectl scale) brings it back`,
    });
  }
}

/** Throws ResumeIncompleteError unless every recorded workload is back and Ready. */
export function requireResumed(report: ResumeReport): void {
  if (!report.complete) throw new ResumeIncompleteError(report);
}

interface Settled<I, T> {
  item: I;
  value?: T;
  error?: string;
}

/** Runs `work` for every item at once; each outcome (value, or the error's text) is kept, in order. */
async function settleAll<I, T>(items: readonly I[], work: (item: I) => Promise<T>): Promise<Settled<I, T>[]> {
  const results = await Promise.allSettled(items.map(work));
  return results.map((result, index) => {
    const item = items[index] as I;
    return result.status === 'fulfilled' ? { item, value: result.value } : { item, error: describeError(result.reason) };
  });
}

function list(items: string[]): string {
  return items.join(', ');
}

function elapsedSeconds(started: number): number {
  return Math.round((performance.now() - started) / 10) / 100;
}
