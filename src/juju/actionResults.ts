/**
 * Juju stores action results as a tree of strings addressed by dotted keys (`copy.objects=12`); each
 * dot-segment must match ^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$ and a few top-level keys are Juju's own.
 * Handlers return plain nested objects; this turns them into what action-set accepts.
 */
export type ResultValue = string | number | boolean | null | undefined | ResultValue[] | { [key: string]: ResultValue };
export type Results = { [key: string]: ResultValue };

const SEGMENT = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const RESERVED_TOP_LEVEL = new Set(['stdout', 'stdout-encoding', 'stderr', 'stderr-encoding']);

/** `bytesCopied` → `bytes-copied`; `Some_Key` → `some-key`. Throws when nothing valid is left. */
export function toResultKey(name: string): string {
  const key = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!SEGMENT.test(key)) throw new Error(`cannot make a valid action result key from ${JSON.stringify(name)}`);
  return key;
}

export function flattenResults(results: Results): Record<string, string> {
  const flat: Record<string, string> = {};
  const walk = (value: ResultValue, path: string[]): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, [...path, String(index)]));
      return;
    }
    if (typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) walk(item, [...path, toResultKey(name)]);
      return;
    }
    const key = path.join('.');
    if (path.length === 1 && RESERVED_TOP_LEVEL.has(key)) throw new Error(`action result key ${key} is reserved by Juju`);
    flat[key] = String(value);
  };
  for (const [name, value] of Object.entries(results)) walk(value, [toResultKey(name)]);
  return flat;
}
