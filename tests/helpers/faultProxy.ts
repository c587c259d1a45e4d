/**
 * A reverse HTTP proxy for putting faults between the S3 client and an S3 server: error responses
 * (500 InternalError, 503 SlowDown), connections reset (RST) or closed (FIN) part-way through a response
 * body, uploads cut part-way through the request body, and added latency per request (a remote store).
 * Which request gets which fault is the test's choice (`fault`), so runs are deterministic; a `delay`
 * holds one request back so the test can change the server's state before it arrives.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Answer with this status and S3 error code instead of forwarding (after reading the request body, as S3 does). */
  | { kind: 'status'; status: number; code: string }
  /** Forward, then reset the connection (RST) after this many bytes of the response body. */
  | { kind: 'reset-response'; afterBytes: number }
  /** Forward, then close the connection cleanly (FIN) after this many bytes of the response body: a truncated body. */
  | { kind: 'truncate-response'; afterBytes: number }
  /** Reset the connection after this many bytes of the request body (an upload cut off; upstream sees it cut too). */
  | { kind: 'reset-request'; afterBytes: number }
  /** Forward unchanged, but only after this long (on top of any latency): time for the test to act in between. */
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  /** Raw request target, e.g. `/bucket/some%20key?uploadId=…`. */
  url: string;
  /** Decoded path without the query, e.g. `/bucket/some key`. */
  path: string;
  /** How many requests with this method and path came before this one (0 = first). */
  previous: number;
  /** The client's User-Agent header ('' when none). */
  userAgent: string;
}

export interface FaultProxyOptions {
  /** `http://127.0.0.1:port` of the real server. */
  target: string;
  latencyMs?: number;
  fault?: (request: ProxiedRequest) => Fault | undefined;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  /** Requests seen, and faults injected, so far. */
  readonly requests: number;
  readonly injected: Fault['kind'][];
  setFault(fault: FaultProxyOptions['fault']): void;
  close(): Promise<void>;
}

function decodePath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    // Not valid percent-encoding (a URIError): tests then match on the raw path.
    if (!(error instanceof URIError)) throw error;
    return raw;
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const seen = new Map<string, number>();
  const injected: Fault['kind'][] = [];
  let requests = 0;
  let choose = options.fault;

  const server = http.createServer((req, res) => {
    requests++;
    const url = req.url ?? '/';
    const path = decodePath(url);
    const id = `${req.method ?? ''} ${path}`;
    const previous = seen.get(id) ?? 0;
    seen.set(id, previous + 1);
    const fault = choose?.({ method: req.method ?? '', url, path, previous, userAgent: req.headers['user-agent'] ?? '' });
    if (fault) injected.push(fault.kind);

    const forward = (): void => {
      if (fault?.kind === 'status') {
        req.resume();
        req.on('end', () => {
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message><RequestId>fault</RequestId></Error>`;
          res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
      const headers = { ...req.headers };
      // Node answers 100-continue to the client itself; the upstream request just sends the body.
      delete headers.expect;
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: url, headers, agent }, (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        if (fault?.kind !== 'reset-response' && fault?.kind !== 'truncate-response') {
          upstreamResponse.pipe(res);
          return;
        }
        let sent = 0;
        upstreamResponse.on('data', (chunk: Buffer) => {
          if (sent + chunk.length < fault.afterBytes) {
            sent += chunk.length;
            res.write(chunk);
            return;
          }
          const cut = chunk.subarray(0, Math.max(0, fault.afterBytes - sent));
          sent = fault.afterBytes;
          upstreamResponse.destroy();
          const socket = res.socket;
          res.write(cut, () => {
            if (fault.kind === 'reset-response') socket?.resetAndDestroy();
            else socket?.end();
          });
        });
        upstreamResponse.on('end', () => res.end());
      });
      upstream.on('error', () => {
        // The upstream failed or was cut on purpose: the client must see a failure, never a clean end.
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (fault?.kind === 'reset-request') {
        let received = 0;
        req.on('data', (chunk: Buffer) => {
          if (received + chunk.length < fault.afterBytes) {
            received += chunk.length;
            upstream.write(chunk);
            return;
          }
          const last = chunk.subarray(0, fault.afterBytes - received);
          received = fault.afterBytes;
          req.pause();
          // Only once the bytes are on the wire, so the server really sees a cut upload.
          upstream.write(last, () => {
            upstream.destroy();
            req.socket.resetAndDestroy();
          });
        });
        req.on('end', () => upstream.end());
      } else {
        req.pipe(upstream);
      }
    };
    const delayMs = (options.latencyMs ?? 0) + (fault?.kind === 'delay' ? fault.ms : 0);
    if (delayMs) setTimeout(forward, delayMs);
    else forward();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    injected,
    setFault(fault) {
      choose = fault;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      agent.destroy();
    },
  };
}
