/**
 * What a restore-control-plane run writes down in the cluster so that a run after a crash can carry on
 * with the same backups and bring every writer back: the content of the journal and its (strict) text
 * form. A journal that cannot be read whole is refused, never guessed at.
 */
import { RestoreError } from '../../errors';

export const JOURNAL_FORMAT_VERSION = 1;

export interface JournalBackup {
  /** The backup as the component's action takes it: an MLMD object name, a mysql-k8s backup id, a prefix. */
  backup: string;
  /** The time it stands for (ISO 8601, UTC). */
  time: string;
}

export interface JournalContent {
  runId: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  /** Per component (`mlmd`, `kfp-db`, `katib-db`, `mlpipeline`): the chosen backup. */
  backupSet: Record<string, JournalBackup>;
  /** Phases finished, in order. */
  finishedPhases: string[];
  /** Writer → the replica count to bring it back to (a second record, beside the workloads' annotations). */
  originalReplicas: Record<string, number>;
}

/** The journal's content is not what this charm writes (hand-edited, cut, or from a newer version). */
export class JournalFormatError extends RestoreError {}

export function encodeJournal(content: JournalContent): string {
  check(content);
  return JSON.stringify({ version: JOURNAL_FORMAT_VERSION, ...content });
}

export function decodeJournal(text: string, where: string): JournalContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw formatError(where, `it is not JSON (${(error as Error).message})`);
  }
  const record = asRecord(parsed, where, 'the journal');
  if (record.version !== JOURNAL_FORMAT_VERSION) throw formatError(where, `format version ${JSON.stringify(record.version)}, this charm reads ${JOURNAL_FORMAT_VERSION}`);
  const content: JournalContent = {
    runId: asString(record.runId, where, 'runId'),
    startedAt: asString(record.startedAt, where, 'startedAt'),
    backupSet: Object.fromEntries(
      Object.entries(asRecord(record.backupSet, where, 'backupSet')).map(([component, value]) => {
        const entry = asRecord(value, where, `backupSet.${component}`);
        return [component, { backup: asString(entry.backup, where, `backupSet.${component}.backup`), time: asString(entry.time, where, `backupSet.${component}.time`) }];
      }),
    ),
    finishedPhases: asArray(record.finishedPhases, where, 'finishedPhases').map((phase, index) => asString(phase, where, `finishedPhases[${index}]`)),
    originalReplicas: Object.fromEntries(
      Object.entries(asRecord(record.originalReplicas, where, 'originalReplicas')).map(([writer, count]) => {
        if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) throw formatError(where, `originalReplicas.${writer} is not a replica count`);
        return [writer, count];
      }),
    ),
  };
  check(content, where);
  return content;
}

function check(content: JournalContent, where = 'the journal to write'): void {
  if (!content.runId) throw formatError(where, 'runId is empty');
  for (const [name, value] of [['startedAt', content.startedAt], ...Object.entries(content.backupSet).map(([c, b]) => [`backupSet.${c}.time`, b.time])] as const) {
    if (Number.isNaN(Date.parse(value)) || !value.endsWith('Z')) throw formatError(where, `${name} is not a UTC time: ${JSON.stringify(value)}`);
  }
}

function formatError(where: string, problem: string): JournalFormatError {
  return new JournalFormatError(`cannot read the restore journal ${where}: ${problem}`, {
    hint: `Look at it (kubectl get configmap -o yaml); abandon=true resumes the writers from their annotations and clears it`,
  });
}

function asRecord(value: unknown, where: string, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw formatError(where, `${field} is not an object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown, where: string, field: string): unknown[] {
  if (!Array.isArray(value)) throw formatError(where, `${field} is not a list`);
  return value;
}

function asString(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw formatError(where, `${field} is not a string`);
  return value;
}
