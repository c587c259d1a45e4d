import WebSocket from 'ws';
import { startFakeKube, type FakeKube } from './server';

/** The fake's exec endpoint against the wire protocol, with a raw `ws` client (no client-node). */

let kube: FakeKube;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  kube.state.addPod({ name: 'mlmd-0', containers: ['mlmd-grpc-server'] });
});
afterEach(async () => {
  await kube.close();
});

interface Session {
  ws: WebSocket;
  frames: Buffer[];
  closed: Promise<number>;
}

function execUrl(pod: string, command: string[], params: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  for (const [k, v] of Object.entries({ container: 'mlmd-grpc-server', stdin: 'true', stdout: 'true', stderr: 'true', ...params })) q.set(k, v);
  return `${kube.url.replace('http', 'ws')}/api/v1/namespaces/kubeflow/pods/${pod}/exec?${q}`;
}

function open(url: string, protocols: string[], token = kube.token): Promise<Session> {
  const ws = new WebSocket(url, protocols, { headers: { Authorization: `Bearer ${token}` } });
  const frames: Buffer[] = [];
  ws.on('message', (data: Buffer) => frames.push(Buffer.from(data)));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('error', reject);
  });
}

function channel(frames: Buffer[], n: number): string {
  return Buffer.concat(frames.filter((f) => f[0] === n).map((f) => f.subarray(1))).toString('utf8');
}

test('v5: stdin frames reach the real command, [255,0] closes stdin, stdout and a Success status come back', async () => {
  const s = await open(execUrl('mlmd-0', ['cat']), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  expect(s.ws.protocol).toBe('v5.channel.k8s.io');
  s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello ')]));
  s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('world')]));
  s.ws.send(Buffer.from([255, 0]));
  expect(await s.closed).toBe(1000);
  expect(channel(s.frames, 1)).toBe('hello world');
  expect(JSON.parse(channel(s.frames, 3))).toEqual({ metadata: {}, status: 'Success' });
  const statusIndex = s.frames.findIndex((f) => f[0] === 3);
  expect(statusIndex).toBe(s.frames.length - 1); // the status is the last frame
  expect(kube.state.requests.at(-1)?.command).toEqual(['cat']);
});

test('a failing command: stderr on channel 2 and a NonZeroExitCode status with the exit code as cause', async () => {
  const s = await open(execUrl('mlmd-0', ['ls', '/definitely-not-here-ckf'], { stdin: 'false' }), ['v5.channel.k8s.io']);
  await s.closed;
  expect(channel(s.frames, 2)).toMatch(/definitely-not-here-ckf/);
  const status = JSON.parse(channel(s.frames, 3));
  expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
});

test('v4 is negotiated when only v4 is offered; without stdin the command sees EOF at once', async () => {
  const s = await open(execUrl('mlmd-0', ['wc', '-c'], { stdin: 'false' }), ['v4.channel.k8s.io']);
  expect(s.ws.protocol).toBe('v4.channel.k8s.io');
  await s.closed;
  expect(channel(s.frames, 1).trim()).toBe('0');
  expect(JSON.parse(channel(s.frames, 3)).status).toBe('Success');
});

test('v4 ignores the v5 close frame: stdin stays open until the client closes the socket', async () => {
  const s = await open(execUrl('mlmd-0', ['cat']), ['v4.channel.k8s.io']);
  s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('x')]));
  s.ws.send(Buffer.from([255, 0]));
  const early = await Promise.race([s.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 200))]);
  expect(early).toBe('open');
  s.ws.close();
  await s.closed;
});

test('fault: the connection drops after N stdin bytes, with no status frame', async () => {
  kube.state.faults.dropExecAfterStdinBytes = 8;
  const s = await open(execUrl('mlmd-0', ['cat']), ['v5.channel.k8s.io']);
  s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 1)]));
  expect(await s.closed).toBe(1006);
  expect(s.frames.some((f) => f[0] === 3)).toBe(false);
});

async function rejectedUpgrade(url: string, protocols: string[], token = kube.token): Promise<{ code: number; body: any }> {
  const ws = new WebSocket(url, protocols, { headers: { Authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('upgrade unexpectedly accepted')));
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        ws.terminate();
        resolve({ code: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    ws.on('error', () => undefined); // terminate() after unexpected-response reports an abort; the answer is already in hand
  });
}

test('exec is refused with a Status body: unknown pod 404, wrong container 400, bad token 401, no known subprotocol 400', async () => {
  const missing = await rejectedUpgrade(execUrl('nope-0', ['true']), ['v5.channel.k8s.io']);
  expect(missing).toMatchObject({ code: 404, body: { kind: 'Status', reason: 'NotFound', details: { name: 'nope-0', kind: 'pods' } } });
  const container = await rejectedUpgrade(execUrl('mlmd-0', ['true'], { container: 'mlmd' }), ['v5.channel.k8s.io']);
  expect(container).toMatchObject({ code: 400, body: { message: 'container mlmd is not valid for pod mlmd-0' } });
  const token = await rejectedUpgrade(execUrl('mlmd-0', ['true']), ['v5.channel.k8s.io'], 'wrong');
  expect(token.code).toBe(401);
  const proto = await rejectedUpgrade(execUrl('mlmd-0', ['true']), ['channel.k8s.io']);
  expect(proto.code).toBe(400);
});
