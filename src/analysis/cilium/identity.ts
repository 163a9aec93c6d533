/**
 * Cilium security identities and EndpointSelector matching.
 *
 * Cilium labels carry a source prefix (`k8s:`, `reserved:`, ...). A selector key without a source
 * is parsed with the `any` source and matches a label of that key from every source; a key with an
 * explicit source only matches labels of that source, so `reserved:host` never matches a pod label.
 * https://docs.cilium.io/en/stable/security/policy/language/ (EndpointSelector),
 * https://docs.cilium.io/en/stable/security/policy/kubernetes/ (namespace, service account labels).
 */
import { ciliumIgnoredLabelPattern } from '../../util/cilium-label-filter';
import { Endpoint, isPodNetworkEndpoint } from '../model';
import { LabelSelector, Labels, matchesLabelSelector } from '../selectors';

/** The cluster name Cilium uses when `cluster.name` is not set (identity label `io.cilium.k8s.policy.cluster`). */
export const CLUSTER_NAME = 'default';

/** Label key of the pod namespace in identities (`k8s:` source). */
export const POD_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace-label keys in identities. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** Label key of the service account in identities. */
export const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
/** Label key of the cluster name in identities. */
export const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

/** Sources Cilium knows; a key prefix that is not one of them is part of the key. */
const SOURCES = new Set(['k8s', 'reserved', 'any', 'cidr', 'fqdn', 'unspec', 'container', 'cilium-generated', 'node']);

/**
 * Identity labels flattened for LabelSelector matching: `source:key -> value`, plus `any:key -> value`
 * so that source-less selector keys (normalized to `any:`) match any source.
 */
export type IdentityLabels = Labels;

const identityCache = new WeakMap<Endpoint, IdentityLabels>();
/**
 * {@link unfilteredIdentityOf} per endpoint object: asked for every peer a selector does not match
 * (model matchPeer), the hot spot of large matrices. Like {@link identityCache}, the identity depends
 * on the endpoint alone (the label filter is a constant list); the analysis never mutates an endpoint,
 * it builds a new one (e.g. with namespace labels attached).
 */
const unfilteredIdentityCache = new WeakMap<Endpoint, IdentityLabels>();

/**
 * The identity labels of an endpoint, computed once per endpoint object.
 * - managed pods: pod labels, namespace, namespace labels, service account and cluster, all `k8s:`,
 *   without the labels Cilium's default label filter drops (util/cilium-label-filter: e.g.
 *   `pod-template-hash`, `statefulset.kubernetes.io/pod-name`, namespace labels with
 *   `beta.kubernetes.io` in their key);
 * - nodes: `reserved:host` for the pod's own node (`nodeLocality: 'local'`, or unknown) and
 *   `reserved:remote-node` for another node (https://docs.cilium.io/en/stable/security/policy/language/#entities-based:
 *   `host` is the local host, `remote-node` any other node of the cluster);
 * - hostNetwork pods: `reserved:remote-node`. Their node is unknown; like the Kubernetes and Calico
 *   models, the analyzer treats them as on another node than the pod at the other end (on the same
 *   node Cilium would see them as `host`, which `allow-localhost` admits into local endpoints);
 * - either way, `reserved:*` keys in the endpoint's own labels replace that default;
 * - external endpoints: `reserved:world`.
 * An endpoint labelled `reserved:kube-apiserver` additionally gets that reserved label (our
 * convention for marking the API server, in or outside the cluster).
 */
export function identityOf(endpoint: Endpoint): IdentityLabels {
  const cached = identityCache.get(endpoint);
  if (cached) return cached;
  const flat = computeIdentity(endpoint, true);
  identityCache.set(endpoint, flat);
  return flat;
}

/**
 * The identity labels an endpoint would have if Cilium kept every label (no label filter): only
 * for notes on selectors that the filter keeps from matching.
 */
export function unfilteredIdentityOf(endpoint: Endpoint): IdentityLabels {
  let cached = unfilteredIdentityCache.get(endpoint);
  if (cached === undefined) unfilteredIdentityCache.set(endpoint, cached = computeIdentity(endpoint, false));
  return cached;
}

function computeIdentity(endpoint: Endpoint, filter: boolean): IdentityLabels {
  const raw: Record<string, string> = {};
  if (isPodNetworkEndpoint(endpoint)) {
    const k8s: Record<string, string> = {};
    for (const [k, v] of Object.entries(endpoint.labels)) k8s[k] = v;
    k8s[POD_NAMESPACE_KEY] = endpoint.namespace ?? 'default';
    for (const [k, v] of Object.entries(endpoint.namespaceLabels)) k8s[`${NAMESPACE_LABELS_PREFIX}${k}`] = v;
    k8s[SERVICE_ACCOUNT_KEY] = endpoint.serviceAccount ?? 'default';
    k8s[CLUSTER_KEY] = CLUSTER_NAME;
    for (const [k, v] of Object.entries(k8s)) if (!filter || ciliumIgnoredLabelPattern(k) === undefined) raw[`k8s:${k}`] = v;
  } else {
    const reserved = Object.keys(endpoint.labels).filter((k) => k.startsWith('reserved:'));
    const base = reserved.filter((k) => k !== 'reserved:kube-apiserver');
    if (base.length > 0) {
      for (const k of base) raw[k] = '';
    } else {
      const remote = endpoint.nodeLocality === 'remote' || (endpoint.kind === 'pod' && endpoint.nodeLocality !== 'local');
      raw[endpoint.kind === 'external' ? 'reserved:world' : remote ? 'reserved:remote-node' : 'reserved:host'] = '';
    }
    if (reserved.includes('reserved:kube-apiserver')) raw['reserved:kube-apiserver'] = '';
  }
  const flat: Record<string, string> = { ...raw };
  for (const [k, v] of Object.entries(raw)) {
    const key = k.slice(k.indexOf(':') + 1);
    if (!(`any:${key}` in flat)) flat[`any:${key}`] = v;
  }
  return flat;
}

