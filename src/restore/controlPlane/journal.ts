/**
 * The restore journal: one ConfigMap in the model's namespace. Only one run can hold it — create fails
 * when it exists (the API server's AlreadyExists), and every update or delete carries the resourceVersion
 * it read, so a journal someone else changed in between is a JournalConflictError, never overwritten.
 * No Juju in here.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { RestoreError } from '../../errors';
import { isNotFound, statusCodeOf, toKubeApiError } from '../../kube/apiError';
import type { KubeClient } from '../../kube/client';
import { decodeJournal, encodeJournal, type JournalContent } from './journalFormat';

export const JOURNAL_NAME = 'ckf-restore-journal';
/** The ConfigMap key holding the journal (JSON). */
export const JOURNAL_KEY = 'journal.json';

export interface Journal extends JournalContent {
  /** The ConfigMap's resourceVersion when it was read or written: the precondition of the next write. */
  resourceVersion: string;
}

export interface JournalOptions {
  /** Default JOURNAL_NAME. */
  name?: string;
}

/** A journal is already there: another run is open (or crashed). `existing` is what it says. */
export class JournalExistsError extends RestoreError {
  constructor(
    readonly existing: Journal,
    where: string,
  ) {
    super(`a restore journal is already open in ${where} (run ${existing.runId}, started ${existing.startedAt}, finished: ${existing.finishedPhases.join(', ') || 'nothing yet'})`, {
      hint: 'Run the same restore again to carry it on, or abandon it (abandon=true resumes the writers and clears it)',
    });
  }
}

/** The journal changed (or went away) since it was read: another run is writing it. */
export class JournalConflictError extends RestoreError {}

function where(client: KubeClient, name: string): string {
  return `ConfigMap ${client.namespace}/${name}`;
}

function toConfigMap(name: string, content: JournalContent, resourceVersion?: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'ckf-restore' }, ...(resourceVersion ? { resourceVersion } : {}) },
    data: { [JOURNAL_KEY]: encodeJournal(content) },
  };
}

function fromConfigMap(client: KubeClient, name: string, object: V1ConfigMap): Journal {
  const text = object.data?.[JOURNAL_KEY];
  const content = decodeJournal(text ?? '', `${where(client, name)} (key ${JOURNAL_KEY}${text === undefined ? ' missing' : ''})`);
  const resourceVersion = object.metadata?.resourceVersion;
  if (!resourceVersion) throw new RestoreError(`${where(client, name)} has no resourceVersion`, { hint: 'The Kubernetes API answered without one; check the API server' });
  return { ...content, resourceVersion };
}

function contentOf(journal: JournalContent): JournalContent {
  const { runId, startedAt, backupSet, finishedPhases, originalReplicas } = journal;
  return { runId, startedAt, backupSet, finishedPhases, originalReplicas };
}

/** Opens a new journal; JournalExistsError (with the existing one) when there is one already. */
export async function createJournal(client: KubeClient, content: JournalContent, options: JournalOptions = {}): Promise<Journal> {
  const name = options.name ?? JOURNAL_NAME;
  try {
    const created = await client.core.createNamespacedConfigMap({ namespace: client.namespace, body: toConfigMap(name, content) });
    return fromConfigMap(client, name, created);
  } catch (error) {
    if (statusCodeOf(error) !== 409) throw toKubeApiError(error, `creating the restore journal ${where(client, name)}`);
  }
  const existing = await readJournal(client, options);
  if (!existing) throw new JournalConflictError(`the restore journal ${where(client, name)} existed when it was created and was gone when it was read`, { hint: 'Another run is using it; wait for it to finish' });
  throw new JournalExistsError(existing, where(client, name));
}

/** The open journal, or undefined when there is none. */
export async function readJournal(client: KubeClient, options: JournalOptions = {}): Promise<Journal | undefined> {
  const name = options.name ?? JOURNAL_NAME;
  let object: V1ConfigMap;
  try {
    object = await client.core.readNamespacedConfigMap({ name, namespace: client.namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toKubeApiError(error, `reading the restore journal ${where(client, name)}`);
  }
  return fromConfigMap(client, name, object);
}

/**
 * Writes `change(journal)` over the journal, on the condition that it is still the version `journal` was
 * read at; returns the new version (pass it to the next update).
 */
export async function updateJournal(client: KubeClient, journal: Journal, change: (content: JournalContent) => JournalContent, options: JournalOptions = {}): Promise<Journal> {
  const name = options.name ?? JOURNAL_NAME;
  const next = change(structuredClone(contentOf(journal)));
  if (next.runId !== journal.runId) throw new RestoreError(`a journal update may not change the run id (${journal.runId} → ${next.runId})`);
  try {
    const replaced = await client.core.replaceNamespacedConfigMap({ name, namespace: client.namespace, body: toConfigMap(name, next, journal.resourceVersion) });
    return fromConfigMap(client, name, replaced);
  } catch (error) {
    throw conflictOr(error, client, name, `updating the restore journal ${where(client, name)}`);
  }
}

/** Records a finished phase (once). */
export function finishPhase(client: KubeClient, journal: Journal, phase: string, options: JournalOptions = {}): Promise<Journal> {
  return updateJournal(client, journal, (content) => ({ ...content, finishedPhases: content.finishedPhases.includes(phase) ? content.finishedPhases : [...content.finishedPhases, phase] }), options);
}

/** Closes the journal, if it is still the version `journal` was read at. */
export async function deleteJournal(client: KubeClient, journal: Journal, options: JournalOptions = {}): Promise<void> {
  const name = options.name ?? JOURNAL_NAME;
  try {
    await client.core.deleteNamespacedConfigMap({ name, namespace: client.namespace, body: { preconditions: { resourceVersion: journal.resourceVersion } } });
  } catch (error) {
    throw conflictOr(error, client, name, `deleting the restore journal ${where(client, name)}`);
  }
}

function conflictOr(error: unknown, client: KubeClient, name: string, doing: string): RestoreError {
  const code = statusCodeOf(error);
  if (code === 409 || code === 404) {
    return new JournalConflictError(`${doing}: ${code === 404 ? 'it is gone' : 'it was changed by someone else'} since this run read it`, {
      hint: 'Another restore run is writing it: let that one finish, then run the action again',
    });
  }
  return toKubeApiError(error, doing);
}
