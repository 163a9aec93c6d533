import { InventoryPod } from '../../analysis/inventory';
import { MeshFacts, meshFactsOf } from '../../analysis/mesh/facts';
import { LinkerdModel } from '../../analysis/mesh/linkerd';
import { adminPortOf } from '../../analysis/mesh/linkerd-admin-port';
import { inboundPortOf } from '../../analysis/mesh/linkerd-inbound-port';
import { serverParents } from '../../analysis/mesh/linkerd-refs';
import { Membership, membershipOf } from '../../analysis/mesh/membership';
import { describeRef, DirectionVerdict, ManifestObject, refOf } from '../../analysis/model';
import { NO } from '../../analysis/verdict';
import { Mesh } from '../../cluster/mesh';
import { linkerdIdentity, linkerdIdentitySuffix } from '../../mesh/mesh-identity';
import { apiGroupOf, nameOf, namespaceOf } from '../../util/vocabulary';
import { asArray } from '../document';
import { admittedLinkerdApplicationPorts, admittedManifestPeers, podPortsText } from '../netpol-ingress';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { validDocuments, validInventory } from '../valid-documents';

const RULE = 'linkerd-authz-refuses-admitted-source';
const GROUP = 'policy.linkerd.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * Linkerd's install defaults, when the lint is not told the mesh: control plane in `linkerd`, trust domain `cluster.local`,
 * cluster default inbound policy `all-unauthenticated` (a refusal by the default policy counts only where the pod or its
 * namespace annotates it, below).
 */
const LINKERD = meshFactsOf(Mesh.linkerd())!;

/**
 * `linkerd-authz-refuses-admitted-source` (warning): a networking.k8s.io NetworkPolicy ingress peer
 * admits clients to Linkerd-meshed pods on a port where Linkerd's policy authorizes none of them: the
 * CNI lets them through and the destination's proxy refuses every one (linkerd.io "Authorization
 * Policy" reference: a port a Server describes admits what an AuthorizationPolicy targeting the Server,
 * its namespace or one of its routes authorizes, else the Server's `accessPolicy`, default `deny`; a port
 * no Server describes gets the default inbound policy). Two layers that disagree: either the
 * NetworkPolicy admits a client by mistake, or the authorization misses its identity. The Linkerd twin
 * of istio-authz-refuses-admitted-source.
 *
 * Judged by the analyzer's own Linkerd model (analysis/mesh/linkerd: Servers, AuthorizationPolicies with
 * MeshTLSAuthentication, NetworkAuthentication and ServiceAccount references, HTTPRoute and GRPCRoute
 * authorizations, default inbound policies, skip-inbound ports, probe routes) on each pair of a client
 * and a destination pod, over the objects the API server accepts, for a connection (no request): the
 * model answers "denied" only when no route admits the client for any request. Reported only where it is
 * exact: every client the peer admits is a workload of the manifests in a namespace they declare (so its
 * injection, its ServiceAccount and hence its identity `<sa>.<ns>.serviceaccount.identity.<Linkerd's
 * namespace>.<trust domain>` are known; ../netpol-ingress `admittedManifestClients`), the destination's
 * namespace is declared (its annotations decide injection, skipped ports and the default policy), and for
 * every such client and every destination pod of the port the model answers "denied" by authorization:
 * a Server no AuthorizationPolicy of which admits the client (on any of its routes) and whose
 * accessPolicy refuses it, or the default inbound policy the pod or its namespace annotates
 * (`config.linkerd.io/default-inbound-policy`: `deny`, `*-authenticated` for an unmeshed client). That
 * must hold under Linkerd's install namespace and trust domain (`linkerd`, `cluster.local`) and under
 * each pair the MeshTLSAuthentication identities name, as neither is in the manifests.
 *
 * The cluster-wide default (`proxy.defaultInboundPolicy`, install default `all-unauthenticated`) is
 * not in the manifests: a refusal by the default policy of a port no Server describes is reported only
 * where the pod or its namespace annotates the policy, as linkerd-admin-port judges it.
 *
 * Told the mesh (`PolicyLintOptions.mesh`): under `Mesh.linkerd()` the rule judges with the control plane namespace and
 * trust domain the Mesh declares (`controlPlaneNamespace`, `trustDomain`) alone; what it does not declare stays unknown
 * and is hedged over as untold (the install default and the values the identities name), and, where
 * `linkerdDefaultInboundPolicy` gives the cluster default, reports refusals by it too; under another
 * mesh or `Mesh.none()` the rule does not apply (no Linkerd proxy refuses anything). Not reported: a
 * peer admitting any client the manifests do not show, admitting everyone or by ipBlock; a port where
 * some client is allowed (also for some requests only: a route or the probe route admitting it) or
 * undecided (an address the model cannot place, as NetworkAuthentication and `cluster-*` policies ask of
 * pods; a legacy ServerAuthorization; overlapping Servers), a port the proxy skips
 * (`config.linkerd.io/skip-inbound-ports`); Linkerd's own ports (4140, 4143 or the inbound port
 * `config.linkerd.io/inbound-port` moves it to, 4190, the admin port 4191 or `config.linkerd.io/admin-port`:
 * linkerd-admin-port and linkerd-admin-probes judge scrapes and probes).
 */
