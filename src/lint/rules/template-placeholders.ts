import { documentLabel, isObject, jsonKey } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'unreplaced-template-placeholder';

/** The upstream NodeLocal DNSCache manifest's placeholders: `__PILLAR__` then words joined by `__`, ending in `__`. */
const PILLAR = /__PILLAR__(?:[A-Z0-9]+__)+/g;

/**
 * The placeholders node-cache itself replaces when it writes its Corefile from the ConfigMap
 * (`Corefile.base`): the kube-dns-upstream Service IP and the node's upstream resolvers. They stay
 * in the ConfigMap (NETWORKING-FACTS.md, NodeLocal DNSCache; shared/reference/kubernetes-nodelocaldns.yaml).
 * Nowhere else does anything replace them.
 */
const NODE_CACHE_FILLS = new Set(['__PILLAR__CLUSTER__DNS__', '__PILLAR__UPSTREAM__SERVERS__']);

/**
 * Placeholders of the upstream NodeLocal DNSCache manifest left in an object that would be applied
 * as is: `__PILLAR__LOCAL__DNS__`, `__PILLAR__DNS__DOMAIN__` and `__PILLAR__DNS__SERVER__` must be
 * replaced before apply (the kubernetes.io guide's sed step); node-cache would bind, serve and probe
 * the literal text, so DNS on the node breaks. `__PILLAR__CLUSTER__DNS__` and
 * `__PILLAR__UPSTREAM__SERVERS__` are node-cache's own in a ConfigMap's data; anywhere else (the
 * DaemonSet's args, a probe) nothing replaces them either.
 */
export const templatePlaceholders: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isObject(obj) || typeof obj.kind !== 'string' || doc.ciliumValues) continue;
      const configMap = obj.kind === 'ConfigMap' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined);
      for (const { path, text } of strings(obj)) {
        const inData = configMap && (path.startsWith('data.') || path.startsWith('data['));
        const left = [...new Set(text.match(PILLAR) ?? [])].filter((p) => !(inData && NODE_CACHE_FILLS.has(p)));
        if (left.length === 0) continue;
        const runtime = left.filter((p) => NODE_CACHE_FILLS.has(p));
        out.push({
          doc,
          severity: LintSeverity.ERROR,
          path,
          message: `${documentLabel(doc)} still holds the template placeholder${left.length === 1 ? '' : 's'} ${left.join(', ')}: `
            + 'applied as is, the literal text is what node-cache gets'
            + (runtime.length > 0 ? ` (node-cache fills in ${runtime.join(' and ')} only in the Corefile of its ConfigMap)` : ''),
          fix: 'replace the placeholders before apply, as the NodeLocal DNSCache guide does with sed: __PILLAR__LOCAL__DNS__ with the '
            + 'link-local IP (169.254.20.10), __PILLAR__DNS__DOMAIN__ with the cluster domain, __PILLAR__DNS__SERVER__ with the kube-dns '
            + 'ClusterIP (IPVS mode: remove it); or synthesize NodeLocalDNS, which does',
        });
      }
    }
    return out;
  },
};

/** Every string of `value` (map keys too, as the key's path) with its path; iterative, so deep nesting costs no stack. */
function strings(value: unknown): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const stack: Array<{ path: string; value: unknown }> = [{ path: '', value }];
  while (stack.length > 0) {
    const { path, value: v } = stack.pop()!;
    if (typeof v === 'string') {
      out.push({ path, text: v });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ path: `${path}[${i}]`, value: v[i] });
    } else if (isObject(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child = path === '' ? jsonKey(keys[i]).replace(/^\./, '') : `${path}${jsonKey(keys[i])}`;
        stack.push({ path: child, value: v[keys[i]] });
        if (keys[i].includes('__PILLAR__')) out.push({ path: child, text: keys[i] });
      }
    }
  }
  return out;
}
