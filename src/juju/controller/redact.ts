/**
 * Replaces every occurrence of each secret in `text` by `***`. jujulib puts whole requests in some error
 * messages (Transport.write: "cannot send request {…}" includes Login's credentials), so every message
 * that comes out of it passes through here before it reaches an error or a log line.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

/** The message of anything thrown, redacted. */
export function redactedMessage(error: unknown, secrets: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message, secrets);
}
