import { LintDocument, asArray, isKind, isObject, jsonPath } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const WEIGHTS = 'virtualservice-weights';
const SUBSET = 'virtualservice-undefined-subset';

/**
 * Istio VirtualService routes: the weights of a split route must sum to 100
 * (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination),
 * and every subset a route names must be defined by a DestinationRule for the same host, or the
 * route fails with 503 (NR / no healthy upstream).
 */
export const virtualService: LintRule = {
  ids: [WEIGHTS, SUBSET],
  check(ctx: LintContext): RuleReport[] {
    const subsets = definedSubsets(ctx.documents);
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'networking.istio.io', 'VirtualService') || !isObject(doc.obj.spec)) continue;
      const ns = namespaceOf(doc.obj);
      for (const protocol of ['http', 'tcp', 'tls']) {
        asArray(doc.obj.spec[protocol]).forEach((route, i) => {
          const dests = asArray(isObject(route) ? route.route : undefined);
          const weighted = dests.some((d) => isObject(d) && d.weight !== undefined);
          const sum = dests.reduce((acc, d) => acc + (isObject(d) && typeof d.weight === 'number' ? d.weight : 0), 0);
          if ((dests.length > 1 || weighted) && sum !== 100) {
            out.push({
              doc,
              rule: WEIGHTS,
              severity: LintSeverity.ERROR,
              path: jsonPath('spec', protocol, i, 'route'),
              message: `route weights sum to ${sum}, not 100`,
              fix: 'give every destination a weight and make them sum to 100',
            });
          }
          dests.forEach((d, j) => checkSubset(doc, d, ns, subsets, jsonPath('spec', protocol, i, 'route', j, 'destination', 'subset'), out));
          if (isObject(route) && isObject(route.mirror)) {
            checkSubset(doc, { destination: route.mirror }, ns, subsets, jsonPath('spec', protocol, i, 'mirror', 'subset'), out);
          }
          asArray(isObject(route) ? route.mirrors : undefined).forEach((m, j) => checkSubset(doc, m, ns, subsets,
            jsonPath('spec', protocol, i, 'mirrors', j, 'destination', 'subset'), out));
        });
      }
    }
    return out;
  },
};

function checkSubset(doc: LintDocument, dest: any, ns: string, subsets: Map<string, Set<string>>, path: string, out: RuleReport[]): void {
  const host = dest?.destination?.host;
  const subset = dest?.destination?.subset;
  if (typeof host !== 'string' || typeof subset !== 'string') return;
  const known = subsets.get(hostKey(host, ns));
  if (known?.has(subset)) return;
  out.push({
    doc,
    rule: SUBSET,
    severity: LintSeverity.WARNING,
    path,
    message: known
      ? `subset '${subset}' is not defined by the DestinationRule for host '${host}'`
      : `subset '${subset}' of host '${host}' needs a DestinationRule defining it; none is in these manifests`,
    fix: `define subset '${subset}' (with its pod labels) in a DestinationRule for host '${host}'`,
  });
}

/** Short service names resolve in the object's own namespace; compare `<service>.<namespace>`. */
export function hostKey(host: string, ns: string): string {
  const labels = host.split('.');
  return labels.length >= 2 ? `${labels[0]}.${labels[1]}` : `${host}.${ns}`;
}

function definedSubsets(docs: readonly LintDocument[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const doc of docs) {
    if (!isKind(doc.obj, 'networking.istio.io', 'DestinationRule') || typeof doc.obj.spec?.host !== 'string') continue;
    const key = hostKey(doc.obj.spec.host, namespaceOf(doc.obj));
    const names = out.get(key) ?? new Set<string>();
    asArray(doc.obj.spec.subsets).forEach((s) => typeof s?.name === 'string' && names.add(s.name));
    out.set(key, names);
  }
  return out;
}

/**
 * Host key -> the subsets VirtualService routes (and mirrors) name for it; a host some VirtualService
 * routes to without a subset is present with an empty set.
 */
export function routedSubsets(docs: readonly LintDocument[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (dest: any, ns: string) => {
    if (!isObject(dest) || typeof dest.host !== 'string') return;
    const key = hostKey(dest.host, ns);
    const names = out.get(key) ?? new Set<string>();
    if (typeof dest.subset === 'string') names.add(dest.subset);
    out.set(key, names);
  };
  for (const doc of docs) {
    if (!isKind(doc.obj, 'networking.istio.io', 'VirtualService') || !isObject(doc.obj.spec)) continue;
    const ns = namespaceOf(doc.obj);
    for (const protocol of ['http', 'tcp', 'tls']) {
      for (const route of asArray(doc.obj.spec[protocol])) {
        if (!isObject(route)) continue;
        for (const d of asArray(route.route)) add(d?.destination, ns);
        add(route.mirror, ns);
        for (const m of asArray(route.mirrors)) add(m?.destination, ns);
      }
    }
  }
  return out;
}
