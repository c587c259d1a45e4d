/**
 * Reads the remote application's databag on an endpoint (limit 1) and parses it. The four outcomes map
 * straight onto what the operator must do: integrate, wait, fix the other side, or nothing.
 */
import * as tools from '../juju/hookTools';
import { RelationDataError } from './relationDataError';

export type RelationState<T> =
  | { status: 'missing'; endpoint: string }
  | { status: 'waiting'; endpoint: string; relationId: string; remoteApp: string }
  | { status: 'invalid'; endpoint: string; relationId: string; remoteApp: string; error: RelationDataError }
  | { status: 'ready'; endpoint: string; relationId: string; remoteApp: string; value: T };

/** `exclude`: a relation id to treat as gone (the one whose -relation-broken hook is running). */
export async function readRelation<T>(
  endpoint: string,
  parse: (data: Record<string, string>) => T | undefined,
  options: { exclude?: string | undefined } = {},
): Promise<RelationState<T>> {
  const ids = (await tools.relationIds(endpoint)).filter((id) => id !== options.exclude);
  const relationId = ids[0];
  if (relationId === undefined) return { status: 'missing', endpoint };
  const remoteApp = await tools.relationRemoteApp(relationId);
  // Until the remote app's first unit has joined, Juju does not know its name here: nothing to read yet.
  if (!remoteApp) return { status: 'waiting', endpoint, relationId, remoteApp };
  const data = await tools.relationGet(relationId, remoteApp, { app: true });
  try {
    const value = parse(data);
    return value === undefined ? { status: 'waiting', endpoint, relationId, remoteApp } : { status: 'ready', endpoint, relationId, remoteApp, value };
  } catch (error) {
    if (error instanceof RelationDataError) return { status: 'invalid', endpoint, relationId, remoteApp, error };
    throw error;
  }
}
