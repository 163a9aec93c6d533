/**
 * How an Istio sidecar's inbound listener serves a port (internal; ./istio-inbound-protocol decides it
 * from the Services, ./istio-sidecar-ingress from a Sidecar resource's ingress listeners): `http` (the
 * HTTP connection manager), `tcp` (the TCP chain: RBAC network filter), `detected` (sniffed per
 * connection), `unknown` (what decides it is not in the manifests, or sources disagree).
 */
export type InboundProtocol = 'http' | 'tcp' | 'detected' | 'unknown';

const HTTP_PROTOCOLS = new Set(['http', 'http2', 'http_proxy', 'grpc', 'grpc-web']);
const TCP_PROTOCOLS = new Set(['tcp', 'https', 'tls', 'mongo', 'redis', 'mysql']);

/**
 * The filter chain istiod gives a protocol name it knows (lower case): `http` (HTTP connection
 * manager) for http, http2, http_proxy, grpc and grpc-web; `tcp` for tcp, https, tls, mongo, redis
 * and mysql (pilot networking `ModelProtocolToListenerProtocol`); undefined for any other name.
 */
export function knownProtocolChain(name: string): 'http' | 'tcp' | undefined {
  return HTTP_PROTOCOLS.has(name) ? 'http' : TCP_PROTOCOLS.has(name) ? 'tcp' : undefined;
}
