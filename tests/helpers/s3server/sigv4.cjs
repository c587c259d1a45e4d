// AWS Signature Version 4 verification for the test S3 server. s3rver checks V2 signatures but accepts
// any V4 signature ("V4 signatures have incomplete support"), so without this a client that signs wrongly
// (a key encoded differently from S3, a header left out) would pass every test and fail on real S3.
// Written from the AWS SigV4 specification, server side: the server decodes the path it received and
// encodes it again the S3 way, so a client that encodes differently from S3 fails, as it would on S3.
// Header-signed requests only (presigned URLs go to s3rver's own checks). The payload hash is taken
// from x-amz-content-sha256 as sent (the body is not read here).
'use strict';
const { createHash, createHmac, timingSafeEqual } = require('node:crypto');

/** S3's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ as %XX; `/` kept when `keepSlash`. */
function s3Encode(text, keepSlash) {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

function canonicalQuery(query) {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
      return [s3Encode(name, false), s3Encode(value, false)];
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/**
 * `request`: { method, url (raw request target), headers (lower-case names, as node:http gives them) }.
 * `secretFor(accessKeyId)` → the secret, or undefined for an unknown key.
 * Returns undefined when the request is not header-signed with SigV4 (nothing to check here),
 * { ok: true } or { ok: false, code, message }.
 */
function verifySigV4(request, secretFor) {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !authorization.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const fields = Object.fromEntries(
    authorization
      .slice('AWS4-HMAC-SHA256 '.length)
      .split(',')
      .map((part) => part.trim().split('=')),
  );
  const [accessKeyId, date, region, service, terminal] = String(fields.Credential ?? '').split('/');
  const signedHeaders = String(fields.SignedHeaders ?? '');
  const amzDate = request.headers['x-amz-date'];
  if (!accessKeyId || !date || !region || !service || terminal !== 'aws4_request' || !signedHeaders || !fields.Signature || typeof amzDate !== 'string') {
    return { ok: false, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
  }
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const [rawPath, rawQuery = ''] = request.url.split(/\?(.*)/s);
  let path;
  try {
    path = s3Encode(decodeURIComponent(rawPath), true);
  } catch {
    return { ok: false, code: 'InvalidURI', message: 'Could not parse the specified URI.' };
  }
  const names = signedHeaders.split(';');
  const headers = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = request.headers['x-amz-content-sha256'] ?? createHash('sha256').digest('hex');
  const canonicalRequest = [request.method, path, canonicalQuery(rawQuery), headers, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign);
  const provided = Buffer.from(String(fields.Signature), 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return { ok: true };
}

module.exports = { verifySigV4, s3Encode };
