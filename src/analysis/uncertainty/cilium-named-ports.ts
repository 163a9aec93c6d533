/**
 * A pod whose containers declare one port name with several numbers (the Pod API asks for names
 * unique within the pod, but accepts the same name in two containers). Kubernetes' model matches a
 * named port against every declaration; Cilium keeps one number per name for an endpoint (its named
 * port map holds one entry per name, the last declaration written) and resolves a policy's named
 * port to that one only, for ingress at the pod and for egress to it. Which declaration is kept is
 * an implementation detail, so on the declared numbers of such a name the side is indeterminate,
 * wherever a policy of the manifests names the port.
 */
import { Uncertainty } from './overlay';
import { isKubernetesNetworkPolicy, isServedCiliumPolicy } from '../../util/vocabulary';
import { Endpoint, ManifestObject, SideQuery } from '../model';

/** The non-numeric `port` values of Kubernetes and Cilium policies (the named ports they use), and those of deny rules. */
function namedPortsInPolicies(manifests: ManifestObject[]): { used: Set<string>; denied: Set<string> } {
  const used = new Set<string>();
  const denied = new Set<string>();
  const visit = (value: unknown, inDeny: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => visit(v, inDeny));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'port' && typeof inner === 'string' && !/^[0-9]+$/.test(inner.trim())) {
          used.add(inner.trim());
          if (inDeny) denied.add(inner.trim());
        } else {
          visit(inner, inDeny || key === 'ingressDeny' || key === 'egressDeny');
        }
      }
    }
  };
  for (const obj of manifests) {
    if (isKubernetesNetworkPolicy(obj)) visit(obj.spec, false);
    if (isServedCiliumPolicy(obj)) visit([obj.spec, obj.specs], false);
  }
  return { used, denied };
}

/** The names of `used` the endpoint declares with more than one number for one protocol. */
function ambiguousNames(endpoint: Endpoint, used: ReadonlySet<string>): Map<string, number[]> {
  const numbers = new Map<string, Set<number>>();
  for (const np of endpoint.namedPorts) {
    if (!used.has(np.name)) continue;
    const key = `${np.name}/${np.protocol}`;
    numbers.set(key, (numbers.get(key) ?? new Set()).add(np.port));
  }
  return new Map([...numbers].filter(([, ports]) => ports.size > 1).map(([key, ports]) => [key, [...ports].sort((a, b) => a - b)]));
}

/** The uncertainty of the ambiguous named ports of the manifests' pods (none when no policy names a port). */
export function ciliumNamedPortUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const { used, denied } = namedPortsInPolicies(manifests);
  if (used.size === 0) return [];
  const cache = new WeakMap<Endpoint, Map<string, number[]>>();
  const ambiguous = (endpoint: Endpoint): Map<string, number[]> => {
    let found = cache.get(endpoint);
    if (!found) cache.set(endpoint, found = ambiguousNames(endpoint, used));
    return found;
  };
  const concerned = (q: SideQuery): boolean => {
    for (const [key, ports] of ambiguous(q.destination)) {
      if (key.endsWith(`/${q.protocol}`) && ports.includes(q.port)) return true;
    }
    return false;
  };
  return [{
    id: 'cilium-ambiguous-named-ports',
    note: `pods that declare a port name with several numbers (${[...used].sort().join(', ')} named by policies): Cilium keeps one number per `
      + 'name for a pod, so a policy naming the port applies to one of them only, and flows on those numbers are indeterminate',
    why: () => 'the destination declares a port name that a policy uses with several numbers, and Cilium resolves the name to one of them',
    appliesTo: (subject, direction) => direction === 'egress' || ambiguous(subject).size > 0,
    flows: concerned,
    // The model matches a named port on every declaration, Cilium on one: it can only allow less,
    // except where a deny rule names the port (Cilium then denies less).
    canAllow: () => denied.size > 0,
    canDeny: () => true,
  }];
}
