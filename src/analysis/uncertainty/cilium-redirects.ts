/**
 * Cilium objects that move traffic rather than allow or deny it, which no model evaluates:
 *
 * - CiliumLocalRedirectPolicy (docs.cilium.io "Local Redirect Policy"): traffic to its frontend (an
 *   address, or a Service's ClusterIP) is delivered to a pod on the sender's node instead, and Cilium
 *   enforces the sender's egress policy against that pod, not against the address. A flow to a
 *   frontend address is therefore indeterminate (either way: a CIDR allow no longer matches, an
 *   allow of the backend pods now does). A Service frontend whose ClusterIP the manifests do not
 *   state (kube-dns, for NodeLocal DNS) only gets a note: the analyzer cannot tell which address it is.
 * - CiliumEgressGatewayPolicy (docs.cilium.io "Egress Gateway"): matching traffic leaves the cluster
 *   from a gateway node with its egress IP. The pods' own policy verdicts are unchanged (the sender's
 *   egress policy is still enforced at the sender); what the destination sees as the source address
 *   is not modelled, which a note says.
 */
import { Uncertainty } from './overlay';
import { parseIpLoose } from '../../util/cidr';
import { CILIUM_GROUP, isKindOf, isPlainObject } from '../../util/vocabulary';
import { describeRef, Endpoint, ManifestObject, refOf } from '../model';

/** The normalized form of an address, or undefined when it is not one. */
function normalized(ip: unknown): string | undefined {
  return typeof ip === 'string' ? parseIpLoose(ip)?.toNormalizedString() : undefined;
}

/** The addresses of an endpoint (external targets carry one; pods and nodes may carry several). */
function addressesOf(endpoint: Endpoint): string[] {
  return [endpoint.ip, ...(endpoint.ips ?? [])].map(normalized).filter((a): a is string => a !== undefined);
}

/** The ClusterIPs a Service in the manifests states. */
function clusterIps(manifests: ManifestObject[], namespace: string, name: string): string[] {
  const service = manifests.find((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.metadata?.name === name
    && (o.metadata?.namespace ?? 'default') === namespace);
  const spec = service?.spec ?? {};
  return [spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])]
    .filter((ip) => ip !== 'None').map(normalized).filter((a): a is string => a !== undefined);
}

function portsText(toPorts: unknown): string {
  const ports = Array.isArray(toPorts) ? toPorts.filter(isPlainObject).map((p) => `${p.protocol ?? 'any'}/${p.port}`) : [];
  return ports.length > 0 ? ` (${ports.join(', ')})` : '';
}

/** A frontend address of a redirect: flows to it are indeterminate, from every sender. */
function redirectedAddresses(id: string, addresses: string[], what: string): Uncertainty {
  const set = new Set(addresses);
  return {
    id,
    note: `${id} redirects traffic to ${what} to pods on the sender's node, which the analyzer does not model: `
      + `flows to ${addresses.join(', ')} are indeterminate`,
    why: () => `${id} redirects traffic to ${addresses.join(', ')} to a node-local pod (local redirect is not evaluated)`,
    peers: (peer) => addressesOf(peer).some((a) => set.has(a)),
    appliesTo: (_subject, direction) => direction === 'egress',
    canAllow: () => true,
    canDeny: () => true,
  };
}

/** An object that changes no verdict the analyzer gives, only worth a note. */
function noteOnly(id: string, note: string): Uncertainty {
  return { id, note, why: () => note, peers: () => false, appliesTo: () => false, canAllow: () => false, canDeny: () => false };
}

/** The uncertainties and notes of local redirect and egress gateway policies, whatever the CNI analysed. */
export function ciliumRedirectUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    if (isKindOf(obj, CILIUM_GROUP, 'CiliumLocalRedirectPolicy')) {
      const id = describeRef(refOf(obj));
      const frontend = obj.spec?.redirectFrontend ?? {};
      const address = normalized(frontend.addressMatcher?.ip);
      const service = frontend.serviceMatcher;
      if (address !== undefined) {
        out.push(redirectedAddresses(id, [address], `${address}${portsText(frontend.addressMatcher?.toPorts)}`));
      } else if (isPlainObject(service) && typeof service.serviceName === 'string') {
        const namespace = typeof service.namespace === 'string' ? service.namespace : obj.metadata?.namespace ?? 'default';
        const what = `the Service ${namespace}/${service.serviceName}`;
        const ips = clusterIps(manifests, namespace, service.serviceName);
        out.push(ips.length > 0
          ? redirectedAddresses(id, ips, `${what}${portsText(service.toPorts)}`)
          : noteOnly(id, `${id} redirects traffic to ${what} to pods on the sender's node; its ClusterIP is not in the manifests, `
            + 'so flows to that address are not modelled (ask about the backend pods instead)'));
      }
    } else if (isKindOf(obj, CILIUM_GROUP, 'CiliumEgressGatewayPolicy')) {
      const id = describeRef(refOf(obj));
      const cidrs = Array.isArray(obj.spec?.destinationCIDRs) ? obj.spec.destinationCIDRs.join(', ') : 'its destinations';
      out.push(noteOnly(id, `${id} sends matching traffic to ${cidrs} out through a gateway node with its egress IP: the pods' policy verdicts `
        + 'are unchanged, but the source address the destination sees is not modelled'));
    }
  }
  return out;
}
