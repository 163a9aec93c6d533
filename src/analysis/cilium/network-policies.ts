/**
 * Kubernetes NetworkPolicies as Cilium enforces them (internal):
 *
 * - `ipBlock` peers become CIDR selectors, which by default never match pods, nodes or hostNetwork
 *   pods (https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based), and the
 *   Kubernetes exception for a pod's own node does not hold for egress;
 * - endpoints are matched as Cilium identities see them (./label-filter), with notes where dropped
 *   labels change the answer;
 * - egress named ports resolve over the pods of the whole cluster too (./egress-named-ports).
 */
import { EgressNamedPorts } from './egress-named-ports';
import { IdentityView, labelFilterNote } from './label-filter';
import { effectivePolicyTypes, MATCH_NOTHING_PEER, policyAllows, selectsEndpoint } from '../kubernetes/network-policy';
import { describeRef, ManifestObject, NamespaceIndex, refOf, SideQuery } from '../model';
import { NO, YES } from '../verdict';

/**
 * Cilium documents an automatic allow only for traffic from the local host to its endpoints
 * (allow-localhost, ingress); egress from an endpoint to its own host is policed like any peer, and
 * a NetworkPolicy ipBlock never selects it. The Kubernetes exception for a pod's own node
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/) is therefore not
 * applied to this direction.
 */
export const LOCAL_HOST_EGRESS_NOTE = 'egress to the local host is subject to policy under Cilium: only host-to-endpoint ingress is always '
  + 'allowed (allow-localhost), and ipBlock peers never select nodes; allow it with toEntities: [host]';

/**
 * Cilium turns NetworkPolicy `ipBlock` peers into CIDR selectors, which by default never match pods,
 * nodes or hostNetwork pods (https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based,
 * "Selecting nodes with CIDR / ipBlock"). For in-cluster peers each ipBlock peer is replaced by one
 * that matches nothing, keeping the rule's other peers.
 */
export function inClusterView(np: ManifestObject): ManifestObject {
  const strip = (rules: any): any => Array.isArray(rules)
    ? rules.map((r: any) => {
      const field = Array.isArray(r?.from) ? 'from' : Array.isArray(r?.to) ? 'to' : undefined;
      if (!field) return r;
      return { ...r, [field]: r[field].map((peer: any) => (peer?.ipBlock ? MATCH_NOTHING_PEER : peer)) };
    })
    : rules;
  const spec = { ...np.spec };
  if (spec.ingress !== undefined) spec.ingress = strip(spec.ingress);
  if (spec.egress !== undefined) spec.egress = strip(spec.egress);
  return { ...np, spec };
}

/** The query with its endpoints as Cilium identities see them (NetworkPolicy evaluation). */
export function viewQuery(q: SideQuery, view: IdentityView): SideQuery {
  return { ...q, subject: view.of(q.subject), peer: view.of(q.peer), destination: view.of(q.destination) };
}

/**
 * Why isolating NetworkPolicies may allow an egress flow by a named port the destination does not
 * declare: Cilium enforces them as its own rules and resolves their egress port names over the
 * pods of the whole cluster too (see egress-named-ports.ts). One entry per rule that may match.
 */
export function networkPolicyEgressNames(egressNames: EgressNamedPorts, view: IdentityView, namespaces: NamespaceIndex, q: SideQuery,
  isolating: ManifestObject[]): string[] {
  if (q.direction !== 'egress') return [];
  const out: string[] = [];
  for (const np of isolating) {
    const rules: any[] = Array.isArray(np.spec?.egress) ? np.spec.egress : [];
    rules.forEach((rule, i) => {
      const ports: any[] = Array.isArray(rule?.ports) ? rule.ports : [];
      const whys = ports
        .filter((p) => typeof p?.port === 'string' && (p.protocol ?? 'TCP') === q.protocol)
        .map((p) => egressNames.matches(String(p.port), q.port, q.protocol, q.destination))
        .filter((m): m is string => typeof m === 'string');
      if (whys.length === 0) return;
      const peersOnly = { ...np, spec: { ...np.spec, egress: [{ ...rule, ports: undefined }] } };
      if (policyAllows(peersOnly, viewQuery(q, view), namespaces) === NO) return;
      out.push(`${describeRef(refOf(np))} spec.egress[${i}]: ${whys[0]}`);
    });
  }
  return out;
}

/** Notes on the isolating NetworkPolicies that would allow the flow but for the peer's dropped labels. */
export function filteredNetworkPolicyPeerNotes(q: SideQuery, nps: ManifestObject[], view: IdentityView, namespaces: NamespaceIndex): string[] {
  const viewed = viewQuery(q, view);
  const type = q.direction === 'ingress' ? 'Ingress' : 'Egress';
  return nps
    .filter((np) => effectivePolicyTypes(np).includes(type) && selectsEndpoint(np, viewed.subject)
      && policyAllows(np, { ...viewed, peer: q.peer }, namespaces) === YES)
    .map((np) => labelFilterNote(`${describeRef(refOf(np))} spec.${q.direction}`, q.peer));
}
