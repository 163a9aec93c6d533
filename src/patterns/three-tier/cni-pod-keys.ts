/**
 * The CNIs' own pod label and annotation keys, refused on a ThreeTierApp's pods (a tier's `podLabels`
 * and `podAnnotations`, the app-wide `labels`; internal: not exported from the package index).
 *
 * The app's NetworkPolicies are written for pods the CNI addresses from its pod CIDRs, on their one
 * cluster interface, and tells apart by their labels, namespace and ServiceAccount. A pod annotation of
 * the CNI (or of Multus, which calls the CNIs) changes that behind them:
 * - Calico (`cni.projectcalico.org/*`): a fixed address (`ipAddrs`, `ipAddrsNoIpam`: any address, outside
 *   IPAM), another IP pool (`ipv4pools`, `ipv6pools`), a floating IP NATed to the pod (`floatingIPs`),
 *   source addresses beyond its own (`allowedSourcePrefixes`, with FelixConfiguration
 *   `workloadSourceSpoofing: Any`): docs.tigera.io "Use a specific IP address with a pod", "Restrict a pod
 *   to use an IP address in a specific range", "Add a floating IP to a pod", tigera/docs#2613. An address
 *   outside the pod CIDRs is matched by other pods' ipBlock allows (an internet allow reaches it) and is
 *   not what the analyzer models; a spoofed source address passes for another pod's;
 * - Multus (`k8s.v1.cni.cncf.io/networks`: more interfaces; `v1.multus-cni.io/default-network`: another
 *   cluster network in place of the CNI's): NetworkPolicies cover the cluster's default network only
 *   (secondary networks need MultiNetworkPolicy, docs.okd.io "Configuring multi-network policy");
 * - Cilium (`cilium.io` and its subdomains, and the legacy `io.cilium.*` annotations): the
 *   pod's IP pool (`ipam.cilium.io/ip-pool`, docs.cilium.io "Multi-Pool IPAM"), connection tracking and
 *   proxy visibility of its ports (`policy.cilium.io/no-track-port`, `policy.cilium.io/proxy-visibility`).
 *
 * And label keys the CNIs derive from the pod's namespace and ServiceAccount, which their policies (the
 * ones this library renders included) select by: Cilium's `io.kubernetes.pod.*` and `io.cilium.k8s.*`
 * (`io.kubernetes.pod.namespace`, `io.cilium.k8s.policy.serviceaccount`,
 * `io.cilium.k8s.namespace.labels.*`: cilium/cilium pkg/k8s/apis/cilium.io/const.go), Calico's
 * `projectcalico.org/*` (`projectcalico.org/namespace`, `projectcalico.org/serviceaccount`) and the
 * `pcns.` / `pcsa.` its namespace and ServiceAccount labels take on an endpoint (`pcns.kubernetes.io/metadata.name`) (projectcalico/calico
 * libcalico-go/lib/backend/k8s/conversion/constants.go). Whether the CNI overwrites a pod's own label of
 * such a key is not decided here: they are never the user's to set.
 */
import { IConstruct } from 'constructs';
import { keyInDomains } from './key-domain';
import { propError } from '../../util/errors';

/** DNS domains (the domain and its subdomains) of the annotation keys of the CNIs and Multus. */
const CNI_ANNOTATION_DOMAINS = ['cni.projectcalico.org', 'k8s.v1.cni.cncf.io', 'multus-cni.io', 'cilium.io'];
/** Starts of the CNIs' annotation keys outside those domains (Cilium's legacy `io.cilium.proxy-visibility`, ...). */
const CNI_ANNOTATION_NAME_PREFIXES = ['io.cilium.'];
/** DNS domains (the domain and its subdomains) of label keys a CNI sets itself. */
const CNI_LABEL_DOMAINS = ['projectcalico.org'];
/** Starts of the label keys a CNI derives itself (Cilium's namespace and ServiceAccount labels, Calico's profile labels). */
const CNI_LABEL_NAME_PREFIXES = ['io.kubernetes.pod.', 'io.cilium.k8s.', 'pcns.', 'pcsa.'];

/**
 * Does the key start with one of `prefixes` (lower-cased), prefix part or not? A namespace label
 * `kubernetes.io/metadata.name` becomes Calico's `pcns.kubernetes.io/metadata.name` and Cilium's
 * `io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name`.
 */
function namedWith(key: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => key.toLowerCase().startsWith(p));
}

/** Is `key` an annotation key of a CNI or of Multus (see the module comment)? */
function isCniAnnotationKey(key: string): boolean {
  return keyInDomains(key, CNI_ANNOTATION_DOMAINS) || namedWith(key, CNI_ANNOTATION_NAME_PREFIXES);
}

/** Is `key` a label key a CNI derives itself from the pod's namespace or ServiceAccount (see the module comment)? */
function isCniLabelKey(key: string): boolean {
  return keyInDomains(key, CNI_LABEL_DOMAINS) || namedWith(key, CNI_LABEL_NAME_PREFIXES);
}

/**
 * Refuse the first CNI key of `map`, the user's labels or annotations (`what`) of `pods` (`the backend
 * pods alone`, `the app's pods`), naming the app and `prop`: see the module comment.
 */
export function refuseCniKeys(app: IConstruct, prop: string, map: Record<string, string>, what: 'labels' | 'annotations', pods: string): void {
  if (what === 'annotations') {
    const key = Object.keys(map).find(isCniAnnotationKey);
    if (key === undefined) return;
    throw propError(app, prop, `'${key}' is an annotation of the CNI or of Multus (cni.projectcalico.org, k8s.v1.cni.cncf.io, multus-cni.io, `
      + `cilium.io and their subdomains, io.cilium.*): on ${pods} it would change their addresses (a fixed or floating IP, another IP pool, `
      + 'source addresses beyond their own), their network interfaces (a network the NetworkPolicies do not cover) or how the CNI tracks '
      + 'their connections, behind the app\'s NetworkPolicies, which are written for pods the CNI addresses from its pod CIDRs on their one '
      + 'cluster interface. Remove it');
  }
  const key = Object.keys(map).find(isCniLabelKey);
  if (key === undefined) return;
  throw propError(app, prop, `'${key}' is a label key the CNI derives from a pod's namespace or ServiceAccount (Cilium's io.kubernetes.pod.* `
    + `and io.cilium.k8s.*, Calico's projectcalico.org and its pcns.* and pcsa.* labels), which network policies select by: on ${pods} `
    + 'it could pass for another namespace\'s or account\'s. Remove it');
}
