/**
 * How an Istio sidecar's inbound listener serves a port (internal; ./istio-inbound-protocol decides it
 * from the Services, ./istio-sidecar-ingress from a Sidecar resource's ingress listeners): `http` (the
 * HTTP connection manager), `tcp` (the TCP chain: RBAC network filter), `detected` (sniffed per
 * connection), `unknown` (what decides it is not in the manifests, or sources disagree).
 */
export type InboundProtocol = 'http' | 'tcp' | 'detected' | 'unknown';
