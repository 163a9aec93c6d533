import { calicoPolicyTypes } from '../../analysis/calico/calico-policy';
import { effectivePolicyTypes } from '../../analysis/kubernetes/network-policy';
import { isEmptySelector } from '../../analysis/selectors';
import { LintDocument, apiGroup, asArray, isObject } from '../document';
import { calicoSelectsAll, ciliumSpecs, isCalicoPolicy, isCiliumPolicy, isK8sNetworkPolicy, isWorkload, namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * System namespaces whose policies are the platform's business, not the tenant's: Kubernetes' own,
 * and the ones the Calico operator creates and runs its host-network components in (CalicoInstallation
 * emits `tigera-operator`; NETWORKING-FACTS.md lists them as the namespaces cluster-wide denies exclude).
 */
const EXCLUDED = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'tigera-operator', 'calico-system', 'calico-apiserver']);

interface Coverage { ingress: boolean; egress: boolean }

/**
 * Without a default deny, a pod is open in every direction no policy selects it for
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies).
 * For every namespace the manifests create or deploy workloads into, look, per direction, for a
 * policy that selects all pods (so every pod is isolated: what is not allowed is denied) and does not
 * allow everything: NetworkPolicy `podSelector: {}` listing the direction, Calico (Global)NetworkPolicy
 * `all()` with the type, Cilium `endpointSelector: {}` with rules for the direction and default deny
 * not disabled. The usual form is the rule-less `default-deny-all`; an all-pods policy with explicit
 * allows isolates as well.
 */
export const namespaceWithoutDefaultDeny: LintRule = {
  ids: ['namespace-without-default-deny'],
  check(ctx: LintContext): RuleReport[] {
    const anchors = new Map<string, LintDocument>();
    for (const doc of ctx.documents) {
      const name = doc.obj?.kind === 'Namespace' && apiGroup(doc.obj) === '' ? doc.obj.metadata?.name : undefined;
      if (typeof name === 'string') anchors.set(name, doc);
    }
    for (const doc of ctx.documents) {
      if (isWorkload(doc.obj) && !anchors.has(namespaceOf(doc.obj))) anchors.set(namespaceOf(doc.obj), doc);
    }
    const global = clusterWideCoverage(ctx.documents);
    const byNamespace = coverageByNamespace(ctx.documents);
    const out: RuleReport[] = [];
    for (const [ns, doc] of anchors) {
      if (EXCLUDED.has(ns)) continue;
      const cov = byNamespace.get(ns) ?? { ingress: false, egress: false };
      const missing = [!(cov.ingress || global.ingress) ? 'ingress' : '', !(cov.egress || global.egress) ? 'egress' : ''].filter((m) => m);
      if (missing.length === 0) continue;
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        message: `namespace '${ns}' has no default-deny ${missing.join(' and ')} policy: pods no other policy selects are open`,
        fix: `add a NetworkPolicy in '${ns}' with \`podSelector: {}\`, policyTypes [${missing.map(cap).join(', ')}] and no rules`
          + ' (plus explicit allows such as DNS)',
      });
    }
    return out;
  },
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The default-deny coverage of each namespace by its namespaced policies, in one pass over the documents. */
function coverageByNamespace(docs: readonly LintDocument[]): Map<string, Coverage> {
  const byNamespace = new Map<string, Coverage>();
  for (const doc of docs) {
    const obj = doc.obj;
    if (!isObject(obj?.spec)) continue;
    const ns = namespaceOf(obj);
    const cov = byNamespace.get(ns) ?? { ingress: false, egress: false };
    byNamespace.set(ns, cov);
    if (isK8sNetworkPolicy(obj) && isEmptySelector(obj.spec.podSelector ?? {})) {
      // The same policyTypes defaulting as the API server (and the analyzer): `egress: []` adds no Egress.
      const types = effectivePolicyTypes(obj);
      if (types.includes('Ingress') && asArray(obj.spec.ingress).every((r) => k8sRestricts(r, 'from'))) cov.ingress = true;
      if (types.includes('Egress') && asArray(obj.spec.egress).every((r) => k8sRestricts(r, 'to'))) cov.egress = true;
    } else if (isCalicoPolicy(obj) && obj.kind === 'NetworkPolicy') {
      merge(cov, calicoCoverage(obj.spec));
    } else if (isCiliumPolicy(obj) && obj.kind === 'CiliumNetworkPolicy') {
      merge(cov, ciliumCoverage(obj));
    }
  }
  return byNamespace;
}

function clusterWideCoverage(docs: readonly LintDocument[]): Coverage {
  const cov: Coverage = { ingress: false, egress: false };
  for (const doc of docs) {
    const obj = doc.obj;
    if (isCalicoPolicy(obj) && obj.kind === 'GlobalNetworkPolicy' && isObject(obj.spec) && obj.spec.namespaceSelector === undefined) {
      merge(cov, calicoCoverage(obj.spec));
    } else if (isCiliumPolicy(obj) && obj.kind === 'CiliumClusterwideNetworkPolicy') {
      merge(cov, ciliumCoverage(obj));
    }
  }
  return cov;
}

