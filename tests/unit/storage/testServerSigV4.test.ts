/**
 * The test S3 server's SigV4 check (tests/helpers/s3server/sigv4.cjs) against the worked example in the
 * AWS S3 documentation ("Signature Calculations for the Authorization Header", GET Object), and against
 * requests signed by the SDK's own signer.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../src/storage/requests/objectRequests';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifySigV4 } = require('../../helpers/s3server/sigv4.cjs') as { verifySigV4: (request: { method: string; url: string; headers: Record<string, string> }, secretFor: (id: string) => string | undefined) => { ok: boolean; code?: string } | undefined };

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const secretFor = (id: string) => (id === 'AKIAIOSFODNN7EXAMPLE' ? SECRET : undefined);

const example = {
  method: 'GET',
  url: '/test.txt',
  headers: {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
};

test("the AWS documentation's GET Object example verifies; any change to it does not", () => {
  expect(verifySigV4(example, secretFor)).toEqual({ ok: true });
  expect(verifySigV4({ ...example, url: '/test.txt2' }, secretFor)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  expect(verifySigV4({ ...example, headers: { ...example.headers, range: 'bytes=0-10' } }, secretFor)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  expect(verifySigV4(example, () => 'another secret')).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  expect(verifySigV4(example, () => undefined)).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' });
  expect(verifySigV4({ ...example, headers: { ...example.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }, secretFor)).toMatchObject({ ok: false, code: 'AuthorizationHeaderMalformed' });
  expect(verifySigV4({ ...example, headers: { host: 'h' } }, secretFor)).toBeUndefined();
});

test('requests signed by the SDK signer verify, with keys and queries that need encoding; a path encoded unlike S3 does not', async () => {
  const signer = new SignatureV4({ service: 's3', region: 'eu-west-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET }, sha256: NodeSha256, uriEscapePath: false });
  const sign = async (path: string, query: Record<string, string>) => {
    const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-run': 'a  b' } });
    const search = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    return { method: 'PUT', url: search ? `${path}?${search}` : path, headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])) };
  };
  expect(verifySigV4(await sign('/bkt/a%20b/%C3%A9%2B%21', { uploadId: 'x y', partNumber: '2' }), secretFor)).toEqual({ ok: true });
  // `!` left unencoded: S3 canonicalises it as %21, so the signature cannot match.
  expect(verifySigV4(await sign('/bkt/a!', {}), secretFor)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
});
