import WebSocket from 'ws';
import { createTestPki, type TestPki } from './pki';
import { DEFAULT_USER, startFakeJujuController, type FakeJujuController } from './server';

// Tests of the fake against the Juju API protocol, with a raw `ws` client sending envelopes as in
// juju/juju rpc/jsoncodec: {request-id, type, version, request, params} → {request-id, response} or
// {request-id, error, error-code}.

interface Reply {
  'request-id': number;
  response?: any;
  error?: string;
  'error-code'?: string;
}

class RawClient {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as Reply;
      this.pending.get(reply['request-id'])?.(reply);
      this.pending.delete(reply['request-id']);
    });
  }

  static open(url: string, ca: string): Promise<RawClient> {
    // ws hands its options to tls.connect; @types/ws does not list `servername`.
    const options: WebSocket.ClientOptions & { servername: string } = { ca, servername: 'juju-apiserver' };
    const ws = new WebSocket(url, options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
    });
  }

  call(type: string, version: number, request: string, params: unknown = {}): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ 'request-id': id, type, version, request, params }));
    });
  }

  login(username = DEFAULT_USER.username, password = DEFAULT_USER.password): Promise<Reply> {
    return this.call('Admin', 3, 'Login', {
      'auth-tag': `user-${username}`, credentials: password, 'client-version': '3.6.4', nonce: '', macaroons: [], 'user-data': '',
    });
  }

  close(): void {
    this.ws.close();
  }
}

