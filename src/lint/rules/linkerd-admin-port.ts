import { linkerdAdminPort as linkerdAdminPortOf } from '../../analysis/mesh/linkerd-admin-port';
import { linkerdPortSet } from '../../analysis/mesh/linkerd-ports';
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION, LINKERD_ADMIN_PORT_NAME } from '../../analysis/mesh/linkerd-probes';
import { isLinkerdGroup, isLinkerdKind, refusedAuthentications, serverParents } from '../../analysis/mesh/linkerd-refs';
import { LabelSelector, matchesLabelSelector } from '../../analysis/selectors';
import { linkerdInjection } from '../../util/linkerd-injection';
import { apiGroupOf, isNamespace, isPlainObject, nameOf, podTemplateOf, WORKLOAD_TEMPLATES } from '../../util/vocabulary';
import { isObject, jsonKey, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { meshedOnlyAuthentication } from './linkerd-admin-authz';
import { adminPortsByNamespace, injectedLabels } from './linkerd-admin-ports';

/**
 * The Linkerd proxy's admin port (4191, container port `linkerd-admin` of the injected proxy) serves
 * Prometheus's `GET /metrics` under the pod's inbound policy like any other port: linkerd2's policy
 * controller gives a port no Server describes the default inbound policy (policy-controller k8s index
 * `inbound/index.rs` `default_inbound_server`, `defaults.rs` `DefaultPolicy`):
 *
 * - `deny` authorizes nobody; `all-authenticated` only clients with a mesh identity (mutual TLS),
 *   `cluster-authenticated` those from the Helm value `clusterNetworks` too; `all-unauthenticated`,
 *   `cluster-unauthenticated` (clients in `clusterNetworks`) and `audit` admit unmeshed clients;
 * - on the ports of `config.linkerd.io/proxy-require-identity-inbound-ports`, an `*-unauthenticated`
 *   default becomes `*-authenticated`.
 *
 * So under `deny` every scrape of the proxy's metrics is refused (linkerd/linkerd2#9150, #10691: HTTP
 * 403, "unauthorized request on route"), and under the authenticated ones an unmeshed scraper's are;
 * a NetworkPolicy opening 4191 to monitoring does not change that. Scrapes need a Server selecting
 * the pods on port 4191 or `linkerd-admin` and an authorization for it (an AuthorizationPolicy
 * targeting the Server, its namespace or an HTTPRoute on it, or a legacy ServerAuthorization), as
 * `linkerd viz allow-scrapes` emits (linkerd2 viz/cmd/allow-scrapes.go).
 *
 * The proxy's own kubelet probes (`GET /live`, `/ready` on 4191, declared on the injected proxy
 * container) are not refused: the policy controller reads every container's httpGet probes
 * (`inbound/workload.rs`, earlier `inbound/pod.rs`, `pod_http_probes`; init containers too in recent
 * versions, for the native-sidecar proxy) and adds to a server without HTTPRoutes, default or not, a
 * probe route admitting those GETs unauthenticated from `policyController.probeNetworks` (`0.0.0.0/0`
 * by default; `default_inbound_http_routes`). Only a Server whose HTTPRoutes leave them out loses
 * that route (hence the proxy-probes route of allow-scrapes).
 *
 * A Server that is authorized only by AuthorizationPolicies requiring any mesh identity (a MeshTLSAuthentication of
 * identity `*`, as ThreeTierApp's tier Servers mirror an authenticated namespace policy) refuses an unmeshed scraper as
 * `all-authenticated` does: the pods it selects are flagged, naming it (./linkerd-admin-authz). A policy naming
 * identities (allow-scrapes authorizes Prometheus's ServiceAccount) or a NetworkAuthentication counts as authorized.
 *
 * `config.linkerd.io/admin-port` (pod template, else namespace) moves the admin listener and its port
 * name `linkerd-admin`: a pod is covered by a Server naming `linkerd-admin` or its own admin port number.
 *
 * The cluster-wide default (`proxy.defaultInboundPolicy`) is not in the manifests: only policies
 * the pod template or the namespace annotate are judged, unless the lint is told the mesh
 * (`PolicyLintOptions.mesh: Mesh.linkerd()` with `linkerdDefaultInboundPolicy`): then the meshed
 * namespaces and workloads that annotate no policy are judged by that default. Under another mesh or
 * `Mesh.none()` the rule does not apply (no findings). A Server on the admin port with
 * `accessPolicy: deny` and no authorization is linkerd-server-without-authorization's finding.
 */
const POLICY = 'config.linkerd.io/default-inbound-policy';
const REQUIRE_IDENTITY = 'config.linkerd.io/proxy-require-identity-inbound-ports';
const GROUP = 'policy.linkerd.io';
/** Where a policy no annotation sets comes from, when the lint is told it (`linkerdDefaultInboundPolicy`). */
const CLUSTER_DEFAULT = 'the cluster default proxy.defaultInboundPolicy';

/** Whom a policy refuses on the admin port: every client, or the clients without a mesh identity. */
type Refused = 'everyone' | 'unmeshed';

interface Effective {
  readonly refused: Refused;
  /** `the default inbound policy deny (annotated on namespace shop)`. */
  readonly what: string;
  /** The clients the policy admits, for an `unmeshed` refusal. */
  readonly admits?: string;
  /** The proxy's admin port on these pods (`config.linkerd.io/admin-port`). @default 4191 */
  readonly port?: number;
}

/** What `policy` (with the admin port in the require-identity list or not) refuses on the admin port; undefined: an unmeshed client is admitted. */
function refusalOf(policy: string, requireIdentity: boolean): { refused: Refused; admits?: string } | undefined {
  switch (policy) {
    case 'deny':
      return { refused: 'everyone' };
    case 'all-authenticated':
      return { refused: 'unmeshed', admits: 'meshed clients only (mutual TLS with a Linkerd identity)' };
    case 'cluster-authenticated':
      return { refused: 'unmeshed', admits: 'meshed clients only (mutual TLS with a Linkerd identity, from the Helm value clusterNetworks)' };
    case 'all-unauthenticated':
    case 'cluster-unauthenticated':
      // require-identity narrows an Allow default to authenticated clients (policy-controller `default_inbound_server`).
      return requireIdentity ? { refused: 'unmeshed', admits: 'meshed clients only (mutual TLS with a Linkerd identity)' } : undefined;
    default:
      // audit admits everyone; a value Linkerd cannot parse falls back to the cluster default, which the manifests do not show.
      return undefined;
  }
}

interface AdminServer {
  readonly doc: LintDocument;
  readonly name: string;
  readonly selector: LabelSelector | undefined;
  /** `spec.port`: `linkerd-admin` or a number. */
  readonly port: unknown;
  readonly authorized: boolean;
  /**
   * Every authorization of the Server admits meshed clients only, as `all-authenticated` does (`MeshTLSAuthentication
   * shop/x (identities *)`, one per distinct authentication): an unmeshed scraper is refused. @default undefined: not so
   */
  readonly meshedOnly?: string;
  readonly accessPolicy: string;
  /** An HTTPRoute Linkerd accepts has the Server as parent: Linkerd's probe route is gone from it. */
  readonly routed: boolean;
}

/** Servers (policy.linkerd.io) naming port `adminPort` or `linkerd-admin`, per namespace, with whether anything authorizes them. */
function adminServers(ctx: LintContext, adminPort: (ns: string) => number[]): Map<string, AdminServer[]> {
  // Per target (`ns|server`, `ns|*` for the namespace): each policy's meshed-only authentication, undefined when it may admit the scraper.
  const targeted = new Map<string, Array<string | undefined>>();
  const routeTargets = new Map<string, Array<string | undefined>>();
  const target = (map: Map<string, Array<string | undefined>>, key: string, values: Array<string | undefined>) =>
    map.set(key, [...(map.get(key) ?? []), ...values]);
  const routed = new Set<string>();
  const legacy: Array<{ ns: string; server: Record<string, any> }> = [];
  for (const doc of ctx.documents) {
    const obj = doc.obj;
    if (!isObject(obj) || apiGroupOf(obj) !== GROUP) continue;
    const ns = namespaceOf(obj);
    if (obj.kind === 'AuthorizationPolicy') {
      const refs = obj.spec?.requiredAuthenticationRefs;
      if (Array.isArray(refs) && refusedAuthentications(refs) !== undefined) continue;
      const ref = isObject(obj.spec?.targetRef) ? obj.spec.targetRef : {};
      const meshedOnly = meshedOnlyAuthentication(obj, ctx.documents);
      if (isLinkerdKind(ref.kind, 'Server') && isLinkerdGroup(ref.group, GROUP)) target(targeted, `${ns}|${String(ref.name)}`, [meshedOnly]);
      if (isLinkerdKind(ref.kind, 'Namespace') && isLinkerdGroup(ref.group, '')) target(targeted, `${ns}|*`, [meshedOnly]);
      if (isLinkerdKind(ref.kind, 'HTTPRoute')) target(routeTargets, `${ns}|${String(ref.group ?? '').toLowerCase()}|${String(ref.name)}`, [meshedOnly]);
    }
    if (obj.kind === 'ServerAuthorization' && isObject(obj.spec?.server)) legacy.push({ ns, server: obj.spec.server });
  }
  for (const doc of ctx.documents) {
    const obj = doc.obj;
    const group = isObject(obj) ? apiGroupOf(obj) : '';
    if (!isObject(obj) || obj.kind !== 'HTTPRoute' || (group !== GROUP && group !== 'gateway.networking.k8s.io')) continue;
    const ns = namespaceOf(obj);
    const parents = serverParents(obj, ns);
    for (const name of Array.isArray(parents) ? parents : []) routed.add(`${ns}|${name}`);
    const policies = routeTargets.get(`${ns}|${group.toLowerCase()}|${nameOf(obj)}`);
    if (!policies) continue;
    for (const name of Array.isArray(parents) ? parents : []) target(targeted, `${ns}|${name}`, policies);
  }
  const out = new Map<string, AdminServer[]>();
  for (const doc of ctx.documents) {
    const obj = doc.obj;
    if (!isObject(obj) || obj.kind !== 'Server' || apiGroupOf(obj) !== GROUP || !isObject(obj.spec)) continue;
    const ns = namespaceOf(obj);
    const port = obj.spec.port;
    if (port !== LINKERD_ADMIN_PORT_NAME && !(typeof port === 'number' && adminPort(ns).includes(port))) continue;
    const name = nameOf(obj);
    const labels: Record<string, string> = isObject(obj.metadata?.labels) ? obj.metadata.labels : {};
    // A legacy ServerAuthorization picks its Servers by name or by a label selector on the Servers.
    const byLegacy = legacy.some((l) => l.ns === ns && (l.server.name === name
      || (isObject(l.server.selector) && matchesLabelSelector(l.server.selector as LabelSelector, labels))));
    const policies = [...targeted.get(`${ns}|${name}`) ?? [], ...targeted.get(`${ns}|*`) ?? []];
    const authorized = policies.length > 0 || byLegacy;
    const selector = isObject(obj.spec.podSelector) ? obj.spec.podSelector as LabelSelector : undefined;
    const accessPolicy = typeof obj.spec.accessPolicy === 'string' ? obj.spec.accessPolicy : 'deny';
    // Meshed only: authorized by policies that all require any mesh identity (a legacy ServerAuthorization is not judged), and an
    // accessPolicy that does not admit unmeshed clients either.
    const meshedOnly = !byLegacy && policies.length > 0 && policies.every((p) => p !== undefined) && refusalOf(accessPolicy, false) !== undefined
      ? [...new Set(policies as string[])].sort().join(', ') : undefined;
    out.set(ns, [...(out.get(ns) ?? []), {
      doc, name, selector, port, authorized, ...(meshedOnly !== undefined ? { meshedOnly } : {}), accessPolicy, routed: routed.has(`${ns}|${name}`),
    }]);
  }
  return out;
}

/** No authorized Server on the admin port: what a finding on a namespace or a workload says is missing. */
const noServer = (port: number) => `no Server in these manifests selecting them on that port (${port} or ${LINKERD_ADMIN_PORT_NAME}) is authorized`;

/** Linkerd's default probe route still on the admin port: the proxy's own probes pass. */
const probesPass = (port: number) => `The proxy's own kubelet probes (GET /live and /ready on ${port}) still pass: Linkerd's default probe route admits them `
  + 'from policyController.probeNetworks (every address unless installed otherwise)';
/** A Server with HTTPRoutes on the admin port: no probe route, the proxy's probes go by those routes. */
const PROBES_ROUTED = `The proxy's own kubelet probes (GET /live and /ready on ${LINKERD_ADMIN_PORT}) have no default probe route here, as HTTPRoutes `
  + 'have the Server as parent: they pass only if a route matches them and admits the kubelet (see linkerd-admin-server-refuses-proxy-probes)';

/** What breaks, for a finding's message; `missing` says what the manifests lack. */
function consequence(e: Effective, who: string, missing?: string, probes?: string): string {
  const port = e.port ?? LINKERD_ADMIN_PORT;
  const refused = 'GET /metrics scrapes of the Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow';
  const head = e.refused === 'everyone'
    ? `${e.what} refuses every client, meshed or not, on the Linkerd proxy's admin port ${port} of ${who}, and`
    : `${e.what} admits ${e.admits} on the Linkerd proxy's admin port ${port} of ${who}, and`;
  const scrape = e.refused === 'everyone' ? `Prometheus's ${refused}` : `if your scraper (Prometheus) is not meshed, its ${refused}`;
  return `${head} ${missing ?? noServer(port)}: ${scrape}. ${probes ?? probesPass(port)}`;
}

function fixFor(e: Effective, ns: string, pods: string): string {
  const who = e.refused === 'everyone' ? 'your scraper' : 'your scraper (if it is not meshed, by its network)';
  return `add a Server (policy.linkerd.io/v1beta3) in ${ns} selecting ${pods} with port: ${LINKERD_ADMIN_PORT_NAME} and proxyProtocol: HTTP/1, and an `
    + `AuthorizationPolicy targeting it that admits ${who}: its ServiceAccount or a MeshTLSAuthentication for a meshed scraper, a `
    + `NetworkAuthentication of its pod network for an unmeshed one (LinkerdAuthorization.allowFlow with ports [${e.port ?? LINKERD_ADMIN_PORT}] emits both); `
    + 'if you attach HTTPRoutes to that Server, give GET /live and /ready a route authorized for the kubelet\'s network too, or the proxy\'s '
    + 'probes lose the default probe route and are refused';
}

/**
 * Meshed namespaces and workloads whose annotated default inbound policy refuses Prometheus's
 * scrapes of the Linkerd proxy's admin port, with no authorized Server on that port.
 */
export const linkerdAdminPort: LintRule = {
  ids: ['linkerd-admin-port-unauthorized'],
  check(ctx: LintContext): RuleReport[] {
    // Told another mesh (or none): no Linkerd proxy, no admin port.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'linkerd') return [];
    // The cluster-wide default inbound policy, when the lint is told it.
    const facts = ctx.mesh?.facts;
    const clusterDefault = facts?.linkerdDefaultPolicyGiven ? facts.linkerdDefaultPolicy as string : undefined;
    const namespaces = new Map<string, { doc: LintDocument; annotations: Record<string, unknown> }>();
    for (const doc of ctx.documents) {
      if (!isNamespace(doc.obj) || typeof doc.obj.metadata?.name !== 'string') continue;
      const annotations = isObject(doc.obj.metadata.annotations) ? doc.obj.metadata.annotations : {};
      if (!namespaces.has(doc.obj.metadata.name)) namespaces.set(doc.obj.metadata.name, { doc, annotations });
    }
    const nsAnnotation = (ns: string, key: string): string | undefined => {
      const value = namespaces.get(ns)?.annotations[key];
      return typeof value === 'string' ? value : undefined;
    };
    // The admin port, moved by `config.linkerd.io/admin-port` (pod, else namespace): a Server naming any of them counts.
    const adminPorts = adminPortsByNamespace(ctx.documents);
    const servers = adminServers(ctx, (ns) => [...(adminPorts.get(ns) ?? [LINKERD_ADMIN_PORT])]);
    const out: RuleReport[] = [];

    // A Server on the admin port whose accessPolicy admits only meshed clients, and nothing authorizes it.
    for (const [, list] of [...servers].sort(([a], [b]) => a.localeCompare(b))) {
      for (const server of list) {
        const refusal = server.authorized ? undefined : refusalOf(server.accessPolicy, false);
        if (refusal?.refused !== 'unmeshed') continue;
        const effective: Effective = { ...refusal, what: `Server '${server.name}' with accessPolicy ${server.accessPolicy}` };
        out.push({
          doc: server.doc,
          severity: LintSeverity.WARNING,
          path: 'spec.accessPolicy',
          message: consequence(effective, 'the pods it selects', 'no AuthorizationPolicy or ServerAuthorization in these manifests authorizes it',
            server.routed ? PROBES_ROUTED : undefined),
          fix: `add an AuthorizationPolicy targeting Server '${server.name}' that admits your scraper (if it is not meshed, a NetworkAuthentication of its `
            + 'pod network), or set accessPolicy: all-unauthenticated if the proxy admin endpoints may be open',
        });
      }
    }

    // A meshed namespace whose own annotations refuse scrapes, with no Server on the admin port at all.
    const reported = new Set<string>();
    for (const [ns, { doc, annotations }] of namespaces) {
      const annotated = nsAnnotation(ns, POLICY);
      const policy = annotated ?? clusterDefault;
      // Pods that say nothing themselves are injected (or not) as the namespace says.
      const nsLabels = isObject(doc.obj?.metadata?.labels) ? doc.obj.metadata.labels : undefined;
      if (linkerdInjection(undefined, annotations, false, { namespace: ns, namespaceLabels: nsLabels }).injected !== true || policy === undefined
        || (servers.get(ns) ?? []).length > 0) continue;
      // An admin port no port can be: the pods taking it are never created (linkerd-port-annotation-invalid says so).
      const port = linkerdAdminPortOf(undefined, nsAnnotation(ns, LINKERD_ADMIN_PORT_ANNOTATION)).port;
      if (port === undefined) continue;
      const requireText = nsAnnotation(ns, REQUIRE_IDENTITY);
      const requireIdentity = requireText !== undefined && linkerdPortSet(requireText)(port);
      const refusal = refusalOf(policy, requireIdentity);
      if (!refusal) continue;
      reported.add(ns);
      const narrowed = requireIdentity && refusal.refused === 'unmeshed' && !policy.endsWith('-authenticated');
      const origin = annotated !== undefined ? `annotated on namespace ${ns}` : CLUSTER_DEFAULT;
      const what = narrowed
        ? `the default inbound policy ${policy} (${origin}), narrowed on port ${port} by its ${REQUIRE_IDENTITY},`
        : `the default inbound policy ${policy} (${origin})`;
      const effective: Effective = { ...refusal, what, port };
      const key = narrowed ? REQUIRE_IDENTITY : annotated !== undefined ? POLICY : undefined;
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        ...(key !== undefined ? { path: `metadata.annotations${jsonKey(key)}` } : {}),
        message: consequence(effective, 'the namespace\'s pods that set no policy of their own'),
        fix: fixFor(effective, ns, 'its meshed pods (an empty podSelector selects them all)'),
      });
    }

    // A meshed workload whose policy (its own, else its namespace's) refuses scrapes, and no Server on the admin port selects it.
    for (const doc of ctx.documents) {
      const template = podTemplateOf(doc.obj);
      if (!template) continue;
      const ns = namespaceOf(doc.obj);
      const podAnnotations: Record<string, unknown> = isObject(template.metadata?.annotations) ? template.metadata.annotations : {};
      const own = (key: string): string | undefined => (typeof podAnnotations[key] === 'string' ? podAnnotations[key] as string : undefined);
      const policy = own(POLICY) ?? nsAnnotation(ns, POLICY) ?? clusterDefault;
      // Only pods surely injected (a namespace the manifests do not show injects nothing here).
      const nsObject = namespaces.get(ns)?.doc.obj;
      const hostNetwork = isPlainObject(template.spec) && template.spec.hostNetwork === true;
      const injected = linkerdInjection(podAnnotations, namespaces.get(ns)?.annotations ?? {}, hostNetwork,
        {
          namespace: ns,
          namespaceLabels: isObject(nsObject?.metadata?.labels) ? nsObject.metadata.labels : undefined,
          podLabels: isObject(template.metadata?.labels) ? template.metadata.labels : undefined,
        }).injected;
      if (injected !== true || policy === undefined) continue;
      // Pods whose admin port is not known are never created, or not known to be (linkerd-port-annotation-invalid).
      const port = linkerdAdminPortOf(own(LINKERD_ADMIN_PORT_ANNOTATION), nsAnnotation(ns, LINKERD_ADMIN_PORT_ANNOTATION)).port;
      if (port === undefined) continue;
      // The namespace's finding covers the pods that take everything from it.
      if (reported.has(ns) && own(POLICY) === undefined && own(REQUIRE_IDENTITY) === undefined
        && own(LINKERD_ADMIN_PORT_ANNOTATION) === undefined) continue;
      const labels: Record<string, string> = isObject(template.metadata?.labels) ? template.metadata.labels : {};
      // Only a Server on these pods' own admin port (its name, or the number the annotation gives) describes it; it may select
      // the pods by the labels the proxy injector adds (allow-scrapes: linkerd.io/control-plane-ns Exists).
      const selecting = (servers.get(ns) ?? []).filter((s) => (s.port === LINKERD_ADMIN_PORT_NAME || s.port === port)
        && s.selector !== undefined && matchesLabelSelector(s.selector, { ...labels, ...injectedLabels(doc.obj, ns, s.selector) }));
      // A Server on the admin port decides instead of the default policy (linkerd-server-without-authorization judges one nothing
      // authorizes). One whose authorizations all require any mesh identity refuses an unmeshed scraper as all-authenticated does.
      if (selecting.length > 0) {
        const server = selecting.every((s) => s.meshedOnly !== undefined) ? selecting[0] : undefined;
        if (server) {
          out.push({
            doc,
            severity: LintSeverity.WARNING,
            message: `Server '${server.name}' selects these pods on the Linkerd proxy's admin port ${port}, and its AuthorizationPolicies admit `
              + `meshed clients only (${server.meshedOnly}): if your scraper (Prometheus) is not meshed, its GET /metrics scrapes of the `
              + `Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow. ${server.routed ? PROBES_ROUTED : probesPass(port)}`,
            fix: `add an AuthorizationPolicy targeting Server '${server.name}' that admits your scraper: if it is not meshed, a `
              + `NetworkAuthentication of its pod network (LinkerdAuthorization.allowFlow with ports [${port}] from a network source emits one); `
              + 'if it is meshed, its ServiceAccount',
          });
        }
        continue;
      }
      const requireText = own(REQUIRE_IDENTITY) ?? nsAnnotation(ns, REQUIRE_IDENTITY);
      const requireIdentity = requireText !== undefined && linkerdPortSet(requireText)(port);
      const refusal = refusalOf(policy, requireIdentity);
      if (!refusal) continue;
      const where = (key: string) => (own(key) !== undefined ? 'on the pod template' : `on namespace ${ns}`);
      // The policy's origin: an annotation, else the cluster default the lint is told.
      const origin = own(POLICY) !== undefined || nsAnnotation(ns, POLICY) !== undefined ? `annotated ${where(POLICY)}` : CLUSTER_DEFAULT;
      const narrowed = requireIdentity && refusal.refused === 'unmeshed' && !policy.endsWith('-authenticated');
      const what = narrowed
        ? `the default inbound policy ${policy} (${origin}), narrowed on port ${port} by ${REQUIRE_IDENTITY} (${where(REQUIRE_IDENTITY)}),`
        : `the default inbound policy ${policy} (${origin})`;
      const key = narrowed ? REQUIRE_IDENTITY : POLICY;
      const base = [...WORKLOAD_TEMPLATES[doc.obj.kind].path, 'metadata', 'annotations'].join('.');
      const effective: Effective = { ...refusal, what, port };
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        ...(own(key) !== undefined ? { path: `${base}${jsonKey(key)}` } : {}),
        message: consequence(effective, 'these pods'),
        fix: fixFor(effective, ns, 'these pods'),
      });
    }
    return out;
  },
};
