import { assertNever } from '../../util/errors';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort, rulesOf, sortedLabels } from '../intent';
import { Protocol } from '../protocol';
import { Direction, RuleAction } from '../rule';
import { SharedRenderings, renderShared, renderedOnce } from './shared-rendering';

/** Cilium identity label of a pod's namespace. */
export const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** Prefix of Cilium identity labels that mirror the namespace's labels. */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';

/** Context the Cilium renderer needs beyond the intent. */
export interface CiliumRenderContext {
  /**
   * Every destination of the pods' DNS queries (the resolved `Peer.clusterDns()`): the DNS-proxy
   * rule that `toFQDNs` requires must cover all of them, or lookups that bypass the proxy (e.g. to
   * NodeLocal DNS) never teach Cilium the IPs of a name.
   */
  readonly dnsPeers: ResolvedPeer[];
}

/** The ports of the DNS-proxy rule. DNS L7 rules take no port ranges and must name port 53. */
const DNS_PORTS: ResolvedPort[] = [{ protocol: Protocol.UDP, port: 53 }, { protocol: Protocol.TCP, port: 53 }];

/**
 * Build a cilium.io/v2 CiliumNetworkPolicy (namespaced intent) or CiliumClusterwideNetworkPolicy.
 * Docs: https://docs.cilium.io/en/stable/security/policy/language/
 * - deny rules go to ingressDeny/egressDeny, which win over every allow;
 * - `enableDefaultDeny` is always explicit: a deny-only guard rail must not put endpoints into
 *   default deny, while an isolating intent must, even without rules.
 */
export function ciliumPolicyManifest(intent: PolicyIntent, ctx: CiliumRenderContext): any {
  const clusterWide = intent.namespace === undefined;
  const spec: any = { endpointSelector: endpointSelector(intent, clusterWide) };
  const needsDnsProxy = intent.rules.some((r) => r.direction === Direction.EGRESS && r.action === RuleAction.ALLOW && r.peers.some((p) => p.type === 'fqdn'));

  const seen = new Map<ResolvedPeer, any>();
  for (const direction of [Direction.INGRESS, Direction.EGRESS]) {
    const field = direction === Direction.INGRESS ? 'ingress' : 'egress';
    const rendered = (r: IntentRule) => renderShared(CILIUM_RULES, r, intent.namespace, () => ciliumRules(r, seen));
    const allows = rulesOf(intent, direction, RuleAction.ALLOW).flatMap(rendered);
    if (direction === Direction.EGRESS && needsDnsProxy) {
      // toFQDNs only works when the DNS proxy sees the answers: allow DNS with an L7 DNS rule, to
      // every DNS destination. Cilium accepts L7 DNS rules with toEndpoints, toEntities and
      // toCIDR/toCIDRSet peers (egress L3 selectors that support toPorts; only toServices does not:
      // pkg/policy/api/rule_validation.go, EgressRule.sanitize). Peer.clusterDns() resolves to pods,
      // CIDRs and (Cilium without kube-proxy replacement, with NodeLocal DNS) the `host` entity;
      // never to FQDNs.
      const dns: IntentRule = { direction, action: RuleAction.ALLOW, peers: ctx.dnsPeers, ports: DNS_PORTS, http: [], origin: 'dns-proxy' };
      // matchPattern '*': intercept every lookup without refusing any; the proxy only has to see the answers.
      allows.unshift(...ciliumRules(dns, seen, { dns: [{ matchPattern: '*' }] }));
    }
    const denies = rulesOf(intent, direction, RuleAction.DENY).flatMap(rendered);
    // Copies of their length: flatMap and push leave room for 17 (see directionsIn in intent.ts).
    if (allows.length) {
      spec[field] = allows.slice();
    } else if (intent.isolate.includes(direction) && !denies.length) {
      // Isolation without rules: the CRD needs at least one of the rule fields (anyOf), and Cilium's
      // default-deny idiom is one empty rule, which selects no peer and so allows nothing
      // ("Ingress/Egress Default Deny", https://docs.cilium.io/en/stable/security/policy/language/).
      spec[field] = [{}];
    }
    if (denies.length) spec[`${field}Deny`] = denies.slice();
  }
  spec.enableDefaultDeny = DEFAULT_DENY[intent.isolate.includes(Direction.INGRESS) ? 1 : 0][intent.isolate.includes(Direction.EGRESS) ? 1 : 0];

  const metadata: any = { name: intent.name };
  if (!clusterWide) metadata.namespace = intent.namespace;
  if (Object.keys(intent.labels).length) metadata.labels = sortedLabels(intent.labels);
  return {
    apiVersion: 'cilium.io/v2',
    kind: clusterWide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata,
    spec,
  };
}

/**
 * `enableDefaultDeny` by [ingress][egress] (0 or 1), and the other parts of a manifest that are the
 * same in every policy: shared frozen objects (manifests are never changed once built; `toJson()`
 * copies them), where one per policy was some 30-90 bytes of heap each for as long as the app lives.
 */
