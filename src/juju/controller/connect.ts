import { connect, type Client } from '@canonical/jujulib';
import ActionFacade from '@canonical/jujulib/dist/api/facades/action/index.js';
import ApplicationFacade from '@canonical/jujulib/dist/api/facades/application/index.js';
import ClientFacade from '@canonical/jujulib/dist/api/facades/client/index.js';
import { X509Certificate } from 'node:crypto';
import type WebSocket from 'ws';
import { InvalidInputError } from '../../errors';
import {
  ControllerAccessError,
  ControllerAuthenticationError,
  ControllerCallError,
  ControllerTlsError,
  ControllerUnreachableError,
  ModelAccessDeniedError,
  ModelNotFoundError,
} from './errors';
import { ModelClient, type ModelFacades } from './modelClient';
import { redactedMessage } from '../../util/redact';
import type { ConnectOptions, ControllerCredentials, ControllerEndpoint } from './types';
import { verifiedWebSocketClass } from './verifiedWebsocket';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** Node's codes for a certificate that did not verify. */
const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** jujulib (client.js) replaces these two Juju login errors by its own sentences; we match both forms. */
const BAD_PASSWORD = [/invalid entity name or password/i, /Have you been granted permission to a model/i];
const NO_MODEL_ACCESS = [/^permission denied/i, /given 'login' permission/i];

/** Why one address did not give us a connection. */
type AttemptFailure =
  | { kind: 'tls'; address: string; detail: string }
  | { kind: 'unreachable'; address: string; detail: string };

class AttemptTimeout extends Error {}

/**
 * Connects to `wss://<address>/model/<uuid>/api` for each address in turn and logs in. The first
 * address that answers wins. Definitive refusals (password, model access, unknown model) stop at once;
 * network and TLS failures move on to the next address. Throws a ControllerAccessError subclass.
 */
export async function connectToModel(
  credentials: ControllerCredentials,
  endpoint: ControllerEndpoint,
  options: ConnectOptions = {},
): Promise<ModelClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const modelName = endpoint.modelName ?? 'kubeflow';
  validate(credentials, endpoint);
  const secrets = [credentials.password];
  const failures: AttemptFailure[] = [];

  for (const address of endpoint.addresses) {
    const url = `wss://${address}/model/${endpoint.modelUuid}/api`;
    let socket: WebSocket | undefined;
    let socketError: Error | undefined;
    let juju: Client | undefined;
    const deadline = Date.now() + connectTimeoutMs;
    try {
      juju = await withDeadline(
        connect(url, {
          wsclass: verifiedWebSocketClass(credentials.caCert, connectTimeoutMs) as unknown as typeof globalThis.WebSocket,
          facades: [ActionFacade, ApplicationFacade, ClientFacade],
          closeCallback: () => undefined,
          debug: false,
          onWSCreated: (ws) => {
            socket = ws as unknown as WebSocket;
            // Replaces jujulib's handler (it console.logs the event); the error decides the message below.
            ws.onerror = (event) => {
              socketError = (event as unknown as { error?: Error }).error ?? new Error('WebSocket error');
            };
          },
        }),
        deadline,
      );
      const conn = await withDeadline(
        juju.login({ username: credentials.username, password: credentials.password }, endpoint.clientVersion),
        deadline,
      );
      if (!conn) throw new ControllerAuthenticationError('the controller asked for a macaroon discharge instead of a password login');
      const facades = conn.facades as unknown as Partial<ModelFacades>;
      const missing = (['action', 'application', 'client'] as const).filter((name) => !facades[name]);
      if (missing.length > 0) {
        throw new ControllerCallError(
          `the controller at ${address} (Juju ${conn.info.serverVersion ?? 'unknown'}) offers no version of the ${missing.join(', ')} facade(s) this charm speaks`,
        );
      }
      const client = juju;
      return new ModelClient({
        facades: facades as ModelFacades,
        close: () => client.logout(),
        serverVersion: conn.info.serverVersion ?? 'unknown',
        address,
        username: credentials.username,
        modelName,
        callTimeoutMs,
        secrets,
      });
    } catch (error) {
      juju?.logout();
      socket?.terminate();
      if (error instanceof ControllerAccessError || error instanceof ControllerCallError) throw error;
      const refusal = loginRefusal(error, credentials.username, endpoint, modelName, secrets);
      if (refusal) throw refusal;
      failures.push(attemptFailure(address, error, socketError, connectTimeoutMs, secrets));
    }
  }
  throw accessFailure(failures, endpoint.addresses);
}

