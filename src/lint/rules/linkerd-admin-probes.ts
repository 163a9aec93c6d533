import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_NAME } from '../../analysis/mesh/linkerd-probes';
import { isLinkerdGroup, isLinkerdKind, refusedAuthentications, serverParents } from '../../analysis/mesh/linkerd-refs';
import { LinkerdRoute, RouteHit } from '../../analysis/mesh/linkerd-route-model';
import { compareHits, linkerdRoute, matchRoute } from '../../analysis/mesh/linkerd-routes';
import { YES, MAYBE } from '../../analysis/verdict';
import { apiGroupOf, nameOf } from '../../util/vocabulary';
import { isObject, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { adminPortsByNamespace } from './linkerd-admin-ports';

/**
 * A Server on the Linkerd proxy's admin port whose HTTPRoutes refuse the proxy's own kubelet probes.
 *
 * linkerd2's policy controller adds a probe route (GET on the pod's httpGet probe paths,
 * unauthenticated, from `policyController.probeNetworks`) only to servers without HTTPRoutes
 * (policy-controller k8s index `inbound/index.rs` `http_routes`, `default_inbound_http_routes`), and
 * reads the probes of every container, init containers too in recent versions (`inbound/workload.rs`,
 * earlier `inbound/pod.rs`, `pod_http_probes`), the injected proxy's
 * `GET /live` (liveness) and `GET /ready` (readiness) on 4191 included. So once an HTTPRoute has a
 * Server on 4191 (or its port name `linkerd-admin`, or the number `config.linkerd.io/admin-port`
 * of the namespace's pods moves it to) as parent, those probes must be routed and
 * authorized like any request (`linkerd viz allow-scrapes` emits a proxy-probes route with a
 * NetworkAuthentication policy for that reason: linkerd2 viz/cmd/allow-scrapes.go).
 *
 * Reported only when the manifests settle it: no route matches the probe (the proxy answers 404 whatever
 * the Server's accessPolicy and authorizations admit: linkerd2-proxy `app/admin` `stack.rs`), or
 * the route it goes to and the Server carry no authorization an unauthenticated client can meet (every
 * AuthorizationPolicy requires a mesh identity, no ServerAuthorization selects the Server, and the
 * accessPolicy is deny or *-authenticated); the kubelet's probe has no mesh identity. Matches Linkerd
 * evaluates and this rule does not (headers, hostnames, an unknown path type) leave it silent.
 */
const GROUP = 'policy.linkerd.io';
/** Server proxyProtocols that carry HTTP requests, which HTTPRoutes route. */
const HTTP_PROTOCOLS = ['unknown', 'HTTP/1', 'HTTP/2'];
/** The injected proxy container's probes on its admin port, with what their refusal does. */
const PROXY_PROBES: ReadonlyArray<{ readonly path: string; readonly probe: string; readonly effect: string }> = [
  { path: '/live', probe: 'liveness', effect: 'the kubelet restarts the proxy container again and again' },
  { path: '/ready', probe: 'readiness', effect: 'the pods never become ready' },
];

/** An AuthorizationPolicy an unauthenticated client cannot meet: it requires a mesh identity (MeshTLSAuthentication or ServiceAccount). */
function identityOnly(obj: Record<string, any>): boolean {
  const refs = obj.spec?.requiredAuthenticationRefs;
  if (!Array.isArray(refs)) return false;
  return refs.some((r) => isObject(r) && ((isLinkerdKind(r.kind, 'MeshTLSAuthentication') && isLinkerdGroup(r.group, GROUP))
    || (isLinkerdKind(r.kind, 'ServiceAccount') && isLinkerdGroup(r.group, ''))));
}

/** Servers on the admin port that route HTTP and have HTTPRoutes, with those routes and the kubelet's chance per route. */
export const linkerdAdminProbes: LintRule = {
  ids: ['linkerd-admin-server-refuses-proxy-probes'],
  check(ctx: LintContext): RuleReport[] {
    // Authorizations by target: `ns|Server|name`, `ns|Namespace`, `ns|<route group>|name`; `open` when one may admit an unauthenticated client.
    const authz = new Map<string, { open: boolean }>();
    const note = (key: string, open: boolean) => authz.set(key, { open: open || (authz.get(key)?.open ?? false) });
    const legacy = new Set<string>();
    const routes: Array<{ doc: LintDocument; ns: string; parents: string[] }> = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isObject(obj)) continue;
      const group = apiGroupOf(obj);
      const ns = namespaceOf(obj);
      if (group === GROUP && obj.kind === 'AuthorizationPolicy') {
        const refs = obj.spec?.requiredAuthenticationRefs;
        if (Array.isArray(refs) && refusedAuthentications(refs) !== undefined) continue;
        const ref = isObject(obj.spec?.targetRef) ? obj.spec.targetRef : {};
        const open = !identityOnly(obj);
        if (isLinkerdKind(ref.kind, 'Server') && isLinkerdGroup(ref.group, GROUP)) note(`${ns}|Server|${String(ref.name)}`, open);
        if (isLinkerdKind(ref.kind, 'Namespace') && isLinkerdGroup(ref.group, '')) note(`${ns}|Namespace`, open);
        if (isLinkerdKind(ref.kind, 'HTTPRoute')) note(`${ns}|${String(ref.group ?? '').toLowerCase()}|${String(ref.name)}`, open);
      } else if (group === GROUP && obj.kind === 'ServerAuthorization') {
        // The legacy ServerAuthorization is not evaluated: a namespace with one is left alone.
        legacy.add(ns);
      } else if (obj.kind === 'HTTPRoute' && (group === GROUP || group === 'gateway.networking.k8s.io')) {
        const parents = serverParents(obj, ns);
        if (Array.isArray(parents) && parents.length > 0) routes.push({ doc, ns, parents });
      }
    }
    const out: RuleReport[] = [];
    const adminPorts = adminPortsByNamespace(ctx.documents);
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isObject(obj) || obj.kind !== 'Server' || apiGroupOf(obj) !== GROUP || !isObject(obj.spec)) continue;
      const ns = namespaceOf(obj);
      const name = nameOf(obj);
      const port = obj.spec.port;
      // A number counts when it is an admin port of the namespace's pods (config.linkerd.io/admin-port moves it from 4191).
      const numbered = typeof port === 'number' && (adminPorts.get(ns) ?? new Set([LINKERD_ADMIN_PORT])).has(port);
      if ((!numbered && port !== LINKERD_ADMIN_PORT_NAME) || legacy.has(ns)) continue;
      if (!HTTP_PROTOCOLS.includes(typeof obj.spec.proxyProtocol === 'string' ? obj.spec.proxyProtocol : 'unknown')) continue;
      const attached: LinkerdRoute[] = routes.filter((r) => r.ns === ns && r.parents.includes(name)).map((r) => linkerdRoute(r.doc.obj));
      if (attached.length === 0) continue;
      const access = typeof obj.spec.accessPolicy === 'string' ? obj.spec.accessPolicy : 'deny';
      // The Server's own authorizations apply on every route (linkerd2 proxy: route authorizations plus the Server's).
      const serverOpen = ['all-unauthenticated', 'cluster-unauthenticated', 'audit'].includes(access)
        || authz.get(`${ns}|Server|${name}`)?.open === true || authz.get(`${ns}|Namespace`)?.open === true;
      // A probe no route matches gets 404 whoever the Server admits (linkerd2-proxy admin stack: HttpRouteNotFound is rescued
      // as 404 before any authorization); an open Server admits a matched one on any route (its authorizations join every route's).
      const refused: string[] = [];
      for (const { path, probe, effect } of PROXY_PROBES) {
        const hits = attached.map((route) => ({ route, hit: matchRoute(route, { method: 'GET', path, headers: {} }) as RouteHit }));
        // A route whose unevaluated match may outrank its sure one (RouteHit.upper) leaves the deciding route unknown too.
        if (hits.some((h) => h.hit.truth === MAYBE || h.hit.upper !== undefined)) continue;
        const yes = hits.filter((h) => h.hit.truth === YES);
        if (yes.length === 0) {
          refused.push(`GET ${path} (${probe}) matches none of its HTTPRoutes, so the proxy answers 404 and ${effect}`);
          continue;
        }
        if (serverOpen) continue;
        const best = yes.reduce((a, b) => (compareHits(b.hit, a.hit) > 0 ? b : a));
        // Every route matching as well as the best one may win (Linkerd orders them by age and name): all must refuse.
        const winners = yes.filter((h) => compareHits(h.hit, best.hit) === 0).map((h) => h.route);
        if (winners.some((r) => authz.get(`${ns}|${r.group.toLowerCase()}|${r.name}`)?.open === true)) continue;
        const names = winners.map((r) => `'${r.name}'`).join(' or ');
        refused.push(`GET ${path} (${probe}) goes to HTTPRoute ${names}, which no authorization in these manifests opens to a client without `
          + `a mesh identity (the kubelet has none), so it is refused and ${effect}`);
      }
      if (refused.length === 0) continue;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        path: 'spec.port',
        message: `Server '${name}' describes the Linkerd proxy's admin port (${String(port)}) and has HTTPRoutes, so Linkerd's probe route for the `
          + `injected proxy's own kubelet probes is gone: ${refused.join('; ')}`,
        fix: serverOpen
          ? `add an HTTPRoute with Server '${name}' as parent matching GET /live and GET /ready (the authorizations of the Server, which may admit `
            + 'the kubelet, apply to every route on it)'
          : `add an HTTPRoute with Server '${name}' as parent matching GET /live and GET /ready, and an AuthorizationPolicy targeting it whose `
          + 'NetworkAuthentication covers the nodes\' addresses (the kubelet probes from the node); in cdk8s-networking, '
          + `LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], ports: [${typeof port === 'number' ? port : LINKERD_ADMIN_PORT}], `
          + 'methods: [\'GET\'], paths: [\'/live\', \'/ready\']',
      });
    }
    return out;
  },
};
