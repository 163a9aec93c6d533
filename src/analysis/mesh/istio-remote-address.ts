/**
 * Who sets the remote address an Istio AuthorizationPolicy matches (internal). remoteIpBlocks,
 * notRemoteIpBlocks and the condition `remote.ip` read Envoy's downstream remote address (istio authz
 * model `remoteIPGenerator`: RBAC principal `remote_ip`); ipBlocks, notIpBlocks and `source.ip` read
 * the connection's peer (`srcIPGenerator`: `direct_remote_ip`), which no header changes.
 *
 * - Sidecar, HTTP filter chain: the inbound HTTP connection manager has `use_remote_address: false`
 *   and no trusted hops (pilot networking/core listener_inbound `buildSidecarInboundHTTPOpts`), so the
 *   remote address is the last entry of the request's X-Forwarded-For, else the peer (Envoy docs
 *   "HTTP header manipulation", x-forwarded-for). The client's own sidecar leaves the header as it is
 *   (`use_remote_address: false` outbound too): a client speaking HTTP to the port picks the address.
 * - Sidecar, TCP filter chain (./istio-inbound-protocol): the RBAC network filter has no headers;
 *   the remote address is the peer.
 * - Gateway: `use_remote_address: true` with `xff_num_trusted_hops` = meshConfig
 *   `defaultConfig.gatewayTopology.numTrustedProxies` (or the pod's `proxy.istio.io/config`; pilot
 *   networking/core gateway `buildGatewayConnectionManager`): 0 (the default) is the peer, N > 0 the
 *   Nth entry from the right of X-Forwarded-For, which a client connecting straight to the gateway
 *   writes. That setting is not in the manifests.
 * - ztunnel: istiod leaves these attributes out of what it sends ztunnel (./istio-ztunnel).
 */
import * as ipaddr from 'ipaddr.js';
import { InboundProtocols } from './istio-inbound-protocol';
import { familiesHeldWhole, parseIpLoose } from '../../util/cidr';
import { Endpoint } from '../model';
import { NO, Tri, YES } from '../verdict';

/** The action of the policy a rule belongs to (AUDIT decides nothing and is never matched). */
export type RuleAction = 'ALLOW' | 'DENY' | 'CUSTOM';

/**
 * Is the pod an Istio gateway: a Gateway API deployment istiod creates
 * (`gateway.networking.k8s.io/gateway-name`), or one of the gateway chart, which injects the
 * `gateway` template (`inject.istio.io/templates`) and labels the pod `istio: <release without
 * istio->` (manifests/charts/gateway `_helpers.tpl`), `ingressgateway` by convention.
 */
export function isIstioGateway(destination: Endpoint): boolean {
  const istio = destination.labels.istio;
  return destination.labels['gateway.networking.k8s.io/gateway-name'] !== undefined
    || destination.annotations?.['inject.istio.io/templates'] === 'gateway'
    || istio === 'ingressgateway' || istio === 'eastwestgateway' || istio === 'egressgateway';
}

/**
 * Why a client picks the remote address of a connection to the Istio sidecar (or gateway) of
 * `destination` on `port`, when the question names no request; undefined when the address is the
 * peer's whatever the client sends.
 */
export function clientPicksRemoteAddress(destination: Endpoint, port: number, protocols: InboundProtocols): string | undefined {
  if (isIstioGateway(destination)) {
    return 'the destination is an Istio gateway, whose remote address is the peer unless meshConfig gatewayTopology numTrustedProxies (or the '
      + 'pod\'s proxy.istio.io/config) is above 0; then it comes from X-Forwarded-For, which a client connecting directly writes. That setting is not '
      + 'in the manifests, so the address matched here is not known';
  }
  const inbound = protocols.of(destination, port);
  if (inbound.protocol === 'tcp') return undefined;
  if (inbound.protocol === 'unknown') {
    return `whether the sidecar serves port ${port} as HTTP, where a client picks the remote address by the last entry of its X-Forwarded-For `
      + `header, or as TCP, where it is the peer, is not known: ${inbound.why}`;
  }
  return `a client speaking HTTP to port ${port} (${inbound.why}) writes the remote address: the sidecar takes the last entry of its X-Forwarded-For `
    + 'header (Envoy use_remote_address false on sidecar inbound), so the client picks the address matched here';
}

/** Do the blocks hold every address (an IPv4 and an IPv6 /0)? Only then can no address miss them. */
export function everyAddress(blocks: readonly string[]): boolean {
  return familiesHeldWhole(blocks).size === 2;
}

/**
 * Can a client that picks the remote address turn a part of a rule the way that lets its request
 * through: `truth` is the part with the peer's address (no header); an ALLOW rule lets it through by
 * matching, a DENY rule by not matching, a CUSTOM rule's external authorizer either way.
 */
export function clientCanTurn(truth: Tri, canMatch: boolean, canMiss: boolean, action: RuleAction): boolean {
  return (truth === NO && canMatch && action !== 'DENY') || (truth === YES && canMiss && action !== 'ALLOW');
}

/** What a request's X-Forwarded-For makes the remote address: an address, or why it is not known. */
export type ForwardedRemote = { readonly address: string } | { readonly unknown: string };

/**
 * The remote address at the sidecar (or gateway) of `destination` for a request carrying
 * X-Forwarded-For `header`; undefined when it is the peer's (a port every Service declares TCP, whose
 * RBAC network filter reads no header). A sidecar takes the text after the header's last comma,
 * trimmed of ASCII whitespace (Envoy `Utility::getLastAddressFromXFF`); only a plain IPv4 or IPv6
 * address is evaluated, since Envoy's address parser and ours may read other forms differently.
 */
export function forwardedRemoteAddress(destination: Endpoint, port: number, protocols: InboundProtocols,
  header: string): ForwardedRemote | undefined {
  if (isIstioGateway(destination)) {
    return {
      unknown: 'the request carries X-Forwarded-For, from which an Istio gateway takes the remote address as many hops back as meshConfig '
      + 'gatewayTopology numTrustedProxies says, which is not in the manifests; not evaluated',
    };
  }
  const inbound = protocols.of(destination, port);
  if (inbound.protocol === 'tcp') return undefined;
  if (inbound.protocol === 'unknown') {
    return {
      unknown: `the request carries X-Forwarded-For, from which the sidecar takes the remote address only if it serves port ${port} as HTTP (else `
        + `the peer): ${inbound.why}; not evaluated`,
    };
  }
  // Envoy trims only its ASCII whitespace (StringUtil::ltrim/rtrim: space, \t, \f, \v, \n, \r), not
  // the wider set String.prototype.trim removes (a no-break space stays, and the entry is no address).
  const last = header.slice(header.lastIndexOf(',') + 1).replace(/^[ \t\f\v\n\r]+|[ \t\f\v\n\r]+$/g, '');
  const ip = parseIpLoose(last);
  const plain = ip !== undefined && (ip.kind() === 'ipv4' ? last.split('.').every((octet) => octet === '0' || !octet.startsWith('0'))
    : !(ip as ipaddr.IPv6).isIPv4MappedAddress());
  if (plain) return { address: last };
  return {
    unknown: `the last entry of the request's X-Forwarded-For ('${last}'), from which the sidecar takes the remote address, is not a plain IP `
    + 'address; not evaluated',
  };
}