export const linkerdAuthzRefusesAdmittedSource: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    // Told another mesh (or none): no Linkerd proxy to refuse anything.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'linkerd') return [];
    const known = ctx.mesh?.facts;
    const facts = known ?? LINKERD;
    const valid = validDocuments(ctx.documents);
    const objects = valid.map((d) => d.obj as ManifestObject);
    const inventory = validInventory(ctx.documents);
    const { namespaces, namespaceAnnotations: declared } = inventory;
    const membership = new Map<InventoryPod, Membership>();
    const memberOf = (p: InventoryPod) => {
      if (!membership.has(p)) membership.set(p, membershipOf(p.endpoint, facts, namespaces, declared));
      return membership.get(p)!;
    };
    const peers = admittedManifestPeers(valid, inventory, (p) => declared.has(p.endpoint.namespace ?? 'default') && memberOf(p).dataPlane === 'linkerd');
    if (peers.length === 0) return [];
    // Untold, neither Linkerd's namespace nor its trust domain is in the manifests: identities naming others may be the
    // mesh's own, so a refusal counts only when it holds under the install defaults and under each pair named. Told a
    // Mesh, what it declares is known; what it does not declare is hedged over alike.
    const judges = judgingFacts(facts, known === undefined ? undefined : ctx.mesh!.declared, objects)
      .map((f) => new LinkerdModel(objects, f, namespaces, declared));
    const out: RuleReport[] = [];
    for (const { doc, path, rule, clients, destinations } of peers) {
      const refused: Array<{ pod: InventoryPod; port: number; why: string; by: string }> = [];
      for (const pod of destinations) {
        const ns = pod.endpoint.namespace ?? 'default';
        const admin = adminPortOf(pod.endpoint, declared.get(ns));
        // The inbound proxy port, moved by config.linkerd.io/inbound-port, carries meshed traffic: no application port.
        const inbound = inboundPortOf(pod.endpoint, declared.get(ns)).port;
        for (const port of admittedLinkerdApplicationPorts(pod, rule.ports, admin.port, inbound)) {
          const why = judges.flatMap((model) => clients.map((c) => authorizationRefusal(model.evaluate({
            source: c.endpoint,
            destination: pod.endpoint,
            port,
            protocol: 'TCP',
          }), memberOf(pod), objects, known)));
          if (why.every((w) => w !== undefined)) refused.push({ pod, port, why: why[0]!.message, by: [...new Set(why.map((w) => w!.by))].join(', ') });
        }
      }
      if (refused.length === 0) continue;
      const who = clients.map((c) => `${c.workloadKind} ${c.endpoint.name} (${identityText(c, memberOf(c), facts)})`).join(', ');
      const by = [...new Set(refused.map((r) => r.by))].join('; ');
      out.push({
        doc,
        rule: RULE,
        severity: LintSeverity.WARNING,
        path,
        message: `admits ${who} to ${podPortsText(refused)}, but Linkerd authorizes none of them there (${by}), so the destination's proxy refuses every `
          + `connection from them (${refused[0].why})`,
        fix: 'authorize the clients on the port at the destination (LinkerdAuthorization or MeshAuthorization allowFlow naming them, or an '
          + 'AuthorizationPolicy targeting the Server with a MeshTLSAuthentication of their identities; an unmeshed client needs a mesh '
          + 'proxy or a NetworkAuthentication), or remove the peer from the NetworkPolicy if they are not meant to connect',
      });
    }
    return out;
  },
};

/**
 * The facts a refusal must hold under: `facts` (the mesh's, or the install defaults untold), and each (namespace, trust
 * domain) pair the identities name, with the part the Mesh declares (`declared`: undefined untold) kept as declared.
 */
function judgingFacts(facts: MeshFacts, declared: Mesh['_declared'] | undefined, objects: readonly ManifestObject[]): MeshFacts[] {
  const out = new Map<string, MeshFacts>([[`${facts.linkerdNamespace}.${facts.trustDomain}`, facts]]);
  for (const named of namedIdentityDomains(objects)) {
    const linkerdNamespace = declared?.controlPlaneNamespace ? facts.linkerdNamespace : named.linkerdNamespace;
    const trustDomain = declared?.trustDomain ? facts.trustDomain : named.trustDomain;
    const key = `${linkerdNamespace}.${trustDomain}`;
    if (!out.has(key)) out.set(key, { ...facts, linkerdNamespace, trustDomain });
  }
  return [...out.values()];
}

/** `identity web.shop.serviceaccount.identity.linkerd.cluster.local`, or why the client has none. */
function identityText(client: InventoryPod, m: Membership, facts: MeshFacts): string {
  const e = client.endpoint;
  if (m.dataPlane !== 'linkerd') return 'not meshed: no mesh identity';
  const suffix = linkerdIdentitySuffix({ controlPlaneNamespace: facts.linkerdNamespace, trustDomain: facts.trustDomain });
  return `identity ${linkerdIdentity(e.serviceAccount ?? 'default', e.namespace ?? 'default', suffix)}`;
}