function validate(credentials: ControllerCredentials, endpoint: ControllerEndpoint): void {
  if (endpoint.addresses.length === 0) {
    throw new InvalidInputError('no Juju controller address (JUJU_API_ADDRESSES is empty)');
  }
  if (!credentials.username || !credentials.password) {
    throw new InvalidInputError('the controller credentials secret has no username or no password');
  }
  try {
    new X509Certificate(credentials.caCert);
  } catch (error) {
    throw new InvalidInputError('the ca-cert in the controller credentials secret is not a PEM certificate', {
      hint: 'Put the CA certificate that `juju show-controller` prints (ca-cert) into the secret',
      cause: error,
    });
  }
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout('timed out')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function loginRefusal(
  error: unknown,
  username: string,
  endpoint: ControllerEndpoint,
  modelName: string,
  secrets: readonly string[],
): ControllerAccessError | undefined {
  if (error instanceof AttemptTimeout) return undefined;
  const message = redactedMessage(error, secrets);
  if (BAD_PASSWORD.some((re) => re.test(message))) {
    return new ControllerAuthenticationError(`the Juju controller refused the password of user ${username}`, {
      hint: `Set a new one with \`juju change-user-password ${username}\` and re-create the credentials secret with it`,
    });
  }
  if (NO_MODEL_ACCESS.some((re) => re.test(message))) {
    return new ModelAccessDeniedError(`Juju user ${username} has no access to model ${modelName}`, {
      hint: `Grant it: juju grant ${username} admin ${modelName}`,
    });
  }
  if (/unknown model|model not found/i.test(message)) {
    return new ModelNotFoundError(`the controller does not know model ${endpoint.modelUuid}`, {
      hint: 'The credentials must be for the controller that runs this model',
    });
  }
  return undefined;
}

function attemptFailure(
  address: string,
  error: unknown,
  socketError: Error | undefined,
  connectTimeoutMs: number,
  secrets: readonly string[],
): AttemptFailure {
  const cause = socketError ?? (error instanceof Error ? error : undefined);
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = cause ? redactedMessage(cause, secrets) : redactedMessage(error, secrets);
  if (TLS_ERROR_CODES.has(code) || /certificate/i.test(detail)) return { kind: 'tls', address, detail };
  if (error instanceof AttemptTimeout && !socketError) {
    return { kind: 'unreachable', address, detail: `no answer within ${connectTimeoutMs} ms` };
  }
  return { kind: 'unreachable', address, detail: code ? `${code}: ${detail}` : detail };
}

function accessFailure(failures: AttemptFailure[], addresses: readonly string[]): ControllerAccessError {
  const tls = failures.filter((f) => f.kind === 'tls');
  if (tls.length > 0) {
    return new ControllerTlsError(
      `TLS verification of the Juju controller failed (${tls.map((f) => `${f.address}: ${f.detail}`).join('; ')})`,
      { hint: 'The secret\'s ca-cert must be the controller CA: copy ca-cert from `juju show-controller` into the secret' },
    );
  }
  return new ControllerUnreachableError(
    `cannot reach the Juju controller at ${addresses.join(', ')} (${failures.map((f) => `${f.address}: ${f.detail}`).join('; ')})`,
    { hint: 'Check that the controller is up and that this unit can reach JUJU_API_ADDRESSES' },
  );
}
