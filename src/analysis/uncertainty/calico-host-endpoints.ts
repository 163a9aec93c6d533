/**
 * Calico host endpoint policy, which the Calico model does not evaluate
 * (https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts): once a cluster has
 * HostEndpoints (objects in the manifests, or created automatically when KubeControllersConfiguration
 * sets `controllers.node.hostEndpoint.autoCreate: Enabled`), GlobalNetworkPolicies selecting them
 * police the nodes' own traffic, and those with `applyOnForward`, `preDNAT` or `doNotTrack` also
 * police traffic forwarded through the node to and from pods. The sides such a policy could change
 * are indeterminate: node and hostNetwork-pod sides for every GlobalNetworkPolicy that may select a
 * host endpoint, pod sides (except traffic from the pod's own host) for the forwarding ones.
 *
 * An explicit HostEndpoint also denies, by itself, whatever no policy or profile allows on its node
 * (failsafe ports excepted: https://docs.tigera.io/calico/latest/reference/host-endpoints/connectivity,
 * ".../failsafe"), so it makes node and hostNetwork-pod sides indeterminate even without a
 * selecting policy. Automatic host endpoints carry the `projectcalico-default-allow` profile
 * (https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes) and deny nothing on
 * their own; an explicit one with that profile neither.
 */
import { isNodeLike, Uncertainty } from './overlay';
import { CALICO_GROUP, isCalicoHostEndpoint, isKindOf, isPlainObject, isServedCalicoPolicy } from '../../util/vocabulary';
import { calicoCanAllow, calicoPolicyTypes } from '../calico/calico-policy';
import { parseCalicoSelector } from '../calico/selector';
import { describeRef, ManifestObject, refOf, isPodNetworkEndpoint, isLocalNode } from '../model';

/** The profile Calico gives automatic host endpoints: allow everything no policy decides. */
const DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

/** Labels of every HostEndpoint; `undefined` in the list stands for automatic ones (labels unknown). */
function hostEndpointLabels(manifests: ManifestObject[]): Array<Record<string, string> | undefined> {
  const out: Array<Record<string, string> | undefined> = [];
  for (const obj of manifests) {
    if (isCalicoHostEndpoint(obj)) out.push(isPlainObject(obj.metadata?.labels) ? obj.metadata!.labels as Record<string, string> : {});
    if (isKindOf(obj, CALICO_GROUP, 'KubeControllersConfiguration')
      && obj.spec?.controllers?.node?.hostEndpoint?.autoCreate === 'Enabled') out.push(undefined);
  }
  return out;
}

function mayMatchSomeHost(selector: unknown, hosts: Array<Record<string, string> | undefined>): boolean {
  const text = typeof selector === 'string' && selector.trim() !== '' ? selector : 'all()';
  let sel;
  try {
    sel = parseCalicoSelector(text);
  } catch {
    return false;
  }
  return hosts.some((labels) => labels === undefined || sel.matches(labels));
}

/** The uncertainties host endpoint policy adds under `Cni.calico()`. */
export function calicoHostEndpointUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const hosts = hostEndpointLabels(manifests);
  if (hosts.length === 0) return [];
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    if (!isCalicoHostEndpoint(obj)) continue;
    const profiles: unknown = obj.spec?.profiles;
    if (Array.isArray(profiles) && profiles.includes(DEFAULT_ALLOW_PROFILE)) continue;
    const id = describeRef(refOf(obj));
    out.push({
      id,
      note: `${id} is a host endpoint: traffic of its node that no policy or profile allows is denied (failsafe ports excepted), `
        + 'which is not evaluated: node and hostNetwork-pod flows are indeterminate',
      why: () => `${id} may deny traffic of a node on the path (a host endpoint denies what nothing allows; not evaluated)`,
      appliesTo: (subject) => isNodeLike(subject),
      canAllow: () => false,
      canDeny: () => true,
      peers: (peer) => !isLocalNode(peer),
      // A host's traffic to its own pods skips host endpoint policy (felix/rules/static.go
      // filterOutputChain returns before it for workload interfaces; eBPF suppresses host policy for
      // host -> workload, felix/bpf/polprog).
      flows: (query) => !(isLocalNode(query.subject) && isPodNetworkEndpoint(query.peer)),
      subjectKey: (subject) => (isLocalNode(subject) ? 'local' : ''),
    });
  }
  for (const obj of manifests) {
    if (!isServedCalicoPolicy(obj) || obj.kind !== 'GlobalNetworkPolicy' || !mayMatchSomeHost(obj.spec?.selector, hosts)) continue;
    const spec = obj.spec ?? {};
    const id = describeRef(refOf(obj));
    const canAllow = calicoCanAllow(spec);
    const forwarding = spec.applyOnForward === true || spec.preDNAT === true || spec.doNotTrack === true;
    const types = calicoPolicyTypes(spec);
    const flags = ['applyOnForward', 'preDNAT', 'doNotTrack'].filter((f) => spec[f] === true).join(', ');
    out.push({
      id,
      note: `${id} may select Calico host endpoints, whose policy is not evaluated: node and hostNetwork-pod flows`
        + `${forwarding ? ` and (${flags}) flows forwarded to and from pods` : ''} are indeterminate where it could change them`,
      why: () => `${id} may select a host endpoint on the path (host endpoint policy is not evaluated)`,
      appliesTo: (subject, direction) => {
        if (!types.has(direction)) return false;
        return isNodeLike(subject) || (forwarding && isPodNetworkEndpoint(subject));
      },
      canAllow,
      canDeny: () => true,
      // Host-to-local-workload traffic is allowed before any policy (see the Calico model).
      peers: (peer) => !isLocalNode(peer),
    });
  }
  return out;
}
