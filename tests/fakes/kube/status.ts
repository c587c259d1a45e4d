/**
 * The `Status` body the API server answers every error with, and the error a fake route throws to send
 * one. Shapes as kube-apiserver writes them (k8s.io/apimachinery/pkg/api/errors).
 */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; kind?: string; group?: string; uid?: string };
  code: number;
}

export function statusBody(code: number, reason: string, message: string, details?: StatusBody['details']): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Thrown inside a route (or a store) to answer with a Status error. */
export class HttpStatusError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }
}

/** `<kind> "<name>" not found`, e.g. kind `configmaps` or `statefulsets` with group `apps`. */
export function notFound(kind: string, name: string, group?: string): HttpStatusError {
  return new HttpStatusError(statusBody(404, 'NotFound', `${group ? `${kind}.${group}` : kind} "${name}" not found`, { name, kind, ...(group ? { group } : {}) }));
}

export function alreadyExists(kind: string, name: string): HttpStatusError {
  return new HttpStatusError(statusBody(409, 'AlreadyExists', `${kind} "${name}" already exists`, { name, kind }));
}

/** The optimistic-concurrency failure: the object changed since the resourceVersion the client sent. */
export function conflict(kind: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): HttpStatusError {
  return new HttpStatusError(statusBody(409, 'Conflict', `Operation cannot be fulfilled on ${kind} "${name}": ${why}`, { name, kind }));
}

export function invalid(kindTitle: string, name: string, field: string, problem: string, kind: string): HttpStatusError {
  return new HttpStatusError(statusBody(422, 'Invalid', `${kindTitle} "${name}" is invalid: ${field}: ${problem}`, { name, kind }));
}

export function badRequest(message: string): HttpStatusError {
  return new HttpStatusError(statusBody(400, 'BadRequest', message));
}
