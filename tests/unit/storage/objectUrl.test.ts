import { encodeKey, objectTarget } from '../../../src/storage/requests/objectUrl';

test('keys are URI-encoded as S3 canonicalises them: unreserved kept, / kept, everything else %XX upper case', () => {
  expect(encodeKey('a/b c/d')).toBe('a/b%20c/d');
  expect(encodeKey("!'()*")).toBe('%21%27%28%29%2A');
  expect(encodeKey('+%?#&=;:@$,')).toBe('%2B%25%3F%23%26%3D%3B%3A%40%24%2C');
  expect(encodeKey('AZaz09-_.~')).toBe('AZaz09-_.~');
  expect(encodeKey('é/日')).toBe('%C3%A9/%E6%97%A5');
  expect(encodeKey('dir/')).toBe('dir/');
  expect(encodeKey('a//b')).toBe('a//b');
});

test('path style puts the bucket in the path; the port defaults by scheme; a base path is kept', () => {
  expect(objectTarget(new URL('http://minio.kubeflow:9000'), true, 'mlpipeline', 'a b')).toEqual({ protocol: 'http:', hostname: 'minio.kubeflow', port: 9000, host: 'minio.kubeflow:9000', path: '/mlpipeline/a%20b' });
  expect(objectTarget(new URL('https://rgw.example.com/s3/'), true, 'b', 'k')).toEqual({ protocol: 'https:', hostname: 'rgw.example.com', port: 443, host: 'rgw.example.com', path: '/s3/b/k' });
});

test('virtual-host style puts the bucket in the host name, except where it cannot be a host label or the host is an IP', () => {
  expect(objectTarget(new URL('https://s3.eu-west-1.amazonaws.com'), false, 'ckf-backups', 'x/y')).toEqual({ protocol: 'https:', hostname: 'ckf-backups.s3.eu-west-1.amazonaws.com', port: 443, host: 'ckf-backups.s3.eu-west-1.amazonaws.com', path: '/x/y' });
  expect(objectTarget(new URL('https://s3.amazonaws.com'), false, 'with.dots', 'k').path).toBe('/with.dots/k');
  expect(objectTarget(new URL('https://s3.amazonaws.com'), false, 'Upper', 'k').path).toBe('/Upper/k');
  expect(objectTarget(new URL('http://10.0.0.5:7480'), false, 'bucket', 'k')).toMatchObject({ hostname: '10.0.0.5', path: '/bucket/k' });
  expect(objectTarget(new URL('http://[::1]:9000'), false, 'bucket', 'k')).toMatchObject({ hostname: '::1', host: '[::1]:9000', path: '/bucket/k' });
});
