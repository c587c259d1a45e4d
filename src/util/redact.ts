/**
 * Every secret the charm reads (relation keys, the Juju user's password, ...) is registered here the moment
 * it is parsed. Everything the charm writes where a person can see it (action results, action logs,
 * action-fail, status, juju-log) passes through `redact`, so a secret that slips into an error message
 * from a library still never leaves the process.
 */
const secrets = new Set<string>();

export const REDACTED = '***';

/**
 * `minLength`: shorter values are not registered, since masking "a" everywhere would mangle every message.
 * Access key ids are identifiers more than secrets, and CKF's MinIO one is literally `minio`: register
 * them with a higher floor so real ones (AWS: 20 characters) are masked and `minio` stays readable.
 */
export function registerSecret(value: string | undefined, options: { minLength?: number } = {}): void {
  if (value && value.length >= (options.minLength ?? 4)) secrets.add(value);
}

export const ACCESS_KEY_MIN_LENGTH = 8;

export function redact(text: string): string {
  return redactValues(text, [...secrets]);
}

/**
 * Masks the given values in `text`, longest first so a secret that contains another is masked whole.
 * For code that holds its secrets itself: jujulib, for one, puts whole requests (Login's password
 * included) into some of its error messages.
 */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (value.length > 0 && out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** The message of anything thrown, with `values` masked. */
export function redactedMessage(error: unknown, values: readonly string[]): string {
  return redactValues(error instanceof Error ? error.message : String(error), values);
}

/** For tests: forget what earlier cases registered. */
export function clearSecrets(): void {
  secrets.clear();
}
