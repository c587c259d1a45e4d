import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SimulatedActions } from './actions';
import { SimulatedMysqlApp } from './mysqlApp';
import { CLOSE_CONNECTION, FakeApiConnection, type ModelState } from './protocol';
import { createTestPki, type TestPki } from './pki';
import type { FakeFaults, FakeMysqlAppSpec, FakeTiming, FakeUser, RecordedCall } from './types';

export interface FakeJujuControllerOptions {
  /** Reuse a PKI across fakes in one test file (generating one takes ~50 ms); default: a new one. */
  pki?: TestPki;
  modelUuid?: string;
  modelName?: string;
  serverVersion?: string;
  /** Default: one admin user `ckf-restore` / `s3cr3t-pa55`. */
  users?: FakeUser[];
  /** Default: kfp-db and katib-db, one unit each, each related to its own s3-integrator, with backups. */
  applications?: FakeMysqlAppSpec[];
  timing?: Partial<FakeTiming>;
}

export interface FakeJujuController {
  /** `host:port` values as JUJU_API_ADDRESSES lists them (space separated there). */
  addresses: string[];
  /** `wss://127.0.0.1:<port>/model/<uuid>/api` for a raw client. */
  modelUrl: string;
  /** The CA that signed the server certificate (SAN juju-apiserver, localhost, 127.0.0.1). */
  caCertPem: string;
  /** The first user's name and password (the default user is a model admin). */
  credentials: { username: string; password: string };
  modelUuid: string;
  modelName: string;
  /** Every call received, in order: facade, version, method, params (login credentials redacted). */
  calls: RecordedCall[];
  faults: FakeFaults;
  timing: FakeTiming;
  /** The live simulated apps (to inspect units, statuses, or change backups/relations in a test). */
  apps: Map<string, SimulatedMysqlApp>;
  /** Open WebSocket connections right now. */
  connectionCount(): number;
  close(): Promise<void>;
}

export const DEFAULT_USER: FakeUser = { username: 'ckf-restore', password: 's3cr3t-pa55', modelAccess: 'admin' };

export function defaultApplications(): FakeMysqlAppSpec[] {
  return [
    {
      name: 'kfp-db',
      units: 1,
      s3Integrator: 'kfp-db-s3',
      backups: [
        { id: '2024-05-01T10:25:00Z', status: 'finished' },
        { id: '2024-05-02T10:25:00Z', status: 'failed' },
        { id: '2024-05-03T10:25:00Z', status: 'finished' },
      ],
    },
    {
      name: 'katib-db',
      units: 1,
      s3Integrator: 'katib-db-s3',
      backups: [
        { id: '2024-05-01T10:26:00Z', status: 'finished' },
        { id: '2024-05-03T10:26:00Z', status: 'in progress' },
      ],
    },
  ];
}

/** Starts a TLS WebSocket server on 127.0.0.1 (random port) that speaks the Juju API for one model. */
export async function startFakeJujuController(options: FakeJujuControllerOptions = {}): Promise<FakeJujuController> {
  const pki = options.pki ?? (await createTestPki());
  const timing: FakeTiming = { settleMs: 20, actionStepMs: 5, ...options.timing };
  const faults: FakeFaults = { failRestore: new Set(), neverSettle: new Set() };
  const timers = new Set<NodeJS.Timeout>();
  const schedule = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const apps = new Map<string, SimulatedMysqlApp>();
  for (const spec of options.applications ?? defaultApplications()) {
    apps.set(spec.name, new SimulatedMysqlApp(spec, schedule, () => timing.settleMs, () => faults.neverSettle.has(spec.name)));
  }
  const users = options.users ?? [DEFAULT_USER];
  let port = 0;
  const state: ModelState = {
    uuid: options.modelUuid ?? randomUUID(),
    name: options.modelName ?? 'kubeflow',
    controllerUuid: randomUUID(),
    serverVersion: options.serverVersion ?? '3.6.4',
    users,
    apps,
    actions: new SimulatedActions({
      schedule,
      stepMs: () => timing.actionStepMs,
      failRestore: (app) => faults.failRestore.has(app),
    }),
    calls: [],
    hostPorts: () => [{ host: '127.0.0.1', port }],
  };

  const server: Server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('request', (_req, res) => {
    res.writeHead(404).end('not found\n');
  });
  server.on('upgrade', (req, socket, head) => {
    const match = /^\/model\/([^/]+)\/api$/.exec(req.url ?? '');
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const api = new FakeApiConnection(state, match[1]!);
      ws.on('message', (data, isBinary) => {
        const reply = isBinary ? CLOSE_CONNECTION : api.handle(data.toString());
        if (reply === CLOSE_CONNECTION) ws.close(1003, 'cannot decode request');
        else ws.send(reply);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const first = users[0] ?? DEFAULT_USER;

  return {
    addresses: [`127.0.0.1:${port}`],
    modelUrl: `wss://127.0.0.1:${port}/model/${state.uuid}/api`,
    caCertPem: pki.caCertPem,
    credentials: { username: first.username, password: first.password },
    modelUuid: state.uuid,
    modelName: state.name,
    calls: state.calls,
    faults,
    timing,
    apps,
    connectionCount: () => sockets.size,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
