/**
 * What a sync has to do, from the two listings alone (pure: no I/O). Keys are compared relative to each
 * side's prefix; "same" means same size (rclone --size-only) until the checksum phase says otherwise.
 */
export interface ListedObject {
  key: string;
  size: number;
}

export interface CopyItem {
  sourceKey: string;
  destinationKey: string;
  size: number;
  reason: 'missing' | 'size' | 'checksum';
}

export interface UnchangedItem {
  sourceKey: string;
  destinationKey: string;
  size: number;
}

export interface SyncPlan {
  copy: CopyItem[];
  /** Present on both sides with the same size. */
  unchanged: UnchangedItem[];
  /** On the destination only; empty unless `deleteExtra`. */
  delete: ListedObject[];
  /** Source keys that map to no destination key (the prefix itself, as a directory marker). */
  ignored: string[];
}

export interface PlanOptions {
  sourcePrefix: string;
  destinationPrefix: string;
  deleteExtra: boolean;
}

export function planSync(source: readonly ListedObject[], destination: readonly ListedObject[], options: PlanOptions): SyncPlan {
  const destinationByRelative = new Map<string, ListedObject>();
  for (const object of destination) {
    if (object.key.startsWith(options.destinationPrefix)) destinationByRelative.set(object.key.slice(options.destinationPrefix.length), object);
  }
  const plan: SyncPlan = { copy: [], unchanged: [], delete: [], ignored: [] };
  const seen = new Set<string>();
  for (const object of source) {
    if (!object.key.startsWith(options.sourcePrefix)) continue;
    const relative = object.key.slice(options.sourcePrefix.length);
    if (relative === '') {
      plan.ignored.push(object.key);
      continue;
    }
    seen.add(relative);
    const destinationKey = options.destinationPrefix + relative;
    const existing = destinationByRelative.get(relative);
    if (!existing) plan.copy.push({ sourceKey: object.key, destinationKey, size: object.size, reason: 'missing' });
    else if (existing.size !== object.size) plan.copy.push({ sourceKey: object.key, destinationKey, size: object.size, reason: 'size' });
    else plan.unchanged.push({ sourceKey: object.key, destinationKey, size: object.size });
  }
  if (options.deleteExtra) {
    for (const [relative, object] of destinationByRelative) if (!seen.has(relative)) plan.delete.push(object);
  }
  return plan;
}

/** Moves unchanged pairs whose contents differ (by checksum) into the copy list. */
export function withChecksumDifferences(plan: SyncPlan, differing: ReadonlySet<string>): SyncPlan {
  const unchanged: UnchangedItem[] = [];
  const copy = [...plan.copy];
  for (const item of plan.unchanged) {
    if (differing.has(item.sourceKey)) copy.push({ ...item, reason: 'checksum' });
    else unchanged.push(item);
  }
  return { ...plan, copy, unchanged };
}

export function totalBytes(items: readonly { size: number }[]): number {
  let bytes = 0;
  for (const item of items) bytes += item.size;
  return bytes;
}
