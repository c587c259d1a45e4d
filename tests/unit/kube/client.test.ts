import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKubeClient, loadKubeConfig, SERVICE_ACCOUNT_DIR } from '../../../src/kube/client';
import { KubeConfigError } from '../../../src/kube/errors';
import { describeError } from '../../../src/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kube-client-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = (server: string, token: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: ${token}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

test('KUBECONFIG wins over an in-cluster service account', () => {
  const file = path.join(dir, 'config');
  writeFileSync(file, kubeconfig('https://from-kubeconfig:6443', 't'));
  mkdirSync(path.join(dir, SERVICE_ACCOUNT_DIR), { recursive: true });
  writeFileSync(path.join(dir, SERVICE_ACCOUNT_DIR, 'token'), 'sa-token');
  const kc = loadKubeConfig({ env: { KUBECONFIG: file, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountPathPrefix: dir });
  expect(kc.getCurrentCluster()?.server).toBe('https://from-kubeconfig:6443');
});

test('without KUBECONFIG, the in-cluster service account (token file and service env)', () => {
  mkdirSync(path.join(dir, SERVICE_ACCOUNT_DIR), { recursive: true });
  writeFileSync(path.join(dir, SERVICE_ACCOUNT_DIR, 'token'), 'sa-token');
  const before = process.env.KUBERNETES_SERVICE_HOST;
  const kc = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.152.183.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountPathPrefix: dir });
  expect(kc.getCurrentCluster()?.server).toBe('https://10.152.183.1:443');
  expect(kc.getCurrentUser()?.authProvider?.config?.tokenFile).toBe(path.join(dir, SERVICE_ACCOUNT_DIR, 'token'));
  expect(process.env.KUBERNETES_SERVICE_HOST).toBe(before); // the process env is left as it was
});

test('neither: a KubeConfigError that says to deploy with --trust', () => {
  const error = (() => {
    try {
      loadKubeConfig({ env: {}, serviceAccountPathPrefix: dir });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(KubeConfigError);
  expect(describeError(error)).toMatch(/No Kubernetes credentials.*--trust/s);
});

test('a KUBECONFIG that cannot be read names the file, not its contents', () => {
  expect(() => loadKubeConfig({ env: { KUBECONFIG: path.join(dir, 'missing') } })).toThrow(/Cannot read the kubeconfig file .*missing/);
  const garbage = path.join(dir, 'garbage');
  for (const text of ['users: [{name: u, user: {token: super-secret-value}}]\n', '{{{ token: super-secret-value']) {
    writeFileSync(garbage, text);
    let error: unknown;
    try {
      loadKubeConfig({ env: { KUBECONFIG: garbage } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    expect(describeError(error)).toContain(garbage);
    expect(describeError(error)).not.toContain('super-secret-value');
  }
});

test('createKubeClient needs a namespace', () => {
  const file = path.join(dir, 'config');
  writeFileSync(file, kubeconfig('https://k:6443', 't'));
  const kc = loadKubeConfig({ env: { KUBECONFIG: file } });
  expect(() => createKubeClient('', kc)).toThrow(KubeConfigError);
  expect(createKubeClient('kubeflow', kc).namespace).toBe('kubeflow');
});
