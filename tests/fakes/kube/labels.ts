/**
 * Kubernetes label selectors, the subset the fake needs: comma-separated `key=value`, `key==value`,
 * `key!=value`, `key` (exists) and `!key` (does not exist). Set-based selectors (`in`, `notin`) are
 * rejected with an error, so a test never silently matches everything.
 */
export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'exists' | 'notexists'; key: string };

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const raw of selector.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    let match: RegExpMatchArray | null;
    if ((match = part.match(/^([^!=\s]+)\s*!=\s*(\S*)$/))) {
      requirements.push({ op: 'neq', key: match[1]!, value: match[2]! });
    } else if ((match = part.match(/^([^!=\s]+)\s*==?\s*(\S*)$/))) {
      requirements.push({ op: 'eq', key: match[1]!, value: match[2]! });
    } else if ((match = part.match(/^!\s*([^!=\s]+)$/))) {
      requirements.push({ op: 'notexists', key: match[1]! });
    } else if ((match = part.match(/^([^!=\s()]+)$/))) {
      requirements.push({ op: 'exists', key: match[1]! });
    } else {
      throw new Error(`unsupported label selector requirement: ${part}`);
    }
  }
  return requirements;
}

export function matchesLabels(labels: Record<string, string> | undefined, requirements: LabelRequirement[]): boolean {
  const have = labels ?? {};
  return requirements.every((r) => {
    const present = Object.prototype.hasOwnProperty.call(have, r.key);
    switch (r.op) {
      case 'eq':
        return present && have[r.key] === r.value;
      case 'neq': // as in Kubernetes: a missing label also satisfies key!=value
        return !present || have[r.key] !== r.value;
      case 'exists':
        return present;
      case 'notexists':
        return !present;
    }
  });
}
