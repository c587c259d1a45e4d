import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connectToModel } from '../../../src/juju/controller/connect';
import {
  ControllerAuthenticationError, ControllerTlsError, ControllerUnreachableError, ModelAccessDeniedError, ModelNotFoundError,
} from '../../../src/juju/controller/errors';
import { InvalidInputError } from '../../../src/errors';
import { createTestPki, type TestPki } from '../../fakes/jujuController/pki';
import { DEFAULT_USER, startFakeJujuController, type FakeJujuController } from '../../fakes/jujuController/server';

let pki: TestPki;
let fake: FakeJujuController;

beforeAll(async () => {
  pki = await createTestPki();
});
beforeEach(async () => {
  fake = await startFakeJujuController({
    pki,
    users: [DEFAULT_USER, { username: 'outsider', password: 'o-pass', modelAccess: 'none' }, { username: 'reader', password: 'r-pass', modelAccess: 'read' }],
  });
});
afterEach(async () => {
  await fake.close();
});

const creds = (over: Partial<{ username: string; password: string; caCert: string }> = {}) => ({
  username: fake.credentials.username, password: fake.credentials.password, caCert: fake.caCertPem, ...over,
});
const endpoint = (addresses = fake.addresses) => ({ addresses, modelUuid: fake.modelUuid, clientVersion: '3.6.4', modelName: 'kubeflow' });

/** An address that accepts TCP connections and never says a word (a black hole). */
async function silentServer(): Promise<{ address: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('connects, logs in with the client version, reads status', async () => {
  const client = await connectToModel(creds(), endpoint());
  try {
    expect(client.serverVersion).toBe('3.6.4');
    const apps = await client.getApplications(['kfp-db', 'nope']);
    expect([...apps.keys()]).toEqual(['kfp-db']);
    expect(apps.get('kfp-db')!.units[0]).toMatchObject({ name: 'kfp-db/0', leader: true, workload: { status: 'active' } });
  } finally {
    client.close();
  }
  expect(fake.calls[0]).toMatchObject({ facade: 'Admin', method: 'Login', params: { 'auth-tag': 'user-ckf-restore', 'client-version': '3.6.4' } });
  expect(fake.calls[1]).toMatchObject({ facade: 'Client', version: 7, method: 'FullStatus' });
});

test('wrong password: a clear error that never shows the password', async () => {
  const error = await connectToModel(creds({ password: 'Wr0ng-Secret' }), endpoint()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ControllerAuthenticationError);
  expect((error as ControllerAuthenticationError).hint).toContain('juju change-user-password ckf-restore');
  expect(JSON.stringify({ m: (error as Error).message, h: (error as ControllerAuthenticationError).hint })).not.toContain('Wr0ng-Secret');
});

test('no model access: says which grant fixes it', async () => {
  const error = await connectToModel(creds({ username: 'outsider', password: 'o-pass' }), endpoint()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelAccessDeniedError);
  expect((error as ModelAccessDeniedError).hint).toBe('Grant it: juju grant outsider admin kubeflow');
});

test('read-only access: fails on the first write with the same grant hint', async () => {
  const client = await connectToModel(creds({ username: 'reader', password: 'r-pass' }), endpoint());
  try {
    const error = await client.scaleApplication('kfp-db', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelAccessDeniedError);
    expect((error as ModelAccessDeniedError).hint).toBe('Give it admin access: juju grant reader admin kubeflow');
  } finally {
    client.close();
  }
});

test('unknown model UUID', async () => {
  const error = await connectToModel(creds(), { ...endpoint(), modelUuid: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelNotFoundError);
});

test('wrong CA: TLS verification failed, pointing at juju show-controller', async () => {
  const other = await createTestPki('not-the-controller-ca');
  const error = await connectToModel(creds({ caCert: other.caCertPem }), endpoint()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ControllerTlsError);
  expect((error as Error).message).toMatch(/^TLS verification of the Juju controller failed/);
  expect((error as ControllerTlsError).hint).toContain('juju show-controller');
  expect(fake.calls).toEqual([]);
});

test('a CA that is not PEM is bad input', async () => {
  await expect(connectToModel(creds({ caCert: 'not a cert' }), endpoint())).rejects.toBeInstanceOf(InvalidInputError);
});

test('unreachable within a short bound: names every address', async () => {
  const silent = await silentServer();
  const refused = await silentServer();
  const refusedAddress = refused.address;
  await new Promise<void>((resolve) => refused.server.close(() => resolve()));
  const started = Date.now();
  try {
    const error = await connectToModel(creds(), endpoint([silent.address, refusedAddress]), { connectTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControllerUnreachableError);
    expect((error as Error).message).toContain(`cannot reach the Juju controller at ${silent.address}, ${refusedAddress}`);
    expect((error as Error).message).toContain(`${silent.address}: no answer within 200 ms`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    silent.server.close();
  }
});

test('falls through to the next address when the first is down', async () => {
  const silent = await silentServer();
  try {
    const client = await connectToModel(creds(), endpoint([silent.address, ...fake.addresses]), { connectTimeoutMs: 200 });
    expect(client.address).toBe(fake.addresses[0]);
    client.close();
  } finally {
    silent.server.close();
  }
});
