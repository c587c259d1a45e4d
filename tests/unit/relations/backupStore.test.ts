import { backupKey, backupStoreEndpoint, describeBackupStore, parseBackupStore } from '../../../src/relations/backupStore';
import { RelationDataError } from '../../../src/relations/relationDataError';
import { s3IntegratorAppData } from '../../helpers/relationData';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const data = s3IntegratorAppData({ accessKey: 'AKIAEXAMPLE', secretKey: 'secret', bucket: 'ckf-backups', endpoint: 'https://rgw.example:443', path: '/cluster-a/', uriStyle: 'path', caChain: [CA] });

test('parses what s3-integrator publishes', () => {
  const store = parseBackupStore(data);
  expect(store).toEqual({ endpoint: 'https://rgw.example:443', region: 'eu-central-1', bucket: 'ckf-backups', path: 'cluster-a', uriStyle: 'path', accessKey: 'AKIAEXAMPLE', secretKey: 'secret', caCertificates: [CA] });
  expect(backupKey(store!, 'mlmd.db')).toBe('cluster-a/mlmd.db');
  expect(backupStoreEndpoint(store!)).toMatchObject({ forcePathStyle: true, endpoint: 'https://rgw.example:443', caCertificates: [CA] });
  expect(describeBackupStore(store!)).toBe('https://rgw.example:443 ckf-backups/cluster-a');
  expect(describeBackupStore(store!)).not.toContain('secret');
});

test('nothing published yet: undefined (waiting)', () => {
  expect(parseBackupStore({})).toBeUndefined();
  expect(parseBackupStore({ bucket: 'x' })).toBeUndefined();
});

test('AWS without endpoint: virtual-host style, default region; other servers default to path style', () => {
  const aws = parseBackupStore({ 'access-key': 'a', 'secret-key': 'b', bucket: 'bkt' });
  expect(aws).toMatchObject({ endpoint: undefined, uriStyle: 'host', region: 'us-east-1', path: '' });
  expect(backupKey(aws!, 'x')).toBe('x');
  expect(parseBackupStore({ 'access-key': 'a', 'secret-key': 'b', bucket: 'bkt', endpoint: 'http://10.1.1.1:7480' })?.uriStyle).toBe('path');
});

test.each([
  [{ 'secret-key': '' }, 'secret-key'],
  [{ 'access-key': '' }, 'access-key'],
  [{ bucket: '' }, 'bucket'],
  [{ bucket: 'Bad_Bucket' }, 'bucket'],
  [{ endpoint: 'not a url' }, 'endpoint'],
  [{ endpoint: 'ftp://x' }, 'endpoint'],
  [{ 's3-uri-style': 'virtual' }, 's3-uri-style'],
  [{ 'tls-ca-chain': '["not a cert"]' }, 'tls-ca-chain'],
  [{ 'tls-ca-chain': '{' }, 'tls-ca-chain'],
  [{ path: 'a/../b' }, 'path'],
])('malformed %j names the field', (change, field) => {
  const call = () => parseBackupStore({ ...data, ...change });
  expect(call).toThrow(RelationDataError);
  expect(call).toThrow(new RegExp(`^s3-credentials relation: ${field} `));
});
