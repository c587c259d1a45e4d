/**
 * One typed function per Juju hook tool. Each is an argv array through execa (never a shell), asks for
 * JSON where the tool prints, and puts `--` before free text so a message starting with `-` stays text.
 * Text a person will see passes through `redact`.
 */
import { execa } from 'execa';
import yaml from 'js-yaml';
import { redact, registerSecret } from '../util/redact';
import { HookToolError } from './hookToolError';

export type StatusName = 'active' | 'blocked' | 'waiting' | 'maintenance';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

async function run(tool: string, args: string[], input?: string): Promise<string> {
  const result = await execa(tool, args, { reject: false, input, stripFinalNewline: false, timeout: 120_000 });
  if (result.failed) {
    throw new HookToolError({
      tool,
      args,
      exitCode: result.exitCode,
      stdout: String(result.stdout ?? ''),
      // No exit code: the tool never ran (not on PATH, killed by the timeout); execa's message says why.
      stderr: String(result.stderr ?? '') || (result.exitCode === undefined ? (result.shortMessage ?? '') : ''),
      cause: result.exitCode === undefined ? result.cause : undefined,
    });
  }
  return String(result.stdout ?? '');
}

async function runJson(tool: string, args: string[]): Promise<unknown> {
  const out = await run(tool, [...args, '--format=json']);
  if (out.trim() === '') return null;
  try {
    return JSON.parse(out);
  } catch (error) {
    throw new HookToolError({ tool, args, exitCode: 0, stdout: out, stderr: `unparseable JSON output: ${(error as Error).message}` });
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asStringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(asRecord(value))) if (typeof item === 'string') out[key] = item;
  return out;
}

function asStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

// --- actions -------------------------------------------------------------------------------------------

export async function actionGet(): Promise<Record<string, unknown>> {
  return asRecord(await runJson('action-get', []));
}

/** `results` must already be flat, with valid keys (see actionResults.ts). */
export async function actionSet(results: Record<string, string>): Promise<void> {
  const args = Object.entries(results).map(([key, value]) => `${key}=${redact(value)}`);
  if (args.length > 0) await run('action-set', args);
}

export async function actionLog(message: string): Promise<void> {
  await run('action-log', ['--', redact(message)]);
}

export async function actionFail(message: string): Promise<void> {
  await run('action-fail', ['--', redact(message)]);
}

// --- relations -----------------------------------------------------------------------------------------

export async function relationIds(endpoint: string): Promise<string[]> {
  return asStringList(await runJson('relation-ids', [endpoint]));
}

/** Remote units on the relation. */
export async function relationList(relationId: string): Promise<string[]> {
  return asStringList(await runJson('relation-list', ['-r', relationId]));
}

/** The remote application's name (Juju ≥ 2.8). */
export async function relationRemoteApp(relationId: string): Promise<string> {
  const value = await runJson('relation-list', ['-r', relationId, '--app']);
  return typeof value === 'string' ? value : '';
}

/** One application's or unit's databag on a relation. */
export async function relationGet(relationId: string, member: string, options: { app: boolean }): Promise<Record<string, string>> {
  const args = ['-r', relationId, ...(options.app ? ['--app'] : []), '-', member];
  return asStringRecord(await runJson('relation-get', args));
}

/** Write keys into this app's databag (leader only) or this unit's. Values go as YAML on stdin, as ops does. */
export async function relationSet(relationId: string, data: Record<string, string>, options: { app: boolean }): Promise<void> {
  const args = ['-r', relationId, ...(options.app ? ['--app'] : []), '--file', '-'];
  await run('relation-set', args, yaml.dump(data));
}

// --- unit and model ------------------------------------------------------------------------------------

export async function isLeader(): Promise<boolean> {
  return (await runJson('is-leader', [])) === true;
}

export async function statusSet(status: StatusName, message: string, options: { app?: boolean } = {}): Promise<void> {
  await run('status-set', [`--application=${options.app ? 'true' : 'false'}`, status, '--', redact(message)]);
}

export async function configGet(): Promise<Record<string, unknown>> {
  return asRecord(await runJson('config-get', []));
}

/**
 * A secret's content. Every value is registered as a secret before it is returned, except the keys the
 * caller names as public (a username, a CA certificate), which would otherwise be masked everywhere.
 */
export async function secretGet(uri: string, options: { publicKeys?: readonly string[] } = {}): Promise<Record<string, string>> {
  const content = asStringRecord(await runJson('secret-get', [uri]));
  for (const [key, value] of Object.entries(content)) if (!options.publicKeys?.includes(key)) registerSecret(value);
  return content;
}

export async function jujuLog(level: LogLevel, message: string): Promise<void> {
  await run('juju-log', ['--log-level', level, '--', redact(message)]);
}
