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
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** For tests: forget what earlier cases registered. */
export function clearSecrets(): void {
  secrets.clear();
}