function merge(into: Coverage, from: Coverage): void {
  into.ingress ||= from.ingress;
  into.egress ||= from.egress;
}

/** Does a CIDR text cover a whole address family (`0.0.0.0/0`, `::/0`)? */
function isWholeFamily(cidr: unknown): boolean {
  return typeof cidr === 'string' && /\/0$/.test(cidr.trim());
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/**
 * A NetworkPolicy rule restricts when it names ports, or peers none of which is a whole-family
 * ipBlock; a rule without either (or with `0.0.0.0/0`) admits everything (Calico matches ipBlocks
 * against pod IPs too).
 */
function k8sRestricts(rule: unknown, peers: 'from' | 'to'): boolean {
  if (!isObject(rule)) return true;
  if (asArray(rule.ports).length > 0) return true;
  const list = asArray(rule[peers]);
  return list.length > 0 && !list.some((p) => isObject(p) && isObject(p.ipBlock) && isWholeFamily(p.ipBlock.cidr));
}

/**
 * A Calico Allow or Pass rule restricts when it names a protocol or destination ports, or its peer
 * side (source for ingress, destination for egress) has a selector, a namespace selector, service
 * accounts, or nets none of which is a whole family. Empty values are no constraint (libcalico-go),
 * and `ipVersion` alone only halves "everything".
 */
function calicoRestricts(rule: unknown, direction: 'ingress' | 'egress'): boolean {
  if (!isObject(rule) || (rule.action !== 'Allow' && rule.action !== 'Pass')) return true;
  if (nonEmptyString(rule.protocol) || typeof rule.protocol === 'number') return true;
  if (isObject(rule.destination) && asArray(rule.destination.ports).length > 0) return true;
  const peer = direction === 'ingress' ? rule.source : rule.destination;
  if (!isObject(peer)) return false;
  const sa = isObject(peer.serviceAccounts) ? peer.serviceAccounts : {};
  const nets = asArray(peer.nets);
  return nonEmptyString(peer.selector) || nonEmptyString(peer.namespaceSelector)
    || asArray(sa.names).length > 0 || nonEmptyString(sa.selector)
    || (nets.length > 0 && !nets.some(isWholeFamily));
}

/** Calico: selects every endpoint, lists the type, and every Allow/Pass rule restricts. */
function calicoCoverage(spec: any): Coverage {
  if (!calicoSelectsAll(spec)) return { ingress: false, egress: false };
  // Calico's defaulting of an omitted `types` (egress only when there are egress rules and no ingress rules).
  const types = calicoPolicyTypes(spec);
  return {
    ingress: types.has('ingress') && asArray(spec.ingress).every((r) => calicoRestricts(r, 'ingress')),
    egress: types.has('egress') && asArray(spec.egress).every((r) => calicoRestricts(r, 'egress')),
  };
}

/**
 * Cilium: `endpointSelector: {}` with rules for a direction enables default deny there (unless
 * `enableDefaultDeny` turns it off). A rule opens everything when its peers are everything (no L3
 * selector but ports, or the entity `all`, or both `world` and `cluster`) and its ports are every
 * port (none, or port 0); `[{}]` (no peers, no ports) matches nothing.
 */
function ciliumCoverage(obj: any): Coverage {
  const cov: Coverage = { ingress: false, egress: false };
  for (const { spec } of ciliumSpecs(obj)) {
    if (!isEmptySelector(spec.endpointSelector)) continue;
    const covers = (rules: unknown, denyRules: unknown, from: boolean, enabled: unknown) => enabled !== false
      && (asArray(rules).length > 0 || asArray(denyRules).length > 0)
      && !asArray(rules).some((r) => ciliumOpensAll(r, from));
    cov.ingress ||= covers(spec.ingress, spec.ingressDeny, true, spec.enableDefaultDeny?.ingress);
    cov.egress ||= covers(spec.egress, spec.egressDeny, false, spec.enableDefaultDeny?.egress);
  }
  return cov;
}

const CILIUM_L3 = ['Endpoints', 'CIDR', 'CIDRSet', 'Entities', 'Requires', 'Groups', 'Nodes', 'Services', 'FQDNs'];

function ciliumOpensAll(rule: unknown, from: boolean): boolean {
  if (!isObject(rule)) return false;
  const field = (name: string) => asArray(rule[`${from ? 'from' : 'to'}${name}`]);
  const toPorts = asArray(rule.toPorts);
  const allPorts = toPorts.length === 0 || toPorts.some((pr) => isObject(pr)
    && asArray(pr.ports).some((p) => isObject(p) && (p.port === undefined || String(p.port) === '0')));
  const entities = field('Entities');
  const allPeers = entities.includes('all') || (entities.includes('world') && entities.includes('cluster'))
    || (CILIUM_L3.every((n) => field(n).length === 0) && toPorts.length > 0);
  return allPeers && allPorts;
}
