/**
 * The three patch flavours the API server accepts on built-in objects, applied to plain JSON.
 * Strategic merge patch is treated as a JSON merge patch: for the fields this fake serves (metadata,
 * spec.replicas) the two behave the same.
 */
export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

export class PatchError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** RFC 7386 JSON Merge Patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value);
  }
  return base;
}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** RFC 6902 JSON Patch (add, remove, replace, test, move, copy); throws PatchError on a bad op. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target) as Json;
  for (const raw of operations as Operation[]) {
    if (!raw || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw new PatchError('malformed operation');
    switch (raw.op) {
      case 'add':
        doc = put(doc, pointer(raw.path), structuredClone(raw.value) as Json, 'add');
        break;
      case 'replace':
        get(doc, pointer(raw.path));
        doc = put(doc, pointer(raw.path), structuredClone(raw.value) as Json, 'replace');
        break;
      case 'remove':
        doc = remove(doc, pointer(raw.path));
        break;
      case 'test':
        if (JSON.stringify(get(doc, pointer(raw.path))) !== JSON.stringify(raw.value)) {
          throw new PatchError(`test failed at ${raw.path}`);
        }
        break;
      case 'move': {
        const value = get(doc, pointer(raw.from ?? ''));
        doc = remove(doc, pointer(raw.from ?? ''));
        doc = put(doc, pointer(raw.path), value, 'add');
        break;
      }
      case 'copy':
        doc = put(doc, pointer(raw.path), structuredClone(get(doc, pointer(raw.from ?? ''))), 'add');
        break;
      default:
        throw new PatchError(`unknown operation ${raw.op}`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`bad JSON pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, tokens: string[]): Json {
  let node: Json = doc;
  for (const token of tokens) {
    if (Array.isArray(node) && /^\d+$/.test(token) && Number(token) < node.length) node = node[Number(token)]!;
    else if (node && typeof node === 'object' && !Array.isArray(node) && token in node) node = node[token]!;
    else throw new PatchError(`path not found: /${tokens.join('/')}`);
  }
  return node;
}

function put(doc: Json, tokens: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (tokens.length === 0) return value;
  const parent = get(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index > parent.length) throw new PatchError(`bad array index ${last}`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (parent && typeof parent === 'object') {
    parent[last] = value;
  } else {
    throw new PatchError(`cannot set a member of a non-object at /${tokens.join('/')}`);
  }
  return doc;
}

function remove(doc: Json, tokens: string[]): Json {
  get(doc, tokens);
  const parent = get(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (parent && typeof parent === 'object') delete parent[last];
  return doc;
}
