/**
 * Starts an S3 server (s3rver, see s3server/child.cjs) on a free loopback port in its own process, with
 * its own credentials and data directory. Used by tests, the sandbox and the benchmarks.
 */
import { execaNode, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Endpoint } from '../../src/storage/endpoint';

export interface S3TestServer {
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  directory: string;
  /** As the storage code takes it (path style, us-east-1). */
  s3Endpoint: S3Endpoint;
  close(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 's3server/child.cjs');

export async function startS3Server(options: { accessKey?: string; secretKey?: string; directory?: string; port?: number } = {}): Promise<S3TestServer> {
  const accessKey = options.accessKey ?? 'test-access-key';
  const secretKey = options.secretKey ?? 'test-secret-key';
  // s3rver keeps every object and its metadata as files: in memory (/dev/shm) it serves about twice as
  // many requests per second, which keeps tests quick and benchmarks about the client, not the disk.
  const directory = options.directory ?? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 's3rver-'));
  const child: ResultPromise = execaNode(CHILD, [], {
    nodeOptions: ['--openssl-legacy-provider', '--no-warnings'],
    env: { S3_DIRECTORY: directory, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey, S3_PORT: String(options.port ?? 0) },
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    void child.then((result) => reject(new Error(`s3 server exited (${String(result.exitCode)}): ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    accessKey,
    secretKey,
    directory,
    s3Endpoint: { endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: accessKey, secretAccessKey: secretKey, caCertificates: undefined },
    async close() {
      child.kill('SIGTERM');
      await child;
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
