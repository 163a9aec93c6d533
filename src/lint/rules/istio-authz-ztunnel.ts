import { buildInventory } from '../../analysis/inventory';
import { ztunnelRule } from '../../analysis/mesh/istio-ztunnel';
import { membershipOf } from '../../analysis/mesh/membership';
import { asArray, isObject, LintDocument } from '../document';
import { podsSelectedBy, selectorPolicies } from '../istio-selector-policies';
import { UNTOLD_ISTIO_FACTS } from '../lint-mesh';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const L7_ALLOW = 'istio-authz-l7-allow-under-ztunnel';
const L7_DENY = 'istio-authz-l7-deny-under-ztunnel';

const FIX_WAYPOINT = 'enroll the workloads in a waypoint (label the namespace or the pods istio.io/use-waypoint=<waypoint>) and attach the '
  + 'policy to it with targetRefs, so the L7 attributes are enforced';

/**
 * Istio AuthorizationPolicy rules with L7 attributes for ambient workloads, which ztunnel enforces
 * (istio.io "Use Layer 4 security policy"; istiod's ambient conversion, as
 * modelled by analysis/mesh/istio-ztunnel, whose reading of which attributes are L7 this rule shares):
 * - `istio-authz-l7-allow-under-ztunnel` (error): istiod leaves an ALLOW rule with any L7 attribute
 *   (HTTP methods, paths, hosts and their `not` forms, requestPrincipals, remoteIpBlocks, `when` keys
 *   other than source.ip, source.namespace, source.principal, destination.ip, destination.port) out
 *   of what ztunnel gets: it matches nothing, and when no other ALLOW rule matches, every connection
 *   is denied.
 * - `istio-authz-l7-deny-under-ztunnel` (error): a DENY rule whose `to`, `from` or some `when` is left
 *   with no L4 attribute never matches, so it denies nothing (fail open); a DENY rule that keeps L4
 *   parts denies them whole, whatever its L7 attributes said (a warning: it fails closed).
 * Which workloads: pods of the manifests that the policy selects (its namespace, or every namespace
 * for the root namespace `istio-system`; `selector.matchLabels`) and that are in ambient mode without
 * with or without `istio.io/use-waypoint` (analysis/mesh/membership): a waypoint takes only targetRef(s)
 * policies, so a `selector` or namespace-wide policy stays with the destination's ztunnel even behind
 * one, which "will result in a DENY" for application-layer attributes (istio.io "Creating authorization
 * policy" in ambient; istio/istio pilot/pkg/model/policyattachment.go). targetRef(s) policies bind to
 * waypoints and gateways, rejected and dry-run policies never take effect: none is reported.
 */
export const istioAuthzZtunnel: LintRule = {
  ids: [L7_ALLOW, L7_DENY],
  check(ctx: LintContext): RuleReport[] {
    // Told another mesh (or none): no ztunnel.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'istio') return [];
    // Untold the mesh, the workloads are judged as if ambient mode were installed: a workload labelled
    // `istio.io/dataplane-mode=ambient` says its owner means it to run under ztunnel. Its `rootNamespace` is Istio's
    // default (`istio-system`), where mesh-wide policies live. Told the mesh (`PolicyLintOptions.mesh`), its mode and
    // root namespace: in sidecar mode no ztunnel enforces anything (no findings).
    const facts = ctx.mesh?.facts ?? UNTOLD_ISTIO_FACTS;
    const policies = selectorPolicies(ctx);
    if (policies.length === 0) return [];
    const inventory = buildInventory(ctx.documents.map((d) => d.obj).filter((o) => isObject(o)) as any[]);
    const ztunnelPods = inventory.pods.map((p) => p.endpoint).filter((e) => {
      const m = membershipOf(e, facts, inventory.namespaces, inventory.namespaceAnnotations);
      return m.dataPlane === 'ambient';
    });
    const behindWaypoint = new Set(ztunnelPods.filter((e) => membershipOf(e, facts, inventory.namespaces, inventory.namespaceAnnotations)
      .waypoint !== undefined).map((e) => e.name));
    const out: RuleReport[] = [];
    for (const policy of policies) {
      const selected = podsSelectedBy(policy, ztunnelPods, facts.rootNamespace).map((e) => e.name);
      if (selected.length === 0) continue;
      out.push(...ruleFindings(policy.doc, policy.action, selected, selected.some((name) => behindWaypoint.has(name))));
    }
    return out;
  },
};

function ruleFindings(doc: LintDocument, action: 'ALLOW' | 'DENY', selected: string[], waypoint: boolean): RuleReport[] {
  const shown = selected.length > 3 ? `${selected.slice(0, 3).join(', ')} and ${selected.length - 3} more` : selected.join(', ');
  const where = `it applies to ${shown}, in ambient mode ${waypoint ? '(a waypoint takes only targetRef policies, so even behind one)' : 'without a waypoint'}, `
    + 'where ztunnel enforces it';
  const out: RuleReport[] = [];
  asArray(doc.obj.spec.rules).forEach((rule, i) => {
    const path = `spec.rules[${i}]`;
    const z = ztunnelRule(rule, action, path);
    if (z.kind === 'unknown' || (z.kind === 'l4' && z.omitted.length === 0)) return;
    if (z.kind === 'never' && action === 'ALLOW') {
      out.push({
        doc,
        rule: L7_ALLOW,
        severity: LintSeverity.ERROR,
        path,
        message: `${where}: ${z.why}; a connection no other ALLOW rule matches is denied`,
        fix: `${FIX_WAYPOINT}, or keep to L4 attributes (ports, principals, namespaces, serviceAccounts, ipBlocks, and the when keys `
          + 'source.ip, source.namespace, source.principal, destination.ip, destination.port)',
      });
    } else if (z.kind === 'never') {
      // A DENY rule left with an empty clause.
      out.push({
        doc,
        rule: L7_DENY,
        severity: LintSeverity.ERROR,
        path,
        message: `${where}: ${z.why}, so what it was meant to deny is let through`,
        fix: `${FIX_WAYPOINT}, or give the clause L4 attributes ztunnel can match`,
      });
    } else {
      out.push({
        doc,
        rule: L7_DENY,
        severity: LintSeverity.WARNING,
        path,
        message: `${where}: istiod drops its L7 attributes (${z.omitted.join(', ')}), so ztunnel denies every connection its L4 parts match, `
          + 'not only the requests the L7 attributes describe',
        fix: `${FIX_WAYPOINT}, or accept that the L4 parts are denied whole`,
      });
    }
  });
  return out;
}
