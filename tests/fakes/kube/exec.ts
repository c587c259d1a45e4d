import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { constants as osConstants } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { statusBody, type StatusBody } from './routes';
import type { FakeKubeState } from './state';

/**
 * The exec half of the fake API server: `GET /api/v1/namespaces/{ns}/pods/{pod}/exec` upgraded to a
 * WebSocket speaking `v5.channel.k8s.io` (or `v4.channel.k8s.io`). Every binary message starts with a
 * channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status (a metav1.Status JSON), 4 resize, and in v5 255
 * "close stream" (`[255, 0]` closes stdin). The command runs for real on the test host: argv from the
 * `command` query parameters, no shell.
 */

export const SUPPORTED_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
const CLOSE = 255;

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface ExecHostOptions {
  /** Working directory of the real processes. Default: the test process's. */
  cwd?: string;
  /** Environment of the real processes. Default: the test process's. */
  env?: NodeJS.ProcessEnv;
}

/** Answers an HTTP upgrade request before (or instead of) the WebSocket handshake. */
function rejectUpgrade(socket: Duplex, body: StatusBody): void {
  const text = JSON.stringify(body);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[body.code] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${body.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export class ExecEndpoint {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // An API server before Kubernetes 1.30 (faults.onlyV4Exec) knows only v4: it cannot close stdin.
    handleProtocols: (offered) => SUPPORTED_PROTOCOLS.filter((p) => !this.state.faults.onlyV4Exec || p !== 'v5.channel.k8s.io').find((p) => offered.has(p)) ?? false,
  });
  private readonly children = new Set<ReturnType<typeof spawn>>();

  constructor(
    private readonly state: FakeKubeState,
    private readonly host: ExecHostOptions = {},
  ) {}

  /** True when `path` is an exec URL (the caller then hands the upgrade to `upgrade`). */
  static matches(pathname: string): boolean {
    return /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec$/.test(pathname);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, , , , rawNamespace, , rawPod] = url.pathname.split('/');
    const namespace = decodeURIComponent(rawNamespace!);
    const podName = decodeURIComponent(rawPod!);
    const query = url.searchParams;
    const command = query.getAll('command');
    this.state.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, contentType: undefined, body: undefined, command });

    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.some((p) => (SUPPORTED_PROTOCOLS as readonly string[]).includes(p))) {
      return rejectUpgrade(socket, statusBody(400, 'BadRequest', `no supported subprotocol offered (want one of ${SUPPORTED_PROTOCOLS.join(', ')})`));
    }
    const pod = this.state.getPod(podName, namespace);
    if (!pod) return rejectUpgrade(socket, statusBody(404, 'NotFound', `pods "${podName}" not found`, { name: podName, kind: 'pods' }));
    const names = pod.spec.containers.map((c) => c.name);
    const container = query.get('container') ?? (names.length === 1 ? names[0] : undefined);
    if (!container) {
      return rejectUpgrade(socket, statusBody(400, 'BadRequest', `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`));
    }
    if (!names.includes(container)) {
      return rejectUpgrade(socket, statusBody(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`));
    }
    if (pod.status.phase !== 'Running' || pod.metadata.deletionTimestamp) {
      return rejectUpgrade(socket, statusBody(400, 'BadRequest', `unable to upgrade connection: container not found ("${container}")`));
    }
    if (command.length === 0) return rejectUpgrade(socket, statusBody(400, 'BadRequest', 'you must specify at least 1 command'));
    const flags = { stdin: query.get('stdin') === 'true', stdout: query.get('stdout') === 'true', stderr: query.get('stderr') === 'true' };
    if (!flags.stdin && !flags.stdout && !flags.stderr) {
      return rejectUpgrade(socket, statusBody(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'));
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, command, flags));
  }

  private run(ws: WebSocket, command: string[], flags: { stdin: boolean; stdout: boolean; stderr: boolean }): void {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const child = spawn(command[0]!, command.slice(1), {
      cwd: this.host.cwd,
      env: this.host.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let spawnError: Error | undefined;
    let stdinBytes = 0;
    let dropped = false;

    // Each requested output channel is opened with an empty frame, as the API server does.
    if (flags.stdout) ws.send(Buffer.from([STDOUT]));
    if (flags.stderr) ws.send(Buffer.from([STDERR]));

    // A command that exits without reading all of stdin makes writes fail with EPIPE: that is the
    // command's business (its exit status reports it), not a fault of the transport.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') spawnError ??= error;
    });
    if (!flags.stdin) child.stdin.end();

    const forward = (channel: number, source: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown }, enabled: boolean) => {
      source.on('data', (chunk: Buffer) => {
        if (!enabled || ws.readyState !== ws.OPEN) return;
        ws.send(Buffer.concat([Buffer.from([channel]), chunk]), () => {
          if (ws.bufferedAmount < LOW_WATER) source.resume();
        });
        if (ws.bufferedAmount > HIGH_WATER) source.pause();
      });
    };
    forward(STDOUT, child.stdout, flags.stdout);
    forward(STDERR, child.stderr, flags.stderr);

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0 || dropped) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === STDIN && flags.stdin) {
        stdinBytes += payload.length;
        const limit = this.state.faults.dropExecAfterStdinBytes;
        if (limit !== undefined && stdinBytes >= limit) {
          dropped = true;
          ws.terminate();
          child.kill('SIGKILL');
          return;
        }
        if (!child.stdin.writable) return;
        if (!child.stdin.write(payload)) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
        }
      } else if (channel === CLOSE && v5 && payload[0] === STDIN) {
        child.stdin.end();
      } else if (channel === RESIZE) {
        // no TTY here: resize events are accepted and ignored, as for a non-TTY exec
      }
    });
    ws.on('close', () => {
      // The client went away: the API server tears the exec down.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('error', (error) => {
      spawnError ??= error;
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      if (ws.readyState !== ws.OPEN || dropped) return;
      ws.resume(); // stdin may have been paused for a command that stopped reading; read the close handshake
      ws.send(Buffer.concat([Buffer.from([STATUS]), Buffer.from(JSON.stringify(execStatus(code, signal, spawnError, command)))]));
      ws.close(1000);
    });
  }

  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}

/** The status frame the API server sends when the command ends. */
export function execStatus(code: number | null, signal: NodeJS.Signals | null, error: Error | undefined, command: string[]): object {
  if (error && code === null) {
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: error executing command in container: failed to exec in container: ${error.message}`,
      reason: 'InternalError',
      details: { causes: [{ message: `failed to exec ${JSON.stringify(command)}: ${error.message}` }] },
      code: 500,
    };
  }
  const exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${JSON.stringify(command)}, exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}
