import WebSocket from 'ws';

/**
 * The name Juju clients verify a controller certificate against, whatever address they dialled
 * (juju/juju api.NewTLSConfig): controller certificates carry it as a SAN; their IPs may change.
 */
export const JUJU_APISERVER_NAME = 'juju-apiserver';

/**
 * jujulib opens its socket with `new wsclass(url)`: one argument, no options. This makes a `ws` class
 * with the TLS options bound in: only `caCert` is trusted, the name checked is `juju-apiserver`, and
 * verification cannot be turned off.
 */
/** The shape jujulib constructs: `new wsclass(url)`. */
export type WebSocketClass = new (url: string) => WebSocket;

export function verifiedWebSocketClass(caCert: string, handshakeTimeoutMs: number): WebSocketClass {
  // ws passes these options to tls.connect; @types/ws does not list `servername`.
  const options: WebSocket.ClientOptions & { servername: string } = {
    ca: caCert,
    servername: JUJU_APISERVER_NAME,
    rejectUnauthorized: true,
    handshakeTimeout: handshakeTimeoutMs,
  };
  return class VerifiedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, options);
    }
  };
}
