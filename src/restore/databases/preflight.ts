import type { ModelClient } from '../../juju/controller/modelClient';
import { newestFinished, parseBackupsTable } from './backupsTable';
import { runAction, type RunActionOptions } from './runAction';
import type { BackupEntry, DatabaseKey } from './types';

export const S3_ENDPOINT = 's3-parameters';

export interface DatabaseTarget {
  database: DatabaseKey;
  app: string;
  backupId: string | undefined;
}

export interface PreflightOk {
  ok: true;
  target: DatabaseTarget & { backupId: string };
  units: number;
  leader: string;
  s3Integrator: string;
  backups: BackupEntry[];
}

export interface PreflightProblem {
  ok: false;
  target: DatabaseTarget;
  problem: string;
  hint: string;
}

export type PreflightResult = PreflightOk | PreflightProblem;

/** The app, its leader, its s3 relation and its backups, read with `list-backups` on the leader. */
export async function readDatabaseBackups(
  client: ModelClient,
  target: DatabaseTarget,
  action: RunActionOptions,
): Promise<{ ok: true; units: number; leader: string; s3Integrator: string; backups: BackupEntry[] } | PreflightProblem> {
  const problem = (text: string, hint: string): PreflightProblem => ({ ok: false, target, problem: text, hint });
  const app = (await client.getApplications([target.app])).get(target.app);
  if (!app) return problem(`application ${target.app} is not in the model`, `Set the ${target.database} app name in the charm config if it is deployed under another name`);
  const s3Integrator = app.relations[S3_ENDPOINT]?.[0];
  if (!s3Integrator) {
    return problem(`${target.app} has no ${S3_ENDPOINT} relation`, `juju integrate ${target.app} <s3-integrator-app> (the s3-integrator that holds its backups)`);
  }
  if (app.units.length === 0) return problem(`${target.app} has no units`, `juju scale-application ${target.app} 1`);
  const leader = app.units.find((u) => u.leader)?.name;
  if (!leader) return problem(`${target.app} has no leader unit right now`, 'Wait for Juju to elect one (juju status), then retry');
  const run = await runAction(client, leader, 'list-backups', {}, action);
  if (run.state.status !== 'completed') {
    return problem(`list-backups on ${leader} ${run.state.status}: ${run.state.message}`, `See \`juju show-operation ${run.operationId}\``);
  }
  const table = typeof run.state.output.backups === 'string' ? run.state.output.backups : '';
  const backups = parseBackupsTable(table);
  if (!backups) return problem(`list-backups on ${leader} returned no backups table`, `See \`juju show-operation ${run.operationId}\``);
  return { ok: true, units: app.units.length, leader, s3Integrator, backups };
}

/** Steps 1–2 of a database restore: everything is checked, nothing is changed. */
export async function preflightDatabase(client: ModelClient, target: DatabaseTarget, action: RunActionOptions): Promise<PreflightResult> {
  const read = await readDatabaseBackups(client, target, action);
  if (!read.ok) return read;
  const newest = newestFinished(read.backups);
  const choices = newest.length > 0 ? `newest finished backups of ${target.app}: ${newest.join(', ')}` : `${target.app} has no finished backup`;
  if (!target.backupId) {
    return { ok: false, target, problem: `no backup id given for ${target.database}`, hint: choices };
  }
  const entry = read.backups.find((b) => b.id === target.backupId);
  if (!entry) return { ok: false, target, problem: `backup ${target.backupId} is not in ${target.app}'s backups`, hint: choices };
  if (entry.status !== 'finished') {
    return { ok: false, target, problem: `backup ${target.backupId} of ${target.app} is ${entry.status}, not finished`, hint: choices };
  }
  return { ok: true, target: { ...target, backupId: target.backupId }, units: read.units, leader: read.leader, s3Integrator: read.s3Integrator, backups: read.backups };
}
