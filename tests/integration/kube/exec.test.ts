import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client';
import { ExecConnectionError, ExecFailedError, KubeApiError, KubeNotFoundError, KubeTimeoutError } from '../../../src/kube/errors';
import { execInPod } from '../../../src/kube/exec';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

let kube: FakeKube;
let client: KubeClient;
let dir: string;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  kube.state.addPod({ name: 'mlmd-0', containers: ['mlmd-grpc-server'] });
  client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
  dir = mkdtempSync(path.join(tmpdir(), 'kube-exec-'));
});
afterEach(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `total` bytes of deterministic, incompressible-looking data, produced on demand; counts what was read. */
function source(total: number, chunk = 64 * 1024): Readable & { produced: () => number; sha256: () => string } {
  let produced = 0;
  const hash = createHash('sha256');
  let counter = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) return void this.push(null);
      const size = Math.min(chunk, total - produced);
      const block = createHash('sha512').update(String(counter++)).digest();
      const buf = Buffer.alloc(size);
      for (let i = 0; i < size; i += block.length) block.copy(buf, i);
      produced += size;
      hash.update(buf);
      this.push(buf);
    },
  });
  return Object.assign(stream, { produced: () => produced, sha256: () => hash.copy().digest('hex') });
}

function collect(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

test('50 MiB of stdin arrive intact: sha256sum on the other side matches', async () => {
  const input = source(50 * 1024 * 1024);
  const out = collect();
  const result = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['sha256sum'], { stdin: input, stdout: out, timeoutMs: 60_000 });
  expect(result.exitCode).toBe(0);
  expect(out.text().split(/\s+/)[0]).toBe(input.sha256());
  expect(out.writableFinished).toBe(true); // stdout was ended and flushed before the promise resolved
});

test('stdin is closed at the end, so a command writing it to a file finishes; no stdout stream means captured stdout', async () => {
  const file = path.join(dir, 'mlmd.db.new');
  const input = source(3 * 1024 * 1024 + 17);
  await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['dd', `of=${file}`, 'bs=1M', 'status=none'], { stdin: input });
  expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(input.sha256());
  const ls = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['ls', dir]);
  expect(ls.stdout.trim()).toBe('mlmd.db.new');
});

test('stdin respects backpressure: a command that never reads does not make us read the whole source', async () => {
  const input = source(200 * 1024 * 1024);
  const result = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['sleep', '0.5'], { stdin: input });
  expect(result.exitCode).toBe(0);
  expect(input.produced()).toBeLessThan(40 * 1024 * 1024);
});

test('stdout respects backpressure: a slow consumer still gets every byte', async () => {
  const file = path.join(dir, 'big');
  await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['dd', `of=${file}`, 'status=none'], { stdin: source(8 * 1024 * 1024) });
  const expected = createHash('sha256').update(readFileSync(file)).digest('hex');
  const hash = createHash('sha256');
  let writes = 0;
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      if (++writes % 16 === 0) setTimeout(cb, 1);
      else cb();
    },
  });
  await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['cat', file], { stdout: slow });
  expect(hash.digest('hex')).toBe(expected);
});

test('a failing command throws ExecFailedError with command, exit code and trimmed stderr', async () => {
  const error = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['ls', '/no-such-dir-ckf']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ExecFailedError);
  const failed = error as ExecFailedError;
  expect(failed.exitCode).toBe(2);
  expect(failed.command).toEqual(['ls', '/no-such-dir-ckf']);
  expect(failed.stderr).toMatch(/^ls: .*no-such-dir-ckf.*No such file or directory$/);
  expect(failed.hint).toMatch(/kubectl exec mlmd-0 -c mlmd-grpc-server/);
});

test('allowNonZeroExit returns the exit code instead', async () => {
  const result = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['test', '-e', '/no-such-file-ckf'], { allowNonZeroExit: true });
  expect(result.exitCode).toBe(1);
});

test('a connection dropped mid-transfer is an error, not a success', async () => {
  kube.state.faults.dropExecAfterStdinBytes = 1024 * 1024;
  const out = collect();
  const error = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['sha256sum'], { stdin: source(10 * 1024 * 1024), stdout: out }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExecConnectionError);
  expect((error as Error).message).toMatch(/mlmd-0\/mlmd-grpc-server/);
  expect(out.text()).toBe('');
});

test('an error in the stdin source aborts the exec with that error in the message', async () => {
  const input = new PassThrough();
  input.write(Buffer.alloc(1000));
  setTimeout(() => input.destroy(new Error('S3 download reset')), 20);
  await expect(execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['sha256sum'], { stdin: input })).rejects.toThrow(/S3 download reset/);
});

test('timeout: the command is killed and a KubeTimeoutError names the pod', async () => {
  const error = await execInPod(client, 'mlmd-0', 'mlmd-grpc-server', ['sleep', '5'], { timeoutMs: 200 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeTimeoutError);
  expect((error as Error).message).toMatch(/mlmd-0\/mlmd-grpc-server.*0.2s/);
});

test('HTTP refusals: unknown pod is KubeNotFoundError, wrong container a KubeApiError with the server message', async () => {
  await expect(execInPod(client, 'gone-0', 'mlmd-grpc-server', ['true'])).rejects.toBeInstanceOf(KubeNotFoundError);
  const error = await execInPod(client, 'mlmd-0', 'mlmd', ['true']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as Error).message).toMatch(/container mlmd is not valid for pod mlmd-0/);
});

test('the bearer token never appears in error messages', async () => {
  const file = path.join(dir, 'bad-kubeconfig');
  writeFileSync(file, kube.kubeconfigYaml.replace(kube.token, 'secret-token-value'));
  const bad = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: file } }));
  const error = (await execInPod(bad, 'mlmd-0', 'mlmd-grpc-server', ['true']).catch((e: unknown) => e)) as KubeApiError;
  expect(error).toBeInstanceOf(KubeApiError);
  expect(error.statusCode).toBe(401);
  expect(`${error.message} ${error.hint} ${String(error.cause)}`).not.toContain('secret-token-value');
});