const DEFAULT_DENY = [false, true].map((ingress) => [false, true].map((egress) => Object.freeze({ ingress, egress })));
const SELECT_ALL = Object.freeze({});
const PODS_ONLY = Object.freeze([Object.freeze({ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists' })]);

function endpointSelector(intent: PolicyIntent, clusterWide: boolean): any {
  const labels: Record<string, string> = { ...prefixed(intent.podLabels) };
  if (clusterWide) {
    for (const [k, v] of Object.entries(intent.namespaceLabels)) labels[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
    // Cluster-wide selectors also match non-pod identities; restrict to pods.
    return { matchLabels: sortedLabels(labels), matchExpressions: PODS_ONLY };
  }
  return Object.keys(labels).length ? { matchLabels: sortedLabels(labels) } : SELECT_ALL;
}

/** Pod labels as Cilium `k8s:` identity labels. */
function prefixed(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[`k8s:${k}`] = v;
  return out;
}

/** Cilium rules of shared intent rules (see renderShared). */
const CILIUM_RULES: SharedRenderings<any[]> = new WeakMap();

/**
 * One intent rule becomes one Cilium rule per peer kind: Cilium ANDs nothing across L3 fields
 * of a rule, but mixing endpoint and CIDR selectors in one rule is rejected by some versions, so
 * each L3 selector gets its own rule with the same ports.
 */
function ciliumRules(rule: IntentRule, seen: Map<ResolvedPeer, any>, l7: any = httpRules(rule)): any[] {
  const to = rule.direction === Direction.EGRESS;
  const ports = ciliumPorts(rule.ports, l7);
  const endpoints: any[] = [];
  const cidrSets: any[] = [];
  const entities: string[] = [];
  const fqdns: any[] = [];
  for (const peer of rule.peers) {
    switch (peer.type) {
      case 'pods':
        endpoints.push(renderedOnce(seen, peer, () => ({
          matchLabels: sortedLabels({ [CILIUM_NAMESPACE_LABEL]: peer.namespace, ...prefixed(peer.podLabels) }),
        })));
        break;
      case 'podsInNamespaces':
        endpoints.push(renderedOnce(seen, peer, () => podsInNamespacesSelector(peer)));
        break;
      case 'cidr':
        cidrSets.push({ cidr: peer.cidr, ...(peer.except.length ? { except: [...peer.except] } : {}) });
        break;
      case 'entity':
        entities.push(peer.entity);
        break;
      case 'fqdn':
        fqdns.push(peer.matchName !== undefined ? { matchName: peer.matchName } : { matchPattern: peer.matchPattern });
        break;
      default:
        // An unknown peer must never be dropped (the rule would select fewer peers: fine for an
        // allow, fail-open for a deny).
        assertNever(peer, 'peer');
    }
  }
  const out: any[] = [];
  const add = (l3: any) => out.push({ ...l3, ...(ports ? { toPorts: ports } : {}) });
  if (endpoints.length) add({ [to ? 'toEndpoints' : 'fromEndpoints']: endpoints.slice() });
  if (cidrSets.length) add({ [to ? 'toCIDRSet' : 'fromCIDRSet']: cidrSets.slice() });
  if (entities.length) add({ [to ? 'toEntities' : 'fromEntities']: entities.slice() });
  if (fqdns.length) add({ toFQDNs: fqdns.slice() });
  return out;
}

function podsInNamespacesSelector(peer: Extract<ResolvedPeer, { type: 'podsInNamespaces' }>): any {
  const labels: Record<string, string> = { ...prefixed(peer.podLabels) };
  for (const [k, v] of Object.entries(peer.namespaceLabels)) labels[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
  const expressions = peer.namespaceExpressions.map((e) => ({
    key: CILIUM_NAMESPACE_LABELS_PREFIX + e.key,
    operator: e.operator,
    ...(e.values?.length ? { values: [...e.values] } : {}),
  }));
  // An empty selector would mean "this namespace" in a CiliumNetworkPolicy: say "any namespace".
  return {
    ...(Object.keys(labels).length ? { matchLabels: sortedLabels(labels) } : {}),
    matchExpressions: [{ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists' }].concat(expressions),
  };
}

/**
 * Cilium ports: strings; ranges via endPort; "every port of a protocol" as 1-65535; with the L7
 * rules (`toPorts[].rules`) when there are any.
 */
function ciliumPorts(ports: ResolvedPort[], l7: any): any[] | undefined {
  if (ports.length === 0) return undefined;
  const list = ports.map((p) => {
    if (p.name !== undefined) return { port: p.name, protocol: p.protocol };
    if (p.port === undefined) return { port: '1', endPort: 65535, protocol: p.protocol };
    return { port: String(p.port), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}), protocol: p.protocol };
  });
  // A PortRule holds at most 40 ports (CRD maxItems; the agent's maxPorts): more are split into
  // several PortRules with the same L7 rules, which Cilium ORs, so the meaning is unchanged.
  const chunks: any[] = [];
  for (let i = 0; i < list.length; i += MAX_PORTS_PER_RULE) {
    chunks.push({ ports: list.slice(i, i + MAX_PORTS_PER_RULE), ...(l7 ? { rules: l7 } : {}) });
  }
  return chunks;
}

/** `toPorts[].ports` maxItems in the Cilium CRD. */
const MAX_PORTS_PER_RULE = 40;

/** The rule's L7 HTTP matches as Cilium `rules`, or undefined without any. */
function httpRules(rule: IntentRule): any {
  if (rule.http.length === 0) return undefined;
  return {
    http: rule.http.map((h) => ({
      ...(h.method ? { method: h.method } : {}),
      ...(h.path ? { path: h.path } : {}),
      ...(h.headers?.length ? { headers: [...h.headers] } : {}),
    })),
  };
}
