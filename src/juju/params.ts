/**
 * Meaning checks for action parameters. Juju already checked them against the JSON schema in
 * actions.yaml; these check what a schema cannot say (formats, ranges, safe paths) and give the operator
 * an error that names the parameter and what it accepts.
 */
import { InvalidInputError } from '../errors';

export type RawParams = Record<string, unknown>;

export class ParamReader {
  private readonly seen = new Set<string>();

  constructor(private readonly raw: RawParams) {}

  string(name: string, fallback?: string): string {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (fallback === undefined) throw new InvalidInputError(`parameter ${name} is required`, { hint: `Pass ${name}=<value>` });
      return fallback;
    }
    if (typeof value !== 'string') throw new InvalidInputError(`parameter ${name} must be a string, got ${typeof value}`);
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidInputError(`parameter ${name} contains control characters`);
    return value;
  }

  optionalString(name: string): string | undefined {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    return this.string(name);
  }

  boolean(name: string, fallback: boolean): boolean {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    // `juju run` passes typed values, but scripts sometimes quote them.
    if (value === 'true' || value === 'false') return value === 'true';
    throw new InvalidInputError(`parameter ${name} must be true or false, got ${JSON.stringify(value)}`);
  }

  integer(name: string, fallback: number | undefined, range: { min: number; max?: number }): number | undefined {
    this.seen.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return fallback;
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number)) throw new InvalidInputError(`parameter ${name} must be a whole number, got ${JSON.stringify(value)}`);
    if (number < range.min || (range.max !== undefined && number > range.max)) {
      throw new InvalidInputError(`parameter ${name} must be between ${range.min} and ${range.max ?? 'any'}, got ${number}`);
    }
    return number;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidInputError(`parameter ${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  /** Call after reading every parameter: a name the handler did not read is a typo the operator must hear about. */
  rejectUnknown(): void {
    const unknown = Object.keys(this.raw).filter((name) => !this.seen.has(name));
    if (unknown.length > 0) {
      throw new InvalidInputError(`unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, {
        hint: `Accepted: ${[...this.seen].sort().join(', ') || 'none'}`,
      });
    }
  }
}

/**
 * An object key relative to a backup root: no absolute path, no `.`/`..` segments, no empty segments,
 * no control characters, at most 1024 bytes (S3's limit).
 */
export function validateObjectKey(name: string, key: string, options: { allowTrailingSlash?: boolean } = {}): string {
  if (key === '') throw new InvalidInputError(`parameter ${name} must not be empty`);
  if (Buffer.byteLength(key) > 1024) throw new InvalidInputError(`parameter ${name} is longer than 1024 bytes`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidInputError(`parameter ${name} contains control characters`);
  if (key.startsWith('/')) throw new InvalidInputError(`parameter ${name} must be relative to the backup store path, not start with /`, { hint: `Got ${JSON.stringify(key)}` });
  const segments = key.split('/');
  if (options.allowTrailingSlash && segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..' || segment === '.') throw new InvalidInputError(`parameter ${name} must not contain "${segment}" segments`, { hint: `Got ${JSON.stringify(key)}` });
    if (segment === '') throw new InvalidInputError(`parameter ${name} must not contain empty path segments (//)`, { hint: `Got ${JSON.stringify(key)}` });
  }
  return key;
}
