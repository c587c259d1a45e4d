import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from './labels';
import { applyJsonPatch, applyMergePatch, PATCH_CONTENT_TYPES, PatchError } from './patch';
import type { FakeKubeState, RecordedRequest, StatefulSetObject } from './state';

/**
 * The REST half of the fake API server: the paths, verbs, bodies and `Status` errors that
 * @kubernetes/client-node sends and expects for the objects the charm touches.
 */

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; kind?: string; group?: string };
  code: number;
}

export function statusBody(code: number, reason: string, message: string, details?: StatusBody['details']): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Thrown inside a route to answer with a Status error. */
export class HttpStatusError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }
}

const notFound = (kind: string, name: string, group?: string) =>
  new HttpStatusError(
    statusBody(404, 'NotFound', `${group ? `${kind}.${group}` : kind} "${name}" not found`, { name, kind, ...(group ? { group } : {}) }),
  );

/** Checks `Authorization: Bearer <token>`; answers 401 like the API server does when it is wrong. */
export function authorized(req: IncomingMessage, token: string): boolean {
  return req.headers.authorization === `Bearer ${token}`;
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new HttpStatusError(statusBody(400, 'BadRequest', `the body of the request was in an unknown format: ${error.message}`));
  }
}

function selectorOf(query: URLSearchParams): LabelRequirement[] {
  const selector = query.get('labelSelector') ?? '';
  try {
    return parseLabelSelector(selector);
  } catch (error) {
    throw new HttpStatusError(statusBody(400, 'BadRequest', `unable to parse requirement: ${(error as Error).message}`));
  }
}

function list(apiVersion: string, kind: string, state: FakeKubeState, items: unknown[]) {
  return { apiVersion, kind, metadata: { resourceVersion: state.nextResourceVersion() }, items };
}

/** Handles one REST request: a JSON object, or a `Status` error (404 for unknown objects and paths). */
export async function handleRest(state: FakeKubeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const contentType = req.headers['content-type']?.split(';')[0]?.trim();
  const text = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
  const record: RecordedRequest = { method, path, query: url.searchParams, contentType, body: undefined };
  state.requests.push(record);
  try {
    const injected = state.faults.failPaths.get(path);
    if (injected !== undefined) throw new HttpStatusError(statusBody(injected, 'InternalError', `injected failure ${injected} for ${path}`));
    if (text) record.body = parseJson(text);
    const body = route(state, method, path, url.searchParams, contentType, record.body);
    sendJson(res, 200, body);
  } catch (error) {
    if (error instanceof HttpStatusError) return sendJson(res, error.body.code, error.body);
    sendJson(res, 500, statusBody(500, 'InternalError', `fake kube: ${(error as Error).message}`));
  }
}

function route(
  state: FakeKubeState,
  method: string,
  path: string,
  query: URLSearchParams,
  contentType: string | undefined,
  body: unknown,
): unknown {
  let m: RegExpMatchArray | null;
  // Pods
  if ((m = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/))) {
    const [namespace, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const pod = state.getPod(name, namespace);
    if (!pod) throw notFound('pods', name);
    if (method === 'GET') return pod;
    if (method === 'DELETE') return state.deletePod(name, namespace);
    throw methodNotAllowed(method);
  }
  if ((m = path.match(/^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/)) && method === 'GET') {
    const namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const selector = selectorOf(query);
    return list('v1', 'PodList', state, state.listPods(namespace).filter((p) => matchesLabels(p.metadata.labels, selector)));
  }
  // StatefulSets (and their scale subresource)
  if ((m = path.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/statefulsets\/([^/]+)(\/scale)?$/))) {
    const [namespace, name, scale] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), m[3] !== undefined];
    const sts = state.getStatefulSet(name, namespace);
    if (!sts) throw notFound('statefulsets', name, 'apps');
    if (method === 'GET') return scale ? scaleOf(sts) : sts;
    if (method === 'PATCH') {
      const current = scale ? scaleOf(sts) : sts;
      const patched = applyPatch(current, contentType, body) as Record<string, unknown>;
      const next = scale ? withReplicas(sts, (patched as { spec?: { replicas?: unknown } }).spec?.replicas) : mergeStatefulSet(sts, patched);
      state.replaceStatefulSet(next);
      return scale ? scaleOf(next) : next;
    }
    throw methodNotAllowed(method);
  }
  // Custom resources, cluster-wide or in one namespace
  if (method === 'GET' && (m = path.match(/^\/apis\/([^/]+)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)$/))) {
    const [group, version, namespace, plural] = [m[1]!, m[2]!, m[3] === undefined ? undefined : decodeURIComponent(m[3]), m[4]!];
    const type = state.crdType(group, version, plural);
    if (!type) throw new HttpStatusError(statusBody(404, 'NotFound', 'the server could not find the requested resource'));
    const selector = selectorOf(query);
    const items = state.listCustomObjects(group, version, plural, namespace).filter((o) => matchesLabels(o.metadata.labels, selector));
    return list(`${group}/${version}`, `${type.kind}List`, state, items);
  }
  throw new HttpStatusError(statusBody(404, 'NotFound', 'the server could not find the requested resource'));
}

function methodNotAllowed(method: string): HttpStatusError {
  return new HttpStatusError(statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`));
}

function applyPatch(current: unknown, contentType: string | undefined, patch: unknown): unknown {
  try {
    switch (contentType) {
      case PATCH_CONTENT_TYPES.json:
        return applyJsonPatch(current, patch);
      case PATCH_CONTENT_TYPES.merge:
      case PATCH_CONTENT_TYPES.strategic:
        return applyMergePatch(current, patch);
      default:
        throw new HttpStatusError(
          statusBody(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_CONTENT_TYPES).join(', ')}`),
        );
    }
  } catch (error) {
    if (error instanceof PatchError) throw new HttpStatusError(statusBody(422, 'Invalid', `the patch could not be applied: ${error.message}`));
    throw error;
  }
}

/** What the API server keeps from a patched StatefulSet: metadata and spec; status is not writable here. */
function mergeStatefulSet(current: StatefulSetObject, patched: Record<string, unknown>): StatefulSetObject {
  const next = structuredClone(patched) as unknown as StatefulSetObject;
  if (next.metadata?.name !== current.metadata.name || next.metadata?.uid !== current.metadata.uid) {
    throw new HttpStatusError(statusBody(422, 'Invalid', 'metadata.name and metadata.uid cannot be changed'));
  }
  validateReplicas(next.spec?.replicas);
  const annotations = next.metadata.annotations;
  if (annotations !== undefined && (typeof annotations !== 'object' || Object.values(annotations).some((v) => typeof v !== 'string'))) {
    throw new HttpStatusError(statusBody(422, 'Invalid', 'metadata.annotations: values must be strings'));
  }
  next.status = structuredClone(current.status);
  return next;
}

function withReplicas(current: StatefulSetObject, replicas: unknown): StatefulSetObject {
  validateReplicas(replicas);
  const next = structuredClone(current);
  next.spec.replicas = replicas as number;
  return next;
}

function validateReplicas(replicas: unknown): void {
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new HttpStatusError(statusBody(422, 'Invalid', `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`));
  }
}

function scaleOf(sts: StatefulSetObject) {
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: sts.metadata.name, namespace: sts.metadata.namespace, uid: sts.metadata.uid, resourceVersion: sts.metadata.resourceVersion },
    spec: { replicas: sts.spec.replicas },
    status: {
      replicas: sts.status.replicas,
      selector: Object.entries(sts.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(','),
    },
  };
}
