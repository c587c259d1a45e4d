// An S3 server for tests and benchmarks: s3rver on 127.0.0.1 in its own process, started by
// tests/helpers/s3server.ts with --openssl-legacy-provider (s3rver's continuation tokens use DES).
// Two fixes make it behave like real S3 where our code depends on it:
//  - listings are in UTF-8 binary key order and paged over that order (s3rver walks directories, so past
//    one page keys were skipped or listed twice);
//  - only the credentials given in the environment are accepted (s3rver's built-in S3RVER pair is revoked);
//  - SigV4 signatures are checked (sigv4.cjs; s3rver itself accepts any V4 signature);
//  - listings with encoding-type=url return URL-encoded keys, as S3 and MinIO do (s3rver ignores it).
'use strict';
const path = require('node:path');
const fs = require('node:fs/promises');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');
const AWSAccount = require('s3rver/lib/models/account');
const { verifySigV4 } = require('./sigv4.cjs');

const OBJECT_SUFFIX = '._S3rver_object';
const originalList = FilesystemStore.prototype.listObjects;

async function allKeys(dir, relative, out) {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    const name = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await allKeys(child, name, out);
    else if (entry.name.endsWith(OBJECT_SUFFIX)) out.push(name.slice(0, -OBJECT_SUFFIX.length));
  }
  return out;
}

// The sorted key list of a bucket is kept until the next write, so paging through a listing walks the
// directory tree once, not once per page (a real server's index does not get slower page by page).
let generation = 0;
const sortedKeys = new Map(); // bucket → { generation, keys: Buffer[] (sorted) }
for (const method of ['putObject', 'copyObject', 'deleteObject', 'putObjectMultipart', 'putBucket', 'deleteBucket']) {
  const original = FilesystemStore.prototype[method];
  FilesystemStore.prototype[method] = async function invalidatingListings(...args) {
    generation++;
    try {
      return await original.apply(this, args);
    } finally {
      generation++;
    }
  };
}

async function bucketKeys(store, bucket) {
  const cached = sortedKeys.get(bucket);
  if (cached && cached.generation === generation) return cached.keys;
  const seen = generation;
  const keys = (await allKeys(store.getBucketPath(bucket), '', [])).map((key) => Buffer.from(key)).sort(Buffer.compare);
  if (seen === generation) sortedKeys.set(bucket, { generation: seen, keys });
  return keys;
}

/** Index of the first key for which `isAfter` holds (keys sorted, `isAfter` monotonic): binary search. */
function firstIndex(keys, isAfter) {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (isAfter(keys[mid])) high = mid;
    else low = mid + 1;
  }
  return low;
}

FilesystemStore.prototype.listObjects = async function listObjectsSorted(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  // Our code never lists with a delimiter (s3rver's delimiter listings are wrong); keep s3rver's for others.
  if (delimiter) return originalList.call(this, bucket, options);
  const all = await bucketKeys(this, bucket);
  const prefixBytes = Buffer.from(prefix);
  const after = Buffer.from(startAfter);
  // Keys with the prefix are one contiguous run of the sorted list; start at the later of its first key
  // and the first key after startAfter.
  let index = Math.max(
    firstIndex(all, (key) => Buffer.compare(key, prefixBytes) >= 0),
    firstIndex(all, (key) => Buffer.compare(key, after) > 0),
  );
  const page = [];
  let truncated = false;
  for (; index < all.length && all[index].subarray(0, prefixBytes.length).equals(prefixBytes); index++) {
    if (page.length >= maxKeys) {
      truncated = true;
      break;
    }
    page.push(all[index].toString());
  }
  // All of a page's metadata read at once, as s3rver's own listing does (one at a time, a page took
  // ~0.5 s: ten times a real server's, and the benchmarks then measured little but this wait).
  const metadata = await Promise.all(
    page.map((key) =>
      this.getMetadata(bucket, key).catch((error) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      }),
    ),
  );
  const objects = page.flatMap((key, i) => (metadata[i] ? [new S3Object(bucket, key, null, metadata[i])] : []));
  return { objects, commonPrefixes: [], isTruncated: truncated };
};

/** S3's encoding-type=url: URL encoding with `/` kept and a space as `+` (so a `+` is %2B). */
function s3UrlEncode(value) {
  return encodeURIComponent(value).replace(/%2F/g, '/').replace(/%20/g, '+');
}

async function main() {
  const { S3_DIRECTORY: directory, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey } = process.env;
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
  const server = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3_PORT || 0), directory, silent: true, resetOnClose: false });
  // First in the chain, so a badly signed request is refused before s3rver acts on it.
  server.middleware.unshift(async (ctx, next) => {
    const verdict = verifySigV4({ method: ctx.method, url: ctx.req.url, headers: ctx.req.headers }, (id) => (id === accessKey ? secretKey : undefined));
    if (verdict && !verdict.ok) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message><RequestId>0</RequestId></Error>`;
      return;
    }
    await next();
  });
  // Just before the router (the last middleware), so it sees the listing before it is written as XML.
  server.middleware.splice(server.middleware.length - 1, 0, async (ctx, next) => {
    await next();
    const listing = ctx.body && ctx.body.ListBucketResult;
    if (ctx.query['encoding-type'] !== 'url' || !listing) return;
    listing.EncodingType = 'url';
    if (listing.Prefix) listing.Prefix = s3UrlEncode(listing.Prefix);
    for (const object of listing.Contents) object.Key = s3UrlEncode(object.Key);
  });
  const { port } = await server.run();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`s3 server failed: ${error.stack}\n`);
  process.exit(1);
});
