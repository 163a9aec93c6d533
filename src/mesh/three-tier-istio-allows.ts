/**
 * A meshed ThreeTierApp under Istio ambient keeps its tier hops open in the mesh with DENY policies
 * only (see three-tier-authorization.ts), so it relies on no ALLOW policy selecting its pods. Once
 * one does (the allow-nothing baseline a MeshAuthorization or IstioAuthorization emits for the
 * namespace, or a flow's ALLOW policy on a tier's pods), Istio admits a request to those pods only
 * if an ALLOW policy selecting them matches it (istio.io "Authorization Policy" reference: "if any
 * allow policies apply to the workload, deny the request if none of them match"; ztunnel applies
 * the same rule to L4 policies: istio.io "Use Layer 4 security policy"). A user authorizing one
 * caller of the backend would then silently refuse the app's own hops.
 *
 * Checked at synth, conservatively: the policies that apply are those of the app's namespace and of
 * the mesh root namespace (whose policies apply to the workloads of every namespace: istio.io
 * "Authorization Policy" reference, selector), neither dry-run (`istio.io/dry-run`: istiod hands
 * ztunnel nothing) nor rejected, without `targetRef(s)` (which bind waypoints and gateways), whose
 * selector surely selects the tier's pods (none, or `matchLabels` within the labels of the tier's
 * pod template, the app's extra labels included); a rule is taken to admit the hop unless it surely
 * does not (principals or namespaces without the source tier's, ports without the tier port, L7
 * attributes, which leave an ALLOW rule out of what ztunnel gets: analysis/mesh/istio-ztunnel).
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { istioPrincipal } from './mesh-identity';
import { authorizationPolicyProblems, dryRunOf } from '../analysis/mesh/istio-validation';
import { ztunnelRule } from '../analysis/mesh/istio-ztunnel';
import { MeshTierPods } from '../patterns/three-tier/mesh-tier-hops';
import { hasLabels, isPlainObject } from '../util/vocabulary';

/** An Istio string match (exact, `prefix*`, `*suffix` or `*`) that may equal `value`. */
const mayEqual = (pattern: unknown, value: string): boolean => typeof pattern !== 'string' || pattern.includes('*') || pattern === value;
/** An Istio match list (`principals`, `ports`, ...): absent matches anything; else one entry must. */
const listMayMatch = (list: unknown, value: string): boolean => !Array.isArray(list) || list.some((p) => mayEqual(p, value));
/** A `not*` list surely excluding `value` (an exact entry). */
const notListExcludes = (list: unknown, value: string): boolean => Array.isArray(list) && list.includes(value);

/** The tier's pods: the labels the app selects them by, and every label of their template when known. */
type TierPods = MeshTierPods & { readonly templateLabels?: Record<string, string> };

/** An ALLOW policy of the namespaces that takes effect on ztunnel, with its synthesized form. */
interface AllowPolicy {
  readonly construct: ApiObject;
  readonly json: any;
}

/**
 * The ALLOW policies (security.istio.io) of `namespaces` (the app's and the root namespace) that take
 * effect on ztunnel (synthesized and judged once per check, not once per tier).
 */
function ztunnelAllowPolicies(root: IConstruct, namespaces: string[]): AllowPolicy[] {
  return root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'AuthorizationPolicy'
    && c.apiVersion.split('/')[0] === 'security.istio.io' && namespaces.includes(c.metadata.namespace ?? ''))
    .map((construct) => ({ construct, json: construct.toJson() }))
    .filter(({ json: obj }) => {
      const spec = obj.spec ?? {};
      if ((spec.action ?? 'ALLOW') !== 'ALLOW' || spec.provider !== undefined || spec.targetRef !== undefined || spec.targetRefs !== undefined) return false;
      return !(dryRunOf(obj) === true || authorizationPolicyProblems(obj).length > 0);
    });
}

/** The policies of `policies` that surely select every pod labelled `podLabels`. */
function allowPoliciesSelecting(policies: readonly AllowPolicy[], podLabels: Record<string, string>): AllowPolicy[] {
  return policies.filter(({ json: obj }) => {
    const spec = obj.spec ?? {};
    if (spec.selector === undefined) return true;
    return isPlainObject(spec.selector) && spec.selector.matchExpressions === undefined && hasLabels(podLabels, spec.selector.matchLabels ?? {});
  });
}

