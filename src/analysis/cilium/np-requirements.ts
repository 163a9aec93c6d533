/**
 * NetworkPolicies under the `fromRequires` / `toRequires` of Cilium 1.18. The agent keeps a
 * NetworkPolicy in the same policy repository as Cilium rules (cilium/cilium pkg/k8s/network_policy.go
 * `ParseNetworkPolicy`: pod and namespace peers become fromEndpoints/toEndpoints selectors, a rule
 * without peers the wildcard endpoint selector, ipBlock peers fromCIDRSet/toCIDRSet), and the
 * requirements of every rule selecting the pod join each endpoint selector of the rules that apply to
 * it (pkg/policy/rules.go `resolveL4IngressPolicy`; api `GetSourceEndpointSelectorsWithRequirements`
 * leaves CIDR selectors alone). For a peer that fails the requirements, a NetworkPolicy therefore only
 * allows through its ipBlock peers.
 */
import { MATCH_NOTHING_PEER } from '../kubernetes/network-policy';
import { ManifestObject } from '../model';

const cache = new WeakMap<object, ManifestObject>();

/** The NetworkPolicy with only its ipBlock peers: rules without peers, or with label peers only, match nothing. */
export function ipBlockPeersOnly(np: ManifestObject): ManifestObject {
  const cached = cache.get(np);
  if (cached) return cached;
  const narrow = (rules: any, field: 'from' | 'to'): any => (Array.isArray(rules)
    ? rules.map((r: any) => {
      const peers: any[] = Array.isArray(r?.[field]) ? r[field].filter((p: any) => p?.ipBlock) : [];
      return { ...r, [field]: peers.length > 0 ? peers : [MATCH_NOTHING_PEER] };
    })
    : rules);
  const spec = { ...np.spec };
  if (spec.ingress !== undefined) spec.ingress = narrow(spec.ingress, 'from');
  if (spec.egress !== undefined) spec.egress = narrow(spec.egress, 'to');
  const view = { ...np, spec };
  cache.set(np, view);
  return view;
}