async function runAction(client: RawClient, receiver: string, name: string, parameters: object = {}): Promise<any> {
  const enq = await client.call('Action', 7, 'EnqueueOperation', { actions: [{ receiver, name, parameters }] });
  const tag = enq.response.actions[0].action.tag as string;
  for (;;) {
    const res = await client.call('Action', 7, 'Actions', { entities: [{ tag }] });
    const result = res.response.results[0];
    if (!['pending', 'running'].includes(result.status)) return result;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function statusOf(client: RawClient): Promise<any> {
  return (await client.call('Client', 7, 'FullStatus', { patterns: [] })).response;
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let pki: TestPki;
let fake: FakeJujuController;
let client: RawClient;

beforeAll(async () => {
  pki = await createTestPki();
});

beforeEach(async () => {
  fake = await startFakeJujuController({
    pki,
    users: [DEFAULT_USER, { username: 'reader', password: 'r', modelAccess: 'read' }, { username: 'nobody', password: 'n', modelAccess: 'none' }],
    applications: [
      { name: 'kfp-db', units: 1, s3Integrator: 'kfp-db-s3', backups: [{ id: '2024-05-01T10:25:00Z', status: 'finished' }, { id: '2024-05-02T10:25:00Z', status: 'failed' }] },
      { name: 'katib-db', units: 3, s3Integrator: null, backups: [] },
    ],
  });
  client = await RawClient.open(fake.modelUrl, fake.caCertPem);
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('TLS', () => {
  test('a client that does not trust the test CA is refused during the handshake', async () => {
    const other = await createTestPki('another-ca');
    await expect(RawClient.open(fake.modelUrl, other.caCertPem)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  test('the certificate is valid for the name juju-apiserver, as Juju clients check', () => {
    expect(fake.addresses).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(fake.modelUrl).toBe(`wss://${fake.addresses[0]}/model/${fake.modelUuid}/api`);
  });
});

describe('Admin.Login', () => {
  test('before login only Admin answers', async () => {
    const reply = await client.call('Client', 7, 'FullStatus', { patterns: [] });
    expect(reply).toEqual({ 'request-id': 1, error: 'unknown object type "Client"', 'error-code': 'not implemented', response: {} });
  });

  test('wrong password is refused the way Juju refuses it', async () => {
    const reply = await client.login(DEFAULT_USER.username, 'wrong');
    expect(reply.error).toBe('invalid entity name or password');
    expect(reply['error-code']).toBe('unauthorized access');
    expect(reply.response).toEqual({});
  });

  test('a user without model access gets permission denied', async () => {
    const reply = await client.login('nobody', 'n');
    expect([reply.error, reply['error-code']]).toEqual(['permission denied', 'unauthorized access']);
  });

  test('a model UUID the controller does not know is refused', async () => {
    const other = await RawClient.open(fake.modelUrl.replace(fake.modelUuid, '00000000-0000-0000-0000-000000000000'), fake.caCertPem);
    const reply = await other.login();
    other.close();
    expect(reply['error-code']).toBe('model not found');
  });

  test('success returns facades, server version, model and controller tags; a second login is refused', async () => {
    const reply = await client.login();
    expect(reply.error).toBeUndefined();
    expect(reply.response['server-version']).toBe('3.6.4');
    expect(reply.response['model-tag']).toBe(`model-${fake.modelUuid}`);
    expect(reply.response['controller-tag']).toMatch(/^controller-/);
    expect(reply.response['user-info']).toMatchObject({ identity: 'user-ckf-restore', 'model-access': 'admin' });
    expect(reply.response.facades).toEqual(expect.arrayContaining([
      { name: 'Action', versions: [7] }, { name: 'Application', versions: [19] }, { name: 'Client', versions: [6, 7] },
    ]));
    expect(reply.response.servers[0][0]).toMatchObject({ value: '127.0.0.1', type: 'ipv4' });
    expect((await client.login()).error).toBe('already logged in');
  });

  test('the password is not kept in the call record', async () => {
    await client.login();
    expect(JSON.stringify(fake.calls)).not.toContain(DEFAULT_USER.password);
    expect(fake.calls[0]).toMatchObject({ facade: 'Admin', version: 3, method: 'Login', params: { 'auth-tag': 'user-ckf-restore', 'client-version': '3.6.4' } });
  });
});

describe('after login', () => {
  beforeEach(async () => {
    expect((await client.login()).error).toBeUndefined();
  });

  test('unknown facade versions and methods are refused', async () => {
    expect(await client.call('Action', 6, 'Actions', { entities: [] })).toMatchObject({ error: 'unknown version (6) of interface "Action"', 'error-code': 'not implemented' });
    expect(await client.call('Client', 7, 'Nope')).toMatchObject({ error: 'no such request - method Client.Nope is not implemented' });
  });

  test('a frame that is not an envelope closes the connection', async () => {
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    client.ws.send('not json');
    expect(await closed).toBe(1003);
  });

  test('FullStatus lists apps, units, leader, workload status and the s3-parameters relation', async () => {
    const status = await statusOf(client);
    const kfp = status.applications['kfp-db'];
    expect(Object.keys(kfp.units)).toEqual(['kfp-db/0']);
    expect(kfp.units['kfp-db/0']).toMatchObject({ leader: true, 'workload-status': { status: 'active' }, 'agent-status': { status: 'idle' } });
    expect(kfp.relations['s3-parameters']).toEqual(['kfp-db-s3']);
    const katib = status.applications['katib-db'];
    expect(Object.keys(katib.units)).toEqual(['katib-db/0', 'katib-db/1', 'katib-db/2']);
    expect(katib.relations['s3-parameters']).toBeUndefined();
    expect(status.relations).toHaveLength(1);
  });

  test('list-backups returns the mysql-k8s table', async () => {
    const result = await runAction(client, 'unit-kfp-db-0', 'list-backups');
    expect(result.status).toBe('completed');
    expect(result.output.backups).toBe([
      'backup-id             | backup-type  | backup-status',
      '-'.repeat(52),
      '2024-05-01T10:25:00Z  | physical     | finished',
      '2024-05-02T10:25:00Z  | physical     | failed',
    ].join('\n'));
    expect(result.action).toMatchObject({ tag: expect.stringMatching(/^action-\d+$/), receiver: 'unit-kfp-db-0', name: 'list-backups' });
  });

  test('list-backups fails without an s3 relation, as mysql-k8s does', async () => {
    const result = await runAction(client, 'unit-katib-db-0', 'list-backups');
    expect([result.status, result.message]).toEqual(['failed', 'Missing relation with S3 integrator charm']);
  });

  test('restore is refused with more than one unit', async () => {
    fake.apps.get('katib-db')!.s3Integrator = 'katib-db-s3';
    const result = await runAction(client, 'unit-katib-db-0', 'restore', { 'backup-id': 'x' });
    expect([result.status, result.message]).toEqual(['failed', 'Unit cannot restore backup as there are more than one units in the cluster']);
  });

  test('restore of an unknown or unfinished backup id fails', async () => {
    expect((await runAction(client, 'unit-kfp-db-0', 'restore', { 'backup-id': 'nope' })).message).toBe('Invalid backup-id: nope');
    expect((await runAction(client, 'unit-kfp-db-0', 'restore', { 'backup-id': '2024-05-02T10:25:00Z' })).message).toBe('Invalid backup-id: 2024-05-02T10:25:00Z');
  });

  test('a restore logs while running, completes, and leaves the app Blocked', async () => {
    const result = await runAction(client, 'kfp-db/leader', 'restore', { 'backup-id': '2024-05-01T10:25:00Z' });
    expect(result.status).toBe('completed');
    expect(result.output).toMatchObject({ completed: 'ok' });
    expect(result.log.length).toBeGreaterThanOrEqual(3);
    expect(result.log[0]).toEqual({ timestamp: expect.any(String), message: 'Restoring backup 2024-05-01T10:25:00Z' });
    const status = await statusOf(client);
    expect(status.applications['kfp-db'].status).toMatchObject({ status: 'blocked', info: 'Move restored cluster to another S3 repository' });
  });

  test('the failRestore fault fails a restore after it started', async () => {
    fake.faults.failRestore.add('kfp-db');
    const result = await runAction(client, 'unit-kfp-db-0', 'restore', { 'backup-id': '2024-05-01T10:25:00Z' });
    expect([result.status, result.message]).toEqual(['failed', 'Failed to restore backup 2024-05-01T10:25:00Z']);
    expect(result.log.length).toBeGreaterThan(0);
  });

  test('Operations reports the operation and its actions', async () => {
    const enq = await client.call('Action', 7, 'EnqueueOperation', { actions: [{ receiver: 'unit-kfp-db-0', name: 'list-backups' }, { receiver: 'unit-kfp-db-9', name: 'list-backups' }] });
    expect(enq.response.operation).toMatch(/^operation-\d+$/);
    expect(enq.response.actions[1].error).toEqual({ message: 'unit "kfp-db/9" not found', code: 'not found' });
    const ops = await client.call('Action', 7, 'Operations', { entities: [{ tag: enq.response.operation }] });
    expect(ops.response.results[0]).toMatchObject({ operation: enq.response.operation, actions: [{ name: 'list-backups' } as never].map(() => expect.objectContaining({ action: expect.objectContaining({ name: 'list-backups' }) })) });
  });

  test('scaling settles after a delay: highest ordinals go, new units start in maintenance', async () => {
    const down = await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-katib-db', scale: 1, force: false }] });
    expect(down.response).toEqual({ results: [{ info: { 'num-units': 1 } }] });
    expect(Object.keys((await statusOf(client)).applications['katib-db'].units)).toHaveLength(3);
    await waitFor(async () => (Object.keys((await statusOf(client)).applications['katib-db'].units).length === 1 ? true : undefined));
    expect(Object.keys((await statusOf(client)).applications['katib-db'].units)).toEqual(['katib-db/0']);

    await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-katib-db', scale: 2, force: false }] });
    const unit = await waitFor(async () => (await statusOf(client)).applications['katib-db'].units['katib-db/3']);
    expect(unit['workload-status'].status).toBe('maintenance');
    const settled = await waitFor(async () => {
      const u = (await statusOf(client)).applications['katib-db'].units['katib-db/3'];
      return u['workload-status'].status === 'active' ? u : undefined;
    });
    expect(settled['agent-status'].status).toBe('idle');
  });

  test('the leader moves when its unit is scaled away', async () => {
    fake.apps.get('katib-db')!.leader = 2;
    await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-katib-db', scale: 1, force: false }] });
    const units = await waitFor(async () => {
      const u = (await statusOf(client)).applications['katib-db'].units;
      return Object.keys(u).length === 1 ? u : undefined;
    });
    expect(units['katib-db/0'].leader).toBe(true);
  });

  test('the neverSettle fault accepts a scale that never happens', async () => {
    fake.faults.neverSettle.add('katib-db');
    await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-katib-db', scale: 1, force: false }] });
    await new Promise((r) => setTimeout(r, fake.timing.settleMs * 4));
    expect(Object.keys((await statusOf(client)).applications['katib-db'].units)).toHaveLength(3);
  });

  test('unknown applications are errors in the result, not the envelope', async () => {
    const reply = await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-nope', scale: 1, force: false }] });
    expect(reply.response.results[0].error).toEqual({ message: 'application "nope" not found', code: 'not found' });
  });
});

test('a read-only user cannot run actions or scale', async () => {
  expect((await client.login('reader', 'r')).error).toBeUndefined();
  const enq = await client.call('Action', 7, 'EnqueueOperation', { actions: [{ receiver: 'unit-kfp-db-0', name: 'list-backups' }] });
  expect([enq.error, enq['error-code']]).toEqual(['permission denied', 'unauthorized access']);
  const scale = await client.call('Application', 19, 'ScaleApplications', { applications: [{ 'application-tag': 'application-kfp-db', scale: 2, force: false }] });
  expect(scale.error).toBe('permission denied');
});