/** May a rule of an ALLOW policy match a connection from `principal` (of `namespace`) to `port`? */
function ruleMayAdmit(rule: unknown, principal: string, namespace: string, port: number): boolean {
  if (!isPlainObject(rule)) return true;
  // An ALLOW rule with L7 attributes is left out of what istiod sends ztunnel: it admits nothing there.
  if (ztunnelRule(rule, 'ALLOW', 'rule').kind === 'never') return false;
  const from = Array.isArray(rule.from) ? rule.from : undefined;
  const sourceMay = (f: unknown): boolean => {
    const s = isPlainObject(f) && isPlainObject(f.source) ? f.source : {};
    return listMayMatch(s.principals, principal) && listMayMatch(s.namespaces, namespace)
      && !notListExcludes(s.notPrincipals, principal) && !notListExcludes(s.notNamespaces, namespace);
  };
  if (from !== undefined && from.length > 0 && !from.some(sourceMay)) return false;
  const to = Array.isArray(rule.to) ? rule.to : undefined;
  const operationMay = (t: unknown): boolean => {
    const o = isPlainObject(t) && isPlainObject(t.operation) ? t.operation : {};
    return listMayMatch(o.ports, String(port)) && !notListExcludes(o.notPorts, String(port));
  };
  return to === undefined || to.length === 0 || to.some(operationMay);
}

/** `the AuthorizationPolicy 'a' (path) selects` or `the AuthorizationPolicies 'a' (path), 'b' (path) select`. */
const describe = (policies: AllowPolicy[]) => `the AuthorizationPolic${policies.length === 1 ? 'y' : 'ies'} `
  + `${policies.map(({ construct: p }) => `'${p.name}' (${p.node.path})`).join(', ')} select${policies.length === 1 ? 's' : ''}`;

/**
 * The app's hops (and the way into its frontend) that the ALLOW policies of its namespace refuse: a
 * hop whose destination tier is selected by ALLOW policies none of which may admit the source tier's
 * identity on the tier port; the frontend when every ALLOW policy selecting it has no rule at all
 * (whoever the ingress controller or Gateway is, nothing admits it).
 */
export function allowPoliciesRefusingHops(root: IConstruct, namespace: string, rootNamespace: string, trustDomain: string,
  hops: ReadonlyArray<{ readonly from: TierPods; readonly to: TierPods }>): string[] {
  const problems: string[] = [];
  const policies = ztunnelAllowPolicies(root, [namespace, rootNamespace]);
  const labelsOf = (tier: TierPods) => tier.templateLabels ?? tier.podLabels;
  const frontend = hops[0]?.from;
  if (frontend !== undefined) {
    const selecting = allowPoliciesSelecting(policies, labelsOf(frontend));
    const ruleless = (p: AllowPolicy) => { const rules = p.json.spec?.rules; return !Array.isArray(rules) || rules.length === 0; };
    if (selecting.length > 0 && selecting.every(ruleless)) {
      problems.push(`${describe(selecting)} the ${frontend.tier} pods without a rule (allow nothing), so ztunnel refuses `
        + `every request to them, the ingress controller's or Gateway's too. Authorize its identity on port ${frontend.port} (MeshAuthorization `
        + 'or IstioAuthorization allowFlow to the frontend pods), or remove the policy');
    }
  }
  for (const { from, to } of hops) {
    const selecting = allowPoliciesSelecting(policies, labelsOf(to));
    if (selecting.length === 0) continue;
    const principal = istioPrincipal(trustDomain, namespace, from.serviceAccount);
    const admits = selecting.some((p) => {
      const rules = p.json.spec?.rules;
      return Array.isArray(rules) && rules.some((r) => ruleMayAdmit(r, principal, namespace, to.port));
    });
    if (admits) continue;
    problems.push(`${describe(selecting)} the ${to.tier} pods, and no ALLOW policy there admits the ${from.tier}'s `
      + `identity ${principal} on port ${to.port}, so ztunnel refuses the app's ${from.tier} -> ${to.tier} hop. Authorize it: allowFlow with `
      + `from: [MeshSource.serviceAccount('${from.serviceAccount}', '${namespace}')], the ${to.tier} pods' labels and ports: [${to.port}]`);
  }
  return problems;
}
