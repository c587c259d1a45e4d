// An S3 server for tests and benchmarks: s3rver on 127.0.0.1 in its own process, started by
// tests/helpers/s3server.ts with --openssl-legacy-provider (s3rver's continuation tokens use DES).
// Two fixes make it behave like real S3 where our code depends on it:
//  - listings are in UTF-8 binary key order and paged over that order (s3rver walks directories, so past
//    one page keys were skipped or listed twice);
//  - only the credentials given in the environment are accepted (s3rver's built-in S3RVER pair is revoked).
'use strict';
const path = require('node:path');
const fs = require('node:fs/promises');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');
const AWSAccount = require('s3rver/lib/models/account');

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

FilesystemStore.prototype.listObjects = async function listObjectsSorted(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  // Our code never lists with a delimiter (s3rver's delimiter listings are wrong); keep s3rver's for others.
  if (delimiter) return originalList.call(this, bucket, options);
  const after = Buffer.from(startAfter);
  const keys = (await allKeys(this.getBucketPath(bucket), '', []))
    .filter((key) => key.startsWith(prefix) && Buffer.compare(Buffer.from(key), after) > 0)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const page = keys.slice(0, maxKeys);
  const objects = [];
  for (const key of page) {
    const metadata = await this.getMetadata(bucket, key).catch((error) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (metadata) objects.push(new S3Object(bucket, key, null, metadata));
  }
  return { objects, commonPrefixes: [], isTruncated: keys.length > page.length };
};

async function main() {
  const { S3_DIRECTORY: directory, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey } = process.env;
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
  const server = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3_PORT || 0), directory, silent: true, resetOnClose: false });
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
