import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import { RestoreError } from '../errors';
import type { KubeClient } from './client';
import { toKubeApiError } from './apiError';
import { ExecConnectionError, ExecFailedError, KubeApiError, KubeNotFoundError, KubeTimeoutError } from './errors';
import { parseExecStatus } from './execStatus';

/** The channel-multiplexed exec subprotocols we speak, preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
const V5 = 'v5.channel.k8s.io';

const CHANNEL_STDIN = 0;
const CHANNEL_STDOUT = 1;
const CHANNEL_STDERR = 2;
const CHANNEL_STATUS = 3;
const CHANNEL_CLOSE = 255;

/** Largest stdin frame we send; bigger chunks are split. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** Stop reading stdin while this much is queued in the socket. */
const SEND_HIGH_WATER_BYTES = 4 * 1024 * 1024;

export interface ExecOptions {
  /** Streamed to the command's stdin, then stdin is closed (needs `v5.channel.k8s.io`). */
  stdin?: Readable;
  /** Receives the command's stdout, with backpressure. Without it, stdout is captured (up to a limit). */
  stdout?: Writable;
  /** End `stdout` (and wait until it has flushed) once the command succeeded. Default: true. */
  endStdout?: boolean;
  /** Whole-command deadline. Default: 10 minutes. */
  timeoutMs?: number;
  /** Return a non-zero exit code instead of throwing ExecFailedError. Default: false. */
  allowNonZeroExit?: boolean;
  /**
   * The command stops reading by itself after a known number of bytes (`head -c N`), so it needs no
   * end-of-stdin: then stdin works over v4.channel.k8s.io too (Kubernetes before 1.30), which cannot close it.
   */
  stdinEndsCommand?: boolean;
  /** Bytes of stderr (and of stdout, when captured) kept. Default: 64 KiB. */
  captureLimitBytes?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /** Captured stderr, trimmed. */
  stderr: string;
  /** Captured stdout when no `stdout` stream was given, else ''. */
  stdout: string;
}

/**
 * Runs `command` (an argv array; no shell is involved) in a container and streams stdin/stdout over the
 * exec WebSocket. Resolves once the server reported the exit status. A connection that ends without a
 * status is an ExecConnectionError: the command may or may not have completed.
 */
export async function execInPod(
  client: KubeClient,
  pod: string,
  container: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  if (command.length === 0) throw new TypeError('execInPod needs a non-empty argv array');
  const cluster = client.config.getCurrentCluster();
  if (!cluster) throw new KubeApiError('The kubeconfig has no current cluster', { hint: 'Check KUBECONFIG' });

  const query = new URLSearchParams();
  for (const arg of command) query.append('command', arg);
  query.set('container', container);
  query.set('stdin', options.stdin ? 'true' : 'false');
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  query.set('tty', 'false');
  const base = cluster.server.replace(/\/+$/, '').replace(/^http/, 'ws');
  const url =
    `${base}/api/v1/namespaces/${encodeURIComponent(client.namespace)}` +
    `/pods/${encodeURIComponent(pod)}/exec?${query.toString()}`;

  const wsOptions: ClientOptions = { perMessageDeflate: false };
  await client.config.applyToHTTPSOptions(wsOptions);
  const run = new ExecRun(pod, container, command, options);
  return run.start(new WebSocket(url, [...EXEC_PROTOCOLS], wsOptions));
}

/** One exec session: the state machine behind execInPod. */
class ExecRun {
  private readonly stderr: Capture;
  private readonly stdoutCapture: Capture;
  private statusParts: Buffer[] = [];
  private opened = false;
  private readingHttpError = false;
  private settled = false;
  private socketError: Error | undefined;
  private sendError: Error | undefined;
  private failure: Error | undefined;
  private ws: WebSocket | undefined;
  private resolve!: (result: ExecResult) => void;
  private reject!: (error: Error) => void;

  private readonly where: string;

  constructor(
    private readonly pod: string,
    private readonly container: string,
    private readonly command: readonly string[],
    private readonly options: ExecOptions,
  ) {
    this.where = `${pod}/${container}`;
    const limit = options.captureLimitBytes ?? 64 * 1024;
    this.stderr = new Capture(limit);
    this.stdoutCapture = new Capture(limit);
  }

