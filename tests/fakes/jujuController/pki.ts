import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away certificate authority and a server certificate it signed, generated at test time. */
export interface TestPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/**
 * The names a Juju controller certificate carries. Juju clients verify the controller certificate
 * against the controller CA with the server name "juju-apiserver", whatever address they dialled.
 */
export const JUJU_APISERVER_NAME = 'juju-apiserver';

async function openssl(args: string[], cwd: string): Promise<void> {
  await execa('openssl', args, { cwd });
}

/** Generates a CA (CN=`caName`) and a server certificate for `juju-apiserver`, `localhost`, 127.0.0.1. */
export async function createTestPki(caName = 'juju-ca-test'): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-juju-pki-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${caName}`], dir);
    await openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${JUJU_APISERVER_NAME}`], dir);
    await writeFile(
      join(dir, 'server.ext'),
      `subjectAltName=DNS:${JUJU_APISERVER_NAME},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
    );
    await openssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
        '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
      dir,
    );
    const [caCertPem, serverCertPem, serverKeyPem] = await Promise.all(
      ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(join(dir, name), 'utf8')),
    );
    return { caCertPem: caCertPem!, serverCertPem: serverCertPem!, serverKeyPem: serverKeyPem! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
