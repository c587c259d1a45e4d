import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, HttpStatusError, invalid, notFound, statusBody } from './status';
import type { Metadata } from './state';

/**
 * ConfigMaps as the API server keeps them: create refuses an existing name (409 AlreadyExists), every
 * write gets a new resourceVersion, a write carrying an older resourceVersion (replace, patch, or a
 * delete precondition) is refused with 409 Conflict, and the content is validated (string values, keys
 * of a restricted alphabet, 1 MiB in all).
 */
export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: Metadata;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

const MAX_BYTES = 1024 * 1024;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class ConfigMapStore {
  private readonly items = new Map<string, ConfigMapObject>();

  constructor(private readonly nextResourceVersion: () => string) {}

  get(namespace: string, name: string): ConfigMapObject | undefined {
    return this.items.get(`${namespace}/${name}`);
  }

  list(namespace: string | undefined): ConfigMapObject[] {
    return [...this.items.values()].filter((item) => namespace === undefined || item.metadata.namespace === namespace);
  }

  /** POST: the stored object (with uid, resourceVersion, creationTimestamp). */
  create(namespace: string, body: unknown): ConfigMapObject {
    const object = this.validate(body, namespace);
    const name = object.metadata.name;
    if (object.metadata.resourceVersion) throw invalid('ConfigMap', name, 'metadata.resourceVersion', 'Invalid value: must be empty on create', 'ConfigMap');
    if (this.items.has(`${namespace}/${name}`)) throw alreadyExists('configmaps', name);
    const stored: ConfigMapObject = {
      ...object,
      metadata: { ...object.metadata, namespace, uid: randomUUID(), resourceVersion: this.nextResourceVersion(), creationTimestamp: new Date().toISOString() },
    };
    delete (stored.metadata as Partial<Metadata>).deletionTimestamp;
    this.items.set(`${namespace}/${name}`, stored);
    return structuredClone(stored);
  }

  /** PUT: a resourceVersion in the body must be the current one; without one the update is unconditional, as for ConfigMaps. */
  replace(namespace: string, name: string, body: unknown): ConfigMapObject {
    const current = this.require(namespace, name);
    const object = this.validate(body, namespace);
    if (object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    const sent = object.metadata.resourceVersion;
    if (sent !== undefined && sent !== '' && sent !== current.metadata.resourceVersion) throw conflict('configmaps', name);
    if (object.metadata.uid !== undefined && object.metadata.uid !== current.metadata.uid) {
      throw conflict('configmaps', name, `Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (current.immutable) throw invalid('ConfigMap', name, 'data', 'Forbidden: field is immutable when `immutable` is set', 'ConfigMap');
    const stored: ConfigMapObject = {
      ...object,
      metadata: { ...object.metadata, namespace, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, resourceVersion: this.nextResourceVersion() },
    };
    this.items.set(`${namespace}/${name}`, stored);
    return structuredClone(stored);
  }

  /**
   * PATCH, given the patched document (the route applies the patch to the current object). A
   * resourceVersion the patch carries, or that a JSON patch left in place after a `test`, must be current.
   */
  patch(namespace: string, name: string, patched: unknown): ConfigMapObject {
    const current = this.require(namespace, name);
    const object = this.validate(patched, namespace);
    if (object.metadata.name !== name || object.metadata.uid !== current.metadata.uid) {
      throw invalid('ConfigMap', name, 'metadata.name', 'Invalid value: field is immutable', 'ConfigMap');
    }
    return this.replace(namespace, name, object);
  }

  /** DELETE with optional preconditions (`{ preconditions: { resourceVersion, uid } }` in DeleteOptions). */
  delete(namespace: string, name: string, options: unknown): object {
    const current = this.require(namespace, name);
    const preconditions = (options as { preconditions?: { resourceVersion?: unknown; uid?: unknown } } | undefined)?.preconditions;
    if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict('configmaps', name, `Precondition failed: ResourceVersion in precondition: ${String(preconditions.resourceVersion)}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    if (preconditions?.uid !== undefined && preconditions.uid !== current.metadata.uid) {
      throw conflict('configmaps', name, `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${current.metadata.uid}`);
    }
    this.items.delete(`${namespace}/${name}`);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'configmaps', uid: current.metadata.uid } };
  }

  private require(namespace: string, name: string): ConfigMapObject {
    const current = this.items.get(`${namespace}/${name}`);
    if (!current) throw notFound('configmaps', name);
    return current;
  }

  private validate(body: unknown, namespace: string): ConfigMapObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request was in an unknown format');
    const object = structuredClone(body) as ConfigMapObject;
    if (object.kind !== undefined && object.kind !== 'ConfigMap') throw badRequest(`the object provided is unrecognized (must be of type ConfigMap): ${String(object.kind)}`);
    const metadata = (object.metadata ?? {}) as Partial<Metadata>;
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    if (!name) throw invalid('ConfigMap', '', 'metadata.name', 'Required value: name or generateName is required', 'ConfigMap');
    if (!NAME.test(name) || name.length > 253) throw invalid('ConfigMap', name, 'metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`, 'ConfigMap');
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let bytes = 0;
    for (const [field, values] of [['data', object.data], ['binaryData', object.binaryData]] as const) {
      if (values === undefined || values === null) continue;
      if (typeof values !== 'object' || Array.isArray(values)) throw invalid('ConfigMap', name, field, 'Invalid value: must be a map of strings', 'ConfigMap');
      for (const [dataKey, value] of Object.entries(values)) {
        if (!DATA_KEY.test(dataKey)) throw invalid('ConfigMap', name, `${field}[${dataKey}]`, `Invalid value: "${dataKey}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`, 'ConfigMap');
        if (typeof value !== 'string') throw new HttpStatusError(statusBody(400, 'BadRequest', `json: cannot unmarshal ${typeof value} into Go struct field ConfigMap.${field} of type string`));
        bytes += dataKey.length + Buffer.byteLength(value);
      }
    }
    if (bytes > MAX_BYTES) throw invalid('ConfigMap', name, '[]', `Too long: must have at most ${MAX_BYTES} bytes`, 'ConfigMap');
    return { ...object, apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata, name } as Metadata };
  }
}
