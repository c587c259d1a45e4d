import { ApiException } from '@kubernetes/client-node';
import { RestoreError } from '../errors';
import { KubeApiError } from './errors';

/** The HTTP status of a failed client-node call, if it got that far. */
export function statusCodeOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/** The `message` of a Kubernetes `Status` body, when the server sent one. */
function statusMessage(error: unknown): string | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = typeof error.body === 'string' ? safeParse(error.body) : error.body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return text; // not JSON: keep the raw text
    throw error;
  }
}

/**
 * Turns a failed API call into a RestoreError that says what we were doing and what to check. The
 * message carries the server's Status message, never request headers (the bearer token lives there).
 */
export function toKubeApiError(error: unknown, doing: string): RestoreError {
  if (error instanceof RestoreError) return error;
  const code = statusCodeOf(error);
  if (code === undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    return new KubeApiError(`Kubernetes API unreachable while ${doing}: ${reason}`, {
      hint: 'Check that the Kubernetes API server is reachable from the charm pod',
      cause: error,
    });
  }
  const detail = statusMessage(error);
  const message = `Kubernetes API error ${code} while ${doing}${detail ? `: ${detail}` : ''}`;
  if (code === 401 || code === 403) {
    return new KubeApiError(message, {
      statusCode: code,
      hint: 'The charm lacks Kubernetes permissions: deploy it with --trust or run `juju trust <app> --scope=cluster`',
      cause: error,
    });
  }
  return new KubeApiError(message, { statusCode: code, hint: 'Retry the action; if it persists, check the API server', cause: error });
}
