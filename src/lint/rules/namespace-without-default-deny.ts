import { calicoPolicyTypes } from '../../analysis/calico/calico-policy';
import { effectivePolicyTypes } from '../../analysis/kubernetes/network-policy';
import { isEmptySelector } from '../../analysis/selectors';
import { LintDocument, apiGroup, asArray, isObject } from '../document';
import { ciliumSpecs, isCalicoPolicy, isCiliumPolicy, isK8sNetworkPolicy, isWorkload, namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/** System namespaces whose policies are the platform's business, not the tenant's. */
const EXCLUDED = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

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
    const out: RuleReport[] = [];
    for (const [ns, doc] of anchors) {
      if (EXCLUDED.has(ns)) continue;
      const cov = namespaceCoverage(ctx.documents, ns);
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

function namespaceCoverage(docs: readonly LintDocument[], ns: string): Coverage {
  const cov: Coverage = { ingress: false, egress: false };
  for (const doc of docs) {
    const obj = doc.obj;
    if (!isObject(obj?.spec) || namespaceOf(obj) !== ns) continue;
    if (isK8sNetworkPolicy(obj) && isEmptySelector(obj.spec.podSelector ?? {})) {
      // The same policyTypes defaulting as the API server (and the analyzer): `egress: []` adds no Egress.
      const types = effectivePolicyTypes(obj);
      if (types.includes('Ingress') && !asArray(obj.spec.ingress).some((r) => k8sAllowsAll(r, 'from'))) cov.ingress = true;
      if (types.includes('Egress') && !asArray(obj.spec.egress).some((r) => k8sAllowsAll(r, 'to'))) cov.egress = true;
    } else if (isCalicoPolicy(obj) && obj.kind === 'NetworkPolicy') {
      merge(cov, calicoCoverage(obj.spec));
    } else if (isCiliumPolicy(obj) && obj.kind === 'CiliumNetworkPolicy') {
      merge(cov, ciliumCoverage(obj));
    }
  }
  return cov;
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

/** A NetworkPolicy rule without peers and without ports allows every peer on every port. */
function k8sAllowsAll(rule: unknown, peers: 'from' | 'to'): boolean {
  return isObject(rule) && asArray(rule[peers]).length === 0 && asArray(rule.ports).length === 0;
}

/** Calico: selects every endpoint, lists the type, and no rule allows (or passes on) everything. */
function calicoCoverage(spec: any): Coverage {
  const selector = typeof spec.selector === 'string' ? spec.selector.trim() : '';
  if (selector !== '' && selector !== 'all()') return { ingress: false, egress: false };
  // Calico's defaulting of an omitted `types` (egress only when there are egress rules and no ingress rules).
  const types = calicoPolicyTypes(spec);
  const unconstrained = ['source', 'destination', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'ipVersion', 'http'];
  const opensAll = (r: unknown) => isObject(r) && (r.action === 'Allow' || r.action === 'Pass')
    && unconstrained.every((k) => r[k] === undefined || (isObject(r[k]) && Object.keys(r[k]).length === 0));
  return {
    ingress: types.has('ingress') && !asArray(spec.ingress).some(opensAll),
    egress: types.has('egress') && !asArray(spec.egress).some(opensAll),
  };
}

/**
 * Cilium: `endpointSelector: {}` with rules for a direction enables default deny there (unless
 * `enableDefaultDeny` turns it off); `[{}]` allows nothing, `fromEntities`/`toEntities: [all]` everything.
 */
function ciliumCoverage(obj: any): Coverage {
  const cov: Coverage = { ingress: false, egress: false };
  for (const { spec } of ciliumSpecs(obj)) {
    if (!isEmptySelector(spec.endpointSelector)) continue;
    const covers = (rules: unknown, denyRules: unknown, entities: string, enabled: unknown) => enabled !== false
      && (asArray(rules).length > 0 || asArray(denyRules).length > 0)
      && !asArray(rules).some((r) => isObject(r) && asArray(r[entities]).includes('all'));
    cov.ingress ||= covers(spec.ingress, spec.ingressDeny, 'fromEntities', spec.enableDefaultDeny?.ingress);
    cov.egress ||= covers(spec.egress, spec.egressDeny, 'toEntities', spec.enableDefaultDeny?.egress);
  }
  return cov;
}
