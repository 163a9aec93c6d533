import { InventoryPod } from '../../analysis/inventory';
import { IstioModel } from '../../analysis/mesh/istio';
import { isIstioAuthorizationPolicy } from '../../analysis/mesh/istio-policies';
import { membershipOf } from '../../analysis/mesh/membership';
import { describeRef, DirectionVerdict } from '../../analysis/model';
import { NO } from '../../analysis/verdict';
import { asArray, isObject } from '../document';
import { UNTOLD_ISTIO_FACTS } from '../lint-mesh';
import { admittedIstioApplicationPorts, admittedManifestPeers, podPortsText } from '../netpol-ingress';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { validDocuments, validInventory } from '../valid-documents';

const RULE = 'istio-authz-refuses-admitted-source';

/**
 * `istio-authz-refuses-admitted-source` (warning): a networking.k8s.io NetworkPolicy ingress peer
 * admits clients to Istio-meshed pods on a port where the destination's ALLOW AuthorizationPolicies
 * match none of them: the CNI lets them through and the destination's sidecar or ztunnel refuses
 * every one (istio.io "Authorization Policy" reference: with an ALLOW policy on a workload, a request
 * no ALLOW rule matches is denied). Two layers that disagree: either the NetworkPolicy admits a client
 * by mistake, or the AuthorizationPolicy misses its identity.
 *
 * Judged by the analyzer's own Istio model (analysis/mesh/istio: PeerAuthentication, CUSTOM, DENY,
 * ALLOW, ztunnel's conversion, waypoints, sidecar TCP chains) on each pair, over the objects the API
 * server and istiod accept. Reported only where it is exact: every client the peer admits is a
 * workload of the manifests in a namespace they declare (so its mesh membership and its
 * ServiceAccount, hence its principal `<trust domain>/ns/<namespace>/sa/<account>`, are known), and for
 * every such client and every destination pod of the port the model answers "denied" because no ALLOW
 * rule matches, whichever trust domain the mesh has of `cluster.local` and those the policies' principals name (the
 * mesh's is not in the manifests); the manifests are taken to hold every workload of a namespace that holds some. A peer
 * admitting any client the manifests do not show (an undeclared namespace, a namespace without
 * workloads that match, namespaces chosen by labels other than `kubernetes.io/metadata.name`, which
 * may include namespaces outside the manifests), a peer admitting everyone or by ipBlock, and a port where
 * some client is allowed, undecided, or refused for another reason (a DENY rule, STRICT mutual TLS
 * for a plaintext client: istio-strict-mtls-unmeshed-source) are not reported.
 *
 * Told the mesh (`PolicyLintOptions.mesh`): under `Mesh.istio()` the rule judges with its root namespace and mode (pods
 * labelled ambient are meshed only under ambient mode; a sidecar reads `cluster.local/...` in a principal as the local
 * trust domain, ztunnel does not: analysis/mesh/istio-rules), and with its trust domain alone where the Mesh declares it
 * (`trustDomain`); a Mesh without `trustDomain` leaves it unknown, so the rule hedges as untold (cluster.local and the
 * domains the policies name). Under another mesh or `Mesh.none()` the rule does not apply (no findings).
 */
