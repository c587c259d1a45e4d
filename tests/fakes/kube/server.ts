import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { ExecEndpoint, type ExecHostOptions } from './exec';
import { authorized, handleRest, sendJson, statusBody } from './routes';
import { FakeKubeState, type FakeKubeTiming } from './state';

/**
 * A fake Kubernetes API server on 127.0.0.1 (plain HTTP, bearer-token auth) for tests:
 *
 *   const kube = await startFakeKube({ namespace: 'kubeflow' });
 *   kube.state.addStatefulSet({ name: 'mlmd', replicas: 1, containers: ['mlmd-grpc-server'] });
 *   process.env.KUBECONFIG = kube.kubeconfigPath;   // or loadFromFile(kube.kubeconfigPath)
 *   ...
 *   await kube.close();
 */
export interface FakeKube {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string;
  /** A kubeconfig file (cluster + bearer token user + current context) pointing at this server. */
  readonly kubeconfigPath: string;
  /** The same kubeconfig as YAML text. */
  readonly kubeconfigYaml: string;
  readonly state: FakeKubeState;
  close(): Promise<void>;
}

export interface FakeKubeOptions {
  namespace?: string;
  timing?: Partial<FakeKubeTiming>;
  exec?: ExecHostOptions;
}

export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const state = new FakeKubeState({ namespace: options.namespace, timing: options.timing });
  const token = randomBytes(16).toString('hex');
  const exec = new ExecEndpoint(state, options.exec);
  const server: Server = createServer((req, res) => {
    if (!authorized(req, token)) return sendJson(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    handleRest(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, statusBody(500, 'InternalError', `fake kube: ${String(error)}`));
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://fake').pathname;
    if (!authorized(req, token)) {
      const body = JSON.stringify(statusBody(401, 'Unauthorized', 'Unauthorized'));
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    if (!ExecEndpoint.matches(pathname)) {
      const body = JSON.stringify(statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    exec.upgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigYaml = dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake-user', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake-user', namespace: state.namespace } }],
    'current-context': 'fake',
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-kube-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });

  return {
    url,
    token,
    kubeconfigPath,
    kubeconfigYaml,
    state,
    async close() {
      state.close();
      exec.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
