/**
 * Reads the remote application's databag on an endpoint (limit 1) and parses it. The four outcomes map
 * straight onto what the operator must do: integrate, wait, fix the other side, or nothing.
 */
import * as tools from '../juju/hookTools';
import { RelationDataError } from './relationDataError';

interface Present {
  endpoint: string;
  relationId: string;
  remoteApp: string;
  /** The remote app's raw databag ({} until its first unit has joined). */
  data: Record<string, string>;
}

export type RelationState<T> =
  | { status: 'missing'; endpoint: string }
  | ({ status: 'waiting' } & Present)
  | ({ status: 'invalid'; error: RelationDataError } & Present)
  | ({ status: 'ready'; value: T } & Present);

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
  if (!remoteApp) return { status: 'waiting', endpoint, relationId, remoteApp, data: {} };
  const data = await tools.relationGet(relationId, remoteApp, { app: true });
  try {
    const value = parse(data);
    return value === undefined ? { status: 'waiting', endpoint, relationId, remoteApp, data } : { status: 'ready', endpoint, relationId, remoteApp, data, value };
  } catch (error) {
    if (error instanceof RelationDataError) return { status: 'invalid', endpoint, relationId, remoteApp, data, error };
    throw error;
  }
}
