import { minioEndpoint, parseMinio } from '../../../src/relations/minio';
import { RelationDataError } from '../../../src/relations/relationDataError';
import { minioAppData } from '../../helpers/relationData';

const options = { defaultNamespace: 'kubeflow' };

test('parses the SDI data MinIO publishes into an in-cluster endpoint', () => {
  const store = parseMinio(minioAppData({ accessKey: 'minio', secretKey: 'minio-secret' }), options);
  expect(store).toEqual({ service: 'minio', namespace: 'kubeflow', port: 9000, secure: false, accessKey: 'minio', secretKey: 'minio-secret', endpoint: 'http://minio.kubeflow.svc.cluster.local:9000' });
  expect(minioEndpoint(store!)).toMatchObject({ forcePathStyle: true, endpoint: 'http://minio.kubeflow.svc.cluster.local:9000' });
});

test('secure → https; the config override wins; a missing namespace is the model', () => {
  expect(parseMinio(minioAppData({ accessKey: 'a', secretKey: 'b', secure: true, port: 9443 }), options)?.endpoint).toBe('https://minio.kubeflow.svc.cluster.local:9443');
  expect(parseMinio(minioAppData({ accessKey: 'a', secretKey: 'b' }), { ...options, endpointOverride: 'http://127.0.0.1:9000' })?.endpoint).toBe('http://127.0.0.1:9000');
  expect(parseMinio({ data: 'access-key: a\nsecret-key: b\nservice: minio\nport: 9000\n' }, { defaultNamespace: 'kf' })?.namespace).toBe('kf');
});

test('no data yet: undefined (waiting)', () => {
  expect(parseMinio({ _supported_versions: '- v1\n' }, options)).toBeUndefined();
});

test.each([
  ['data', '- a list'],
  ['data', 'key: [unclosed'],
  ['secret-key', 'access-key: a\nservice: minio\nport: 9000\n'],
  ['port', 'access-key: a\nsecret-key: b\nservice: minio\nport: http\n'],
  ['secure', 'access-key: a\nsecret-key: b\nservice: minio\nport: 9000\nsecure: maybe\n'],
  ['service', 'access-key: a\nsecret-key: b\nservice: minio.evil.com\nport: 9000\n'],
  ['namespace', 'access-key: a\nsecret-key: b\nservice: minio\nnamespace: "../x"\nport: 9000\n'],
])('malformed data names %s', (field, data) => {
  const call = () => parseMinio({ data }, options);
  expect(call).toThrow(RelationDataError);
  expect(call).toThrow(new RegExp(`^object-storage relation: ${field} `));
});