  start(ws: WebSocket): Promise<ExecResult> {
    this.ws = ws;
    const promise = new Promise<ExecResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const timeoutMs = this.options.timeoutMs ?? 600_000;
    const timer = setTimeout(() => {
      this.abort(
        new KubeTimeoutError(`Command ${JSON.stringify(this.command)} in ${this.where} did not finish within ${timeoutMs / 1000}s`, {
          hint: `Check the pod with: kubectl describe pod ${this.pod}; a larger backup may need a longer timeout`,
        }),
      );
    }, timeoutMs);
    const onAbort = () => this.abort(new ExecConnectionError(`Command in ${this.where} was cancelled`, { cause: this.options.signal?.reason }));
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.options.signal?.aborted) onAbort();

    // Listen from the start: the source may fail before the connection is open.
    const onStdinError = (error: Error) => this.onStdinError(error);
    this.options.stdin?.on('error', onStdinError);

    ws.on('unexpected-response', (_request, response) => this.onUnexpectedResponse(response));
    ws.on('open', () => this.onOpen());
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (error) => {
      this.socketError ??= error;
    });
    ws.on('close', (code) => this.onClose(code));
    return promise.finally(() => {
      clearTimeout(timer);
      this.options.signal?.removeEventListener('abort', onAbort);
      this.options.stdin?.off('error', onStdinError);
    });
  }

  /** Fails the run now and drops the connection. */
  private abort(error: Error): void {
    this.failure ??= error;
    this.ws?.terminate();
  }

  private onUnexpectedResponse(response: IncomingMessage): void {
    this.readingHttpError = true;
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const code = response.statusCode ?? 0;
      const text = Buffer.concat(chunks).toString('utf8');
      let detail = text.trim().slice(0, 500);
      try {
        const body: unknown = JSON.parse(text);
        if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') detail = body.message;
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error; // a non-JSON body: keep the raw text
      }
      const message = `Cannot exec in ${this.where}: HTTP ${code}${detail ? ` (${detail})` : ''}`;
      if (code === 404) {
        this.fail(new KubeNotFoundError(message, { hint: `Check that the pod exists: kubectl get pod ${this.pod}` }));
      } else if (code === 401 || code === 403) {
        this.fail(new KubeApiError(message, { statusCode: code, hint: 'The charm needs pods/exec rights: deploy it with --trust' }));
      } else {
        this.fail(new KubeApiError(message, { statusCode: code, hint: 'Check the pod and container names and that the pod is Running' }));
      }
    });
    response.on('error', (error) => this.fail(toKubeApiError(error, `exec in ${this.where}`)));
  }

  private onOpen(): void {
    this.opened = true;
    const ws = this.ws!;
    if (this.options.stdin) {
      if (ws.protocol !== V5 && !this.options.stdinEndsCommand) {
        this.abort(
          new ExecConnectionError(
            `The Kubernetes API server offered exec protocol "${ws.protocol}", which cannot close stdin without dropping the output`,
            { hint: 'Streaming a file into a container needs exec protocol v5.channel.k8s.io (Kubernetes 1.30 or newer)' },
          ),
        );
        return;
      }
      this.pumpStdin(this.options.stdin).catch((error: unknown) => this.onStdinError(error));
    }
  }

  /** The stdin source failed, or sending it did: the command must not be taken as complete. */
  private onStdinError(error: unknown): void {
    // Once the exit status is in, the command is done: a send failing on the closing socket is moot.
    if (this.statusParts.length > 0 || this.settled) return;
    this.abort(
      error instanceof RestoreError
        ? error
        : new ExecConnectionError(`Streaming stdin to ${this.where} failed: ${error instanceof Error ? error.message : String(error)}`, {
            hint: 'Retry the action; if the source is a download, check the backup store',
            cause: error,
          }),
    );
  }

  private async pumpStdin(stdin: Readable): Promise<void> {
    const ws = this.ws!;
    let lastSend: Promise<void> = Promise.resolve();
    for await (const chunk of stdin) {
      if (this.settled || ws.readyState !== WebSocket.OPEN) return; // the run already ended; status decides
      const data: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      for (let offset = 0; offset < data.length; offset += MAX_FRAME_BYTES) {
        const piece = data.subarray(offset, Math.min(offset + MAX_FRAME_BYTES, data.length));
        lastSend = this.send(frame(CHANNEL_STDIN, piece));
        if (ws.bufferedAmount >= SEND_HIGH_WATER_BYTES) await lastSend;
        if (this.sendError) throw this.sendError;
      }
    }
    await lastSend;
    if (this.sendError) throw this.sendError;
    if (this.settled || ws.readyState !== WebSocket.OPEN || ws.protocol !== V5) return;
    await this.send(Buffer.from([CHANNEL_CLOSE, CHANNEL_STDIN]));
    if (this.sendError) throw this.sendError;
  }

  /** Queues a frame; resolves once it is handed to the socket. A failure is kept in `sendError`. */
  private send(data: Buffer): Promise<void> {
    if (this.sendError) return Promise.reject(this.sendError);
    return new Promise((resolve) => {
      this.ws!.send(data, { binary: true }, (error) => {
        if (error) this.sendError ??= error;
        resolve();
      });
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    if (!isBinary || buffer.length === 0) return;
    const channel = buffer[0];
    const payload = buffer.subarray(1);
    if (payload.length === 0) return; // servers open each channel with an empty frame
    switch (channel) {
      case CHANNEL_STDOUT:
        this.onStdout(payload);
        break;
      case CHANNEL_STDERR:
        this.stderr.add(payload);
        break;
      case CHANNEL_STATUS:
        this.statusParts.push(payload);
        break;
      case CHANNEL_CLOSE:
        break; // the server closed one of its streams (v5); the status frame is what counts
      default:
        this.abort(new ExecConnectionError(`Exec protocol error from ${this.where}: unknown channel ${channel}`));
    }
  }

  private onStdout(payload: Buffer): void {
    const stdout = this.options.stdout;
    if (!stdout) {
      this.stdoutCapture.add(payload);
      return;
    }
    if (!stdout.write(payload)) {
      const ws = this.ws!;
      ws.pause();
      stdout.once('drain', () => ws.resume());
    }
  }

  private onClose(code: number): void {
    if (this.settled) return;
    if (this.failure) return this.fail(this.failure);
    if (!this.opened) {
      if (this.readingHttpError) return; // onUnexpectedResponse reports it once the body is read
      return this.fail(toKubeApiError(this.socketError ?? new Error(`closed with code ${code}`), `connecting to exec in ${this.where}`));
    }
    if (this.statusParts.length === 0) {
      return this.fail(
        new ExecConnectionError(
          `The exec connection to ${this.where} closed (code ${code}) before the command reported its exit status; ` +
            'it may not have completed',
          { hint: 'Retry the action; check the network between the charm and the API server', cause: this.socketError },
        ),
      );
    }
    const status = parseExecStatus(Buffer.concat(this.statusParts).toString('utf8'));
    if (status.kind === 'error') {
      return this.fail(
        new ExecConnectionError(`Exec in ${this.where} failed: ${status.message}`, {
          hint: `Check the pod with: kubectl describe pod ${this.pod}`,
        }),
      );
    }
    const stderr = this.stderr.text().trim();
    if (status.exitCode !== 0 && !this.options.allowNonZeroExit) {
      return this.fail(new ExecFailedError(this.pod, this.container, this.command, status.exitCode, stderr));
    }
    const result: ExecResult = { exitCode: status.exitCode, stderr, stdout: this.stdoutCapture.text() };
    const stdout = this.options.stdout;
    if (stdout && this.options.endStdout !== false) {
      this.settled = true;
      // Node calls this once the stream has finished, or with the error that stopped it.
      stdout.end((error?: Error | null) => (error ? this.reject(error) : this.resolve(result)));
      return;
    }
    this.settled = true;
    this.resolve(result);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.ws?.terminate();
    this.reject(error);
  }
}

function frame(channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  payload.copy(out, 1);
  return out;
}

/** Keeps the first `limit` bytes of a stream and notes that more was dropped. */
class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(Buffer.from(kept));
    this.size += kept.length;
    this.dropped += chunk.length - kept.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${text}\n[… ${this.dropped} more bytes]` : text;
  }
}