export const istioAuthzRefusesAdmittedSource: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const valid = validDocuments(ctx.documents);
    if (!valid.some((d) => isIstioAuthorizationPolicy(d.obj))) return [];
    // Told another mesh (or none): no Istio proxy to refuse anything.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'istio') return [];
    const known = ctx.mesh?.facts;
    // Untold the mesh, as istio-strict-mtls-unmeshed-source reads membership: ambient labels count, `istio-system` is the root namespace.
    const facts = known ?? UNTOLD_ISTIO_FACTS;
    const objects = valid.map((d) => d.obj);
    const inventory = validInventory(ctx.documents);
    const { namespaces, namespaceAnnotations: declared } = inventory;
    // Untold (or told a Mesh that does not declare it), the mesh's trust domain is not in the manifests: a principal of
    // another domain the policies name may be the mesh's own, so a refusal counts only when it holds under cluster.local
    // and under each such domain.
    const meshed = (p: InventoryPod) => membershipOf(p.endpoint, facts, namespaces, declared).dataPlane !== undefined;
    const peers = admittedManifestPeers(valid, inventory, meshed);
    if (peers.length === 0) return [];
    const models = (known && ctx.mesh!.declared.trustDomain ? [known]
      : [facts, ...namedTrustDomains(objects).map((trustDomain) => ({ ...facts, trustDomain }))])
      .map((f) => new IstioModel(objects, f, namespaces, declared));
    const out: RuleReport[] = [];
    for (const { doc, path, rule, clients, destinations } of peers) {
      const refused: Array<{ pod: InventoryPod; port: number; why: string; policies: string[] }> = [];
      for (const pod of destinations) {
        for (const port of admittedIstioApplicationPorts(pod, rule.ports)) {
          const why = models.flatMap((model) => clients.map((c) => allowRefusal(model.evaluate({
            source: c.endpoint,
            destination: pod.endpoint,
            port,
            protocol: 'TCP',
          }))));
          if (why.every((w) => w !== undefined)) {
            refused.push({ pod, port, why: why[0]!.message, policies: [...new Set(why.flatMap((w) => w!.policies))] });
          }
        }
      }
      if (refused.length === 0) continue;
      const who = clients.map((c) => `${c.workloadKind} ${c.endpoint.name} (ServiceAccount ${c.endpoint.serviceAccount ?? 'default'})`).join(', ');
      const policies = [...new Set(refused.flatMap((r) => r.policies))].join(', ');
      out.push({
        doc,
        rule: RULE,
        severity: LintSeverity.WARNING,
        path,
        message: `admits ${who} to ${podPortsText(refused)}, but the destination's Istio ALLOW policies (${policies}) match none of them, so its proxy refuses `
          + `every connection this rule opens (${refused[0].why})`,
        fix: 'authorize the clients\' identities on the port in an ALLOW rule of the destination (IstioAuthorization or MeshAuthorization allowFlow), '
          + 'or remove the peer from the NetworkPolicy if they are not meant to connect',
      });
    }
    return out;
  },
};

/**
 * The trust domains other than `cluster.local` that the AuthorizationPolicies' principals name (`example.org/ns/a/sa/b`:
 * `example.org`), in `principals`, `notPrincipals` and `source.principal` conditions; patterns with `*` in the domain match
 * any. Istio compares principals with the mesh's trust domain (meshConfig.trustDomain, default cluster.local; istio.io
 * "Trust Domain Migration"), which the manifests do not carry.
 */
function namedTrustDomains(objects: readonly unknown[]): string[] {
  const domains = new Set<string>();
  const add = (values: unknown) => asArray(values).forEach((v) => {
    const slash = typeof v === 'string' ? v.indexOf('/') : -1;
    const domain = slash > 0 ? (v as string).slice(0, slash) : undefined;
    if (domain !== undefined && domain !== 'cluster.local' && !domain.includes('*')) domains.add(domain);
  });
  for (const obj of objects) {
    if (!isIstioAuthorizationPolicy(obj) || !isObject((obj as any).spec)) continue;
    for (const rule of asArray((obj as any).spec.rules)) {
      if (!isObject(rule)) continue;
      for (const from of asArray(rule.from)) {
        if (isObject(from) && isObject(from.source)) [from.source.principals, from.source.notPrincipals].forEach(add);
      }
      for (const when of asArray(rule.when)) {
        if (isObject(when) && when.key === 'source.principal') [when.values, when.notValues].forEach(add);
      }
    }
  }
  return [...domains].sort();
}

/** The ALLOW refusal of a verdict (denied, decided by AuthorizationPolicies whose ALLOW rules match nothing), or undefined. */
function allowRefusal(v: DirectionVerdict): { message: string; policies: string[] } | undefined {
  if (v.outcome !== NO) return undefined;
  const last = v.reasons[v.reasons.length - 1];
  if (last?.effect !== 'isolate' || last.object?.kind !== 'AuthorizationPolicy') return undefined;
  return { message: last.message, policies: v.reasons.filter((r) => r.effect === 'isolate' && r.object).map((r) => describeRef(r.object!)) };
}
