/** The fault proxy itself, against a plain HTTP server whose responses are known. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';

let upstream: http.Server;
let target: string;
const BODY = Buffer.alloc(200_000, 7);
let uploads: { path: string; bytes: number; complete: boolean }[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        uploads.push({ path: req.url ?? '', bytes, complete: true });
        res.end('ok');
      });
      req.on('close', () => {
        if (!req.complete) uploads.push({ path: req.url ?? '', bytes, complete: false });
      });
      return;
    }
    res.writeHead(200, { 'content-length': BODY.length, 'x-path': req.url ?? '' });
    res.end(BODY);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  uploads = [];
});

interface Outcome {
  status?: number;
  bytes: number;
  error?: string;
  headers?: http.IncomingHttpHeaders;
  body?: string;
}

function request(proxy: FaultProxy, method: string, path: string, body?: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${proxy.endpoint}${path}`, { method, agent: false, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', (error) => resolve({ status: res.statusCode, bytes, error: (error as NodeJS.ErrnoException).code ?? error.message }));
      // A body cut short may end in 'close' without 'end' (or 'error').
      res.on('close', () => {
        if (!res.complete) resolve({ status: res.statusCode, bytes, error: 'incomplete' });
      });
    });
    req.on('error', (error) => resolve({ bytes: 0, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(body);
  });
}

test('without faults it forwards requests and bodies unchanged, with the percent-encoded path intact', async () => {
  const proxy = await startFaultProxy({ target });
  const result = await request(proxy, 'GET', '/bkt/a%20b%2Bc');
  expect(result).toMatchObject({ status: 200, bytes: BODY.length, headers: { 'x-path': '/bkt/a%20b%2Bc' } });
  const put = await request(proxy, 'PUT', '/bkt/up', Buffer.alloc(300_000));
  expect(put.status).toBe(200);
  expect(uploads).toEqual([{ path: '/bkt/up', bytes: 300_000, complete: true }]);
  expect(proxy.requests).toBe(2);
  await proxy.close();
});

test('status faults answer with an S3 error document; the decision sees the decoded path and how often it was asked', async () => {
  const seen: { path: string; previous: number }[] = [];
  const proxy = await startFaultProxy({
    target,
    fault: ({ path, previous }) => {
      seen.push({ path, previous });
      return previous === 0 ? { kind: 'status', status: 503, code: 'SlowDown' } : undefined;
    },
  });
  const first = await request(proxy, 'GET', '/bkt/k%C3%A9y');
  expect(first.status).toBe(503);
  expect(first.body).toContain('<Code>SlowDown</Code>');
  expect((await request(proxy, 'GET', '/bkt/k%C3%A9y')).status).toBe(200);
  expect(seen).toEqual([{ path: '/bkt/kéy', previous: 0 }, { path: '/bkt/kéy', previous: 1 }]);
  expect(proxy.injected).toEqual(['status']);
  await proxy.close();
});

test.each(['reset-response', 'truncate-response'] as const)('%s cuts the response body after the given bytes: the client sees an error, never a complete body', async (kind) => {
  const proxy = await startFaultProxy({ target, fault: () => ({ kind, afterBytes: 50_000 }) });
  const result = await request(proxy, 'GET', '/bkt/x');
  expect(result.status).toBe(200);
  expect(result.error).toBeDefined();
  expect(result.bytes).toBeLessThanOrEqual(50_000);
  await proxy.close();
});

test('reset-request cuts an upload part-way: the client fails and the server sees an incomplete body', async () => {
  const proxy = await startFaultProxy({ target, fault: ({ method }) => (method === 'PUT' ? { kind: 'reset-request', afterBytes: 100_000 } : undefined) });
  const result = await request(proxy, 'PUT', '/bkt/up', Buffer.alloc(1_000_000));
  expect(result.error).toBeDefined();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(uploads).toHaveLength(1);
  expect(uploads[0]?.complete).toBe(false);
  expect(uploads[0]?.bytes).toBeLessThanOrEqual(100_000);
  await proxy.close();
});

test('latency delays every request by at least the given time', async () => {
  const proxy = await startFaultProxy({ target, latencyMs: 50 });
  const started = performance.now();
  for (let i = 0; i < 3; i++) await request(proxy, 'GET', '/bkt/x');
  expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  await proxy.close();
});

test('a delay fault holds back just that request: the ones after it overtake it', async () => {
  const proxy = await startFaultProxy({ target, fault: ({ path }) => (path === '/bkt/slow' ? { kind: 'delay', ms: 300 } : undefined) });
  const finished: string[] = [];
  const started = performance.now();
  await Promise.all(['/bkt/slow', '/bkt/fast'].map(async (path) => {
    await request(proxy, 'GET', path);
    finished.push(path);
  }));
  expect(finished).toEqual(['/bkt/fast', '/bkt/slow']);
  expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  expect(proxy.injected).toEqual(['delay']);
  await proxy.close();
});