/**
 * The refusal of a connection verdict by Linkerd's authorization, with what refuses: a Server (its accessPolicy, no
 * AuthorizationPolicy of it or of its routes admitting the client), or the default inbound policy the destination pod or its
 * namespace annotates, or the cluster-wide default where the lint is told it (`known`, a Linkerd mesh with
 * `linkerdDefaultInboundPolicy`). Undefined otherwise: allowed (also for some requests only), undecided, or refused by a
 * cluster-wide default the lint is not told.
 */
function authorizationRefusal(v: DirectionVerdict, destination: Membership, objects: readonly ManifestObject[], known: MeshFacts | undefined):
{ message: string; by: string } | undefined {
  if (v.outcome !== NO) return undefined;
  const isolate = v.reasons.find((r) => r.effect === 'isolate');
  if (isolate === undefined) return undefined;
  if (isolate.object === undefined) {
    const policy = destination.defaultPolicy
      ?? (known?.linkerdDefaultPolicyGiven ? { value: known.linkerdDefaultPolicy, source: 'the cluster default' } : undefined);
    return policy === undefined ? undefined : { message: isolate.message, by: `the default inbound policy ${policy.value} (${policy.source})` };
  }
  if (isolate.object.kind !== 'Server') return undefined;
  const server = objects.find((o) => o.kind === 'Server' && apiGroupOf(o) === GROUP && nameOf(o) === isolate.object!.name
    && namespaceOf(o) === (isolate.object!.namespace ?? 'default'));
  const routes = server === undefined ? [] : routesOn(server, objects);
  return {
    message: isolate.message,
    by: `${describeRef(isolate.object)}${routes.length > 0 ? `, for every request of its routes ${routes.join(', ')}` : ''}`,
  };
}

/** The routes Linkerd attaches to `server` (HTTPRoutes to an HTTP or detected Server, GRPCRoutes to a gRPC one), as `HTTPRoute shop/r`. */
function routesOn(server: ManifestObject, objects: readonly ManifestObject[]): string[] {
  const protocol = String(server.spec?.proxyProtocol ?? 'unknown');
  const kind = protocol === 'gRPC' ? 'GRPCRoute' : ['unknown', 'HTTP/1', 'HTTP/2'].includes(protocol) ? 'HTTPRoute' : undefined;
  const ns = namespaceOf(server);
  return objects.filter((o) => {
    if (kind === undefined || o.kind !== kind || namespaceOf(o) !== ns) return false;
    const group = apiGroupOf(o);
    if (group !== GATEWAY_GROUP && (kind === 'GRPCRoute' || group !== GROUP)) return false;
    const parents = serverParents(o, ns);
    return Array.isArray(parents) && parents.includes(nameOf(server) ?? '');
  }).map((o) => describeRef(refOf(o))).sort();
}

/**
 * The (Linkerd namespace, trust domain) pairs other than `linkerd`, `cluster.local` that MeshTLSAuthentication identities
 * name: `*.shop.serviceaccount.identity.linkerd-prod.example.org` names (`linkerd-prod`, `example.org`); a `*.` suffix without
 * `serviceaccount.identity.` (`*.example.org`) matches every identity of a trust domain ending so, read as (`linkerd`, the
 * suffix). Linkerd's identities are `<sa>.<ns>.serviceaccount.identity.<control plane namespace>.<trust domain>` (linkerd.io
 * "Authorization Policy" reference, MeshTLSAuthentication; Helm values `identityTrustDomain`, the control plane namespace).
 */
function namedIdentityDomains(objects: readonly ManifestObject[]): Array<Pick<MeshFacts, 'linkerdNamespace' | 'trustDomain'>> {
  const marker = 'serviceaccount.identity.';
  const pairs = new Map<string, Pick<MeshFacts, 'linkerdNamespace' | 'trustDomain'>>();
  const add = (linkerdNamespace: string, trustDomain: string) => {
    if (linkerdNamespace === '' || trustDomain === '' || `${linkerdNamespace}.${trustDomain}`.includes('*')) return;
    if (linkerdNamespace === LINKERD.linkerdNamespace && trustDomain === LINKERD.trustDomain) return;
    pairs.set(`${linkerdNamespace}.${trustDomain}`, { linkerdNamespace, trustDomain });
  };
  for (const obj of objects) {
    if (obj.kind !== 'MeshTLSAuthentication' || apiGroupOf(obj) !== GROUP) continue;
    for (const identity of asArray(obj.spec?.identities)) {
      if (typeof identity !== 'string' || identity === '*') continue;
      const at = identity.indexOf(marker);
      if (at >= 0 && (at === 0 || identity[at - 1] === '.')) {
        const rest = identity.slice(at + marker.length);
        const dot = rest.indexOf('.');
        if (dot > 0) add(rest.slice(0, dot), rest.slice(dot + 1));
      } else if (identity.startsWith('*.')) {
        add(LINKERD.linkerdNamespace, identity.slice(2));
      }
    }
  }
  return [...pairs.values()];
}
