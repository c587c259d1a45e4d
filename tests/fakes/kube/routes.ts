import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from './labels';
import { applyJsonPatch, applyMergePatch, PATCH_CONTENT_TYPES, PatchError } from './patch';
import type { DeploymentObject, FakeKubeState, RecordedRequest, StatefulSetObject } from './state';
import { HttpStatusError, notFound, statusBody } from './status';

export { HttpStatusError, statusBody, type StatusBody } from './status';

/**
 * The REST half of the fake API server: the paths, verbs, bodies and `Status` errors that
 * @kubernetes/client-node sends and expects for the objects the charm touches.
 */

/** A route's answer when it is not a plain 200 (a create is 201). */
class Created {
  constructor(readonly body: unknown) {}
}

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
  // DELETE may carry DeleteOptions (preconditions) as its body.
  const text = method === 'GET' ? '' : await readBody(req);
  const record: RecordedRequest = { method, path, query: url.searchParams, contentType, body: undefined };
  state.requests.push(record);
  try {
    const injected = state.faults.failPaths.get(path);
    if (injected !== undefined) throw new HttpStatusError(statusBody(injected, 'InternalError', `injected failure ${injected} for ${path}`));
    for (const fault of state.faults.failRequests) {
      if (fault.method !== method || fault.path !== path) continue;
      const seen = (fault.seen = (fault.seen ?? 0) + 1);
      const skip = fault.skip ?? 0;
      if (seen > skip && (fault.times === undefined || seen <= skip + fault.times)) {
        throw new HttpStatusError(statusBody(fault.code, 'InternalError', `injected failure ${fault.code} for ${method} ${path}`));
      }
    }
    if (text) record.body = parseJson(text);
    const body = route(state, method, path, url.searchParams, contentType, record.body);
    if (body instanceof Created) sendJson(res, 201, body.body);
    else sendJson(res, 200, body);
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
  // StatefulSets and Deployments (and their scale subresource)
  if ((m = path.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(statefulsets|deployments)\/([^/]+)(\/scale)?$/))) {
    const [namespace, plural, name, scale] = [decodeURIComponent(m[1]!), m[2]!, decodeURIComponent(m[3]!), m[4] !== undefined];
    const workload = plural === 'statefulsets' ? state.getStatefulSet(name, namespace) : state.getDeployment(name, namespace);
    if (!workload) throw notFound(plural, name, 'apps');
    if (method === 'GET') return scale ? scaleOf(workload) : workload;
    if (method === 'PATCH') {
      const current = scale ? scaleOf(workload) : workload;
      const patched = applyPatch(current, contentType, body) as Record<string, unknown>;
      if (scale) checkScalePreconditions(plural, workload, patched);
      const next = scale ? withReplicas(workload, (patched as { spec?: { replicas?: unknown } }).spec?.replicas) : mergeWorkload(workload, patched);
      if (next.kind === 'StatefulSet') state.replaceStatefulSet(next);
      else state.replaceDeployment(next);
      return scale ? scaleOf(next) : next;
    }
    throw methodNotAllowed(method);
  }
  // ConfigMaps
  if ((m = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/))) {
    const namespace = decodeURIComponent(m[1]!);
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    if (name === undefined) {
      if (method === 'POST') return new Created(state.configMaps.create(namespace, body));
      if (method === 'GET') return list('v1', 'ConfigMapList', state, state.configMaps.list(namespace));
      throw methodNotAllowed(method);
    }
    if (method === 'GET') {
      const found = state.configMaps.get(namespace, name);
      if (!found) throw notFound('configmaps', name);
      return found;
    }
    if (method === 'PUT') return state.configMaps.replace(namespace, name, body);
    if (method === 'PATCH') {
      const found = state.configMaps.get(namespace, name);
      if (!found) throw notFound('configmaps', name);
      return state.configMaps.patch(namespace, name, applyPatch(found, contentType, body));
    }
    if (method === 'DELETE') return state.configMaps.delete(namespace, name, body);
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

type Workload = StatefulSetObject | DeploymentObject;

/** What the API server keeps from a patched StatefulSet or Deployment: metadata and spec; status is not writable here. */
function mergeWorkload<W extends Workload>(current: W, patched: Record<string, unknown>): W {
  const next = structuredClone(patched) as unknown as W;
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

/** A resourceVersion or uid sent in a Scale patch is a precondition, as on the object itself. */
function checkScalePreconditions(plural: string, current: Workload, patched: Record<string, unknown>): void {
  const metadata = (patched.metadata ?? {}) as { resourceVersion?: unknown; uid?: unknown };
  if (metadata.resourceVersion !== current.metadata.resourceVersion || metadata.uid !== current.metadata.uid) {
    throw new HttpStatusError(
      statusBody(409, 'Conflict', `Operation cannot be fulfilled on ${plural}.apps "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name: current.metadata.name,
        kind: plural,
        group: 'apps',
      }),
    );
  }
}

function withReplicas<W extends Workload>(current: W, replicas: unknown): W {
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

function scaleOf(workload: Workload) {
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: workload.metadata.name, namespace: workload.metadata.namespace, uid: workload.metadata.uid, resourceVersion: workload.metadata.resourceVersion },
    spec: { replicas: workload.spec.replicas },
    status: {
      replicas: workload.status.replicas ?? 0,
      selector: Object.entries(workload.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(','),
    },
  };
}
