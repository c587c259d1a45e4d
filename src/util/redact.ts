/**
 * Every secret the charm reads (relation keys, the Juju user's password, ...) is registered here the moment
 * it is parsed. Everything the charm writes where a person can see it (action results, action logs,
 * action-fail, status, juju-log) passes through `redact`, so a secret that slips into an error message
 * from a library still never leaves the process.
 */
const secrets = new Set<string>();

/** Secrets shorter than this are not registered: masking "a" everywhere would mangle every message. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '***';

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

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
