import { mkdtempSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client';
import { ExecFailedError } from '../../../src/kube/errors';
import { volumeFreeSpace } from '../../../src/kube/freeSpace';
import { startFakeKube, type FakeKube } from '../../fakes/kube/server';

let kube: FakeKube;
let dir: string;

beforeEach(async () => {
  kube = await startFakeKube({ namespace: 'kubeflow' });
  kube.state.addPod({ name: 'mlmd-0', containers: ['mlmd-grpc-server'] });
  dir = mkdtempSync(path.join(tmpdir(), 'kube-df-'));
});
afterEach(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

test('reads the free space of the directory\'s file system with df -Pk run in the container', async () => {
  const client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
  const space = await volumeFreeSpace(client, 'mlmd-0', 'mlmd-grpc-server', dir);
  const fs = await statfs(dir);
  const available = fs.bavail * fs.bsize;
  expect(Math.abs(space.availableBytes - available)).toBeLessThan(64 * 1024 * 1024); // other tests write meanwhile
  expect(space.totalBytes).toBeGreaterThan(0);
  expect(kube.state.requests.at(-1)?.command).toEqual(['df', '-Pk', dir]);
});

test('a missing directory: ExecFailedError from df', async () => {
  const client = createKubeClient('kubeflow', loadKubeConfig({ env: { KUBECONFIG: kube.kubeconfigPath } }));
  await expect(volumeFreeSpace(client, 'mlmd-0', 'mlmd-grpc-server', path.join(dir, 'missing'))).rejects.toBeInstanceOf(ExecFailedError);
});