/** Split a selector key into source and key; a key without a known source gets `any`. */
export function parseSelectorKey(key: string): { source: string; key: string } {
  const colon = key.indexOf(':');
  if (colon > 0 && SOURCES.has(key.slice(0, colon))) return { source: key.slice(0, colon), key: key.slice(colon + 1) };
  return { source: 'any', key };
}

/** Rewrite a selector so every key carries its source (`app` -> `any:app`). */
export function normalizeSelector(selector: LabelSelector | undefined): LabelSelector {
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    const p = parseSelectorKey(k);
    matchLabels[`${p.source}:${p.key}`] = v;
  }
  const matchExpressions = (selector?.matchExpressions ?? []).map((e) => {
    const p = parseSelectorKey(e.key);
    return { ...e, key: `${p.source}:${p.key}` };
  });
  return { matchLabels, matchExpressions };
}

/** Keys of a normalized selector (matchLabels and matchExpressions). */
export function selectorKeys(selector: LabelSelector): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * Turn a `fromEndpoints`/`toEndpoints` selector into the effective one, as Cilium does when it
 * parses a policy (pkg/k8s/apis/cilium.io/utils, getEndpointSelector):
 * - a selector with a `reserved:` key is left alone (it selects reserved identities);
 * - CiliumNetworkPolicy: unless the selector names the namespace (`k8s:` or source-less
 *   `io.kubernetes.pod.namespace`), it is restricted to the policy's namespace. Namespace labels
 *   (`io.cilium.k8s.namespace.labels.*`) do not count: the parser only looks for the pod namespace
 *   key, so in a CNP they only narrow the policy's own namespace (the docs page
 *   https://docs.cilium.io/en/stable/security/policy/kubernetes/#known-pitfalls calls them "ignored");
 * - CiliumClusterwideNetworkPolicy (namespace undefined): unless the namespace is named, the selector
 *   gains `k8s:io.kubernetes.pod.namespace Exists`, so `{}` means every pod of the cluster but no
 *   reserved identity (host, world, ...).
 */
export function effectivePeerSelector(raw: LabelSelector | undefined, policyNamespace: string | undefined): LabelSelector {
  if (raw && typeof raw === 'object') {
    const cached = peerSelectorCache.get(raw)?.get(policyNamespace);
    if (cached) return cached;
    const computed = computePeerSelector(raw, policyNamespace);
    const byNs = peerSelectorCache.get(raw) ?? new Map<string | undefined, LabelSelector>();
    byNs.set(policyNamespace, computed);
    peerSelectorCache.set(raw, byNs);
    return computed;
  }
  return computePeerSelector(raw, policyNamespace);
}

/** Effective peer selectors, cached per selector object of a parsed manifest. */
const peerSelectorCache = new WeakMap<object, Map<string | undefined, LabelSelector>>();

function computePeerSelector(raw: LabelSelector | undefined, policyNamespace: string | undefined, reservedAsIs = true): LabelSelector {
  const sel = normalizeSelector(raw);
  const keys = selectorKeys(sel);
  if (reservedAsIs && keys.some((k) => k.startsWith('reserved:'))) return sel;
  const namesNamespace = keys.includes(`k8s:${POD_NAMESPACE_KEY}`) || keys.includes(`any:${POD_NAMESPACE_KEY}`);
  if (namesNamespace) return sel;
  if (policyNamespace === undefined) {
    return { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), { key: `k8s:${POD_NAMESPACE_KEY}`, operator: 'Exists' }] };
  }
  return { ...sel, matchLabels: { ...sel.matchLabels, [`k8s:${POD_NAMESPACE_KEY}`]: policyNamespace } };
}

/**
 * The effective `fromRequires`/`toRequires` selector: the same namespace handling as
 * {@link effectivePeerSelector}, also for selectors with `reserved:` keys (the parser calls
 * getEndpointSelector without the k8s-prefix option for requirements).
 */
export function effectiveRequirementSelector(raw: LabelSelector | undefined, policyNamespace: string | undefined): LabelSelector {
  return computePeerSelector(raw, policyNamespace, false);
}

/**
 * The effective `endpointSelector` of a rule: in a CiliumNetworkPolicy it always applies to the
 * policy's namespace only (a user-written namespace match is overridden, as the Cilium parser does).
 */
export function effectiveSubjectSelector(raw: LabelSelector | undefined, policyNamespace: string | undefined): LabelSelector {
  const sel = normalizeSelector(raw);
  if (policyNamespace === undefined) return sel;
  const matchLabels = { ...sel.matchLabels };
  delete matchLabels[`any:${POD_NAMESPACE_KEY}`];
  matchLabels[`k8s:${POD_NAMESPACE_KEY}`] = policyNamespace;
  return { ...sel, matchLabels };
}

/** Does a normalized selector match an identity? */
export function selectorMatches(selector: LabelSelector, identity: IdentityLabels): boolean {
  return matchesLabelSelector(selector, identity);
}
