/** What the exec status channel (3) said about the command. */
export type ExecStatus = { kind: 'exited'; exitCode: number } | { kind: 'error'; message: string };

/**
 * Reads the `metav1.Status` the API server sends on channel 3 when the command ends: `Success`, or
 * `Failure` with reason `NonZeroExitCode` and a cause `{reason: "ExitCode", message: "<n>"}`. Any other
 * failure (container gone, runtime error) has no exit code and is reported as an error.
 */
export function parseExecStatus(text: string): ExecStatus {
  let status: unknown;
  try {
    status = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { kind: 'error', message: `unreadable exec status: ${text.slice(0, 200)}` };
  }
  if (!status || typeof status !== 'object') return { kind: 'error', message: `unreadable exec status: ${text.slice(0, 200)}` };
  const s = status as { status?: unknown; message?: unknown; reason?: unknown; details?: { causes?: unknown } };
  if (s.status === 'Success') return { kind: 'exited', exitCode: 0 };
  const causes = Array.isArray(s.details?.causes) ? (s.details.causes as unknown[]) : [];
  for (const cause of causes) {
    const c = cause as { reason?: unknown; message?: unknown };
    if (c && c.reason === 'ExitCode' && typeof c.message === 'string' && /^\d+$/.test(c.message)) {
      return { kind: 'exited', exitCode: Number(c.message) };
    }
  }
  const message = typeof s.message === 'string' && s.message ? s.message : `status ${String(s.status)} ${String(s.reason ?? '')}`.trim();
  return { kind: 'error', message };
}
