/**
 * The mesh authorization a meshed ThreeTierApp emits for its internal tier hops under Istio ambient
 * and Linkerd, where meshed pod-to-pod traffic reaches the destination pod on the mesh's transport
 * port (HBONE 15008, Linkerd's inbound proxy 4143) and the NetworkPolicies therefore admit a meshed
 * source tier to every port of the next tier. Written with IstioAuthorization and
 * LinkerdAuthorization, and plugged into patterns/ (which sits below mesh/) at load time.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { appObjects, keepAppObjectsPerWalk } from '../util/app-objects';
import { IstioAuthorization } from './istio/istio-authorization';
import { LinkerdAuthorization } from './linkerd/linkerd-authorization';
import { isAmbient } from './mesh-context';
import { linkerdIdentitySuffix } from './mesh-identity';
import { MeshSource } from './mesh-source';
import { checkFormerTierIdentity } from './three-tier-former-identity';
import { allowPoliciesRefusingHops } from './three-tier-istio-allows';
import { AppServerPods, overlappingForeignServers } from './three-tier-linkerd-servers';
import { unauthenticatedSourceProblems } from './three-tier-linkerd-sources';
import { sharedSourceAccountProblems } from './three-tier-shared-account';
import { ClusterNetwork } from '../cluster/cluster-network';
import { MeshKind } from '../cluster/mesh';
import { LINKERD_DEFAULT_INBOUND_POLICY } from '../patterns/mesh-membership';
import { LinkerdInboundPolicy } from '../patterns/mesh-options';
import {
  MeshTierAuthorization, MeshTierAuthorizationRequest, registerMeshTierAuthorizer,
} from '../patterns/three-tier/mesh-tier-hops';
import { internalError } from '../util/errors';


/**
 * Istio ambient: ztunnel enforces L4 AuthorizationPolicies (principals, ports, `destination.port`
 * conditions: istio.io "Use Layer 4 security policy"; istiod hands ztunnel a `when destination.port`
 * with notValues as NotDestinationPorts, ANDed with the rule's principals: istio/istio
 * pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go, handleRule). Per hop one DENY policy on the destination
 * tier's pods: the source tier's principal on any port but the tier port. A DENY changes nothing for
 * any other caller (an ALLOW would deny every caller it does not list: the ingress controller,
 * Prometheus, callers the user allowed), and the source's plaintext path to those ports is closed by
 * the NetworkPolicies (they admit it on the tier port and the HBONE port only), so no STRICT
 * PeerAuthentication is needed: an ambient pod reaches a meshed pod over HBONE, with its identity.
 *
 * Linkerd: Linkerd authorizes per port (Server) and has no DENY, so the destination tiers' pods get
 * the default inbound policy `deny` (every port no Server describes is refused, to everyone), and
 * per destination tier two Servers:
 *
 * - on the tier port, one AuthorizationPolicy admitting exactly the source tier's mesh identity (its
 *   ServiceAccount `<app>-<tier>`: a MeshTLSAuthentication), which is what the NetworkPolicies admit
 *   there. Admitting the namespace default's clients instead would let any pod the NetworkPolicies
 *   admit on ANOTHER port of the tier (whose twin rule opens 4143, which carries every port) reach the
 *   tier port too. The kubelet's probes keep working: an httpGet probe takes the probe route the
 *   policy controller adds to a Server without HTTPRoutes, authorized for unauthenticated clients of
 *   `probeNetworks` (linkerd/linkerd2#8945, Linkerd 2.12+; ./linkerd/probes), and on an opaque tier
 *   port (no probe route) it is refused at synth (opaqueProbeProblems); a tcpSocket probe (the
 *   database's) passes because the proxy accepts the connection before authorizing it
 *   (linkerd/linkerd2#7777), as it did before (the analyzer notes it: analysis/mesh/linkerd-tcp-probes).
 *   Other callers the user admits to the tier port (NetworkPolicy) must be named in the mesh by a
 *   port-level flow of the user's on the same Server, or a namespace-wide AuthorizationPolicy (refused at
 *   synth otherwise: patterns/three-tier/mesh-tier-conflicts; a route-level flow there is refused, see
 *   foreignServerPolicies), and so must a pod carrying
 *   the source tier's labels under another ServiceAccount (a canary); a source tier that would
 *   connect without its identity is refused at synth (./three-tier-linkerd-sources).
 * - on the proxy's admin port (4191: metrics, /live and /ready), one admitting whom the namespace's
 *   default policy admitted there before ({@link DEFAULT_POLICY_SOURCES}): the NetworkPolicies
 *   restrict 4191 to the monitoring pods and the node (`allow-linkerd-metrics`, the probes), and the
 *   scrape keeps working where it did. Only this Server depends on the assumed default policy.
 *
 * A namespace whose default policy is already `deny` gets the tier-port Servers, and one on the
 * frontend port: without them its default refuses the tier hops the NetworkPolicies admit and the
 * ingress controller's (or Gateway's) requests to the frontend but for Linkerd's probe route (the
 * app would ship broken under the strictest policy). The frontend-port Server
 * (`<app>-frontend-ingress`) admits `MeshSource.anyone()`: the ingress controller's or Gateway's
 * identity is not known here (it may be unmeshed, or meshed under any account), and the frontend's
 * NetworkPolicies narrow who reaches the port to the ingress controller or gateway pods, the
 * monitoring pods and the node. The port is then as open in the mesh as under
 * `all-unauthenticated`: a meshed pod the NetworkPolicies admit to another port of the frontend
 * (whose twin rule opens 4143, which carries every port) reaches this port too, as under any
 * non-`deny` default (`all-authenticated` too: such a pod has an identity).
 * Like an admin-port Server, it takes no flow of others (a narrower one would
 * be voided by `anyone`). The frontend pods get no `deny` annotation: the app restricts nothing on
 * them (their other ports keep the namespace's policy, as under the other defaults), this Server
 * only gives back the port the namespace's `deny` closed. The admin port admitted nobody, so it
 * gets no Server: the scrape stays refused, as before (PolicyLint `linkerd-admin-port-unauthorized`
 * says so; the proxy's own probes keep Linkerd's probe route). The destination pods' `deny`
 * annotation is asked for as under the other policies; the app leaves it out where its own
 * Namespace object carries it (see ThreeTierApp), keeping it where the namespace is not its to show.
 *
 * Under both meshes the authorization tells a source tier by its account alone: another workload of
 * the namespace running as it is refused at synth (./three-tier-shared-account).
 */
function authorizeTierHops(request: MeshTierAuthorizationRequest): MeshTierAuthorization {
  const { scope, namespace, appName, hops } = request;
  const cluster = ClusterNetwork.of(scope);
  // The tiers no longer run as `default` (even where nothing below is emitted): authorization naming it no longer admits them.
  const accounts = [...new Map(hops.flatMap(({ from, to }) => [[from.tier, from.serviceAccount], [to.tier, to.serviceAccount]])).values()];
  checkFormerTierIdentity(scope, namespace, accounts);
  if (isAmbient(cluster)) {
    const istio = new IstioAuthorization(scope, 'MeshTierAuthorization', { namespace, allowNothing: false });
    const objects = hops.map(({ from, to }) => istio._denyMeshedFlow(`${appName}-${from.tier}-to-${to.tier}-other-ports`, {
      from: [MeshSource.serviceAccount(from.serviceAccount, namespace)],
      to: to.podLabels,
      when: [{ key: 'destination.port', notValues: [String(to.port)] }],
    }));
    const shared = hops.map(({ from, to }, i) => ({
      from,
      to,
      consequence: `the app's DENY policy '${objects[i].name}' refuses that identity every port of the ${to.tier} pods but ${to.port}, `
        + 'so ztunnel would silently refuse it any other port of theirs that a NetworkPolicy allows it',
    }));
    // The DENY policies keep the hops open only while no ALLOW policy selects the tiers' pods. The app's objects are read
    // once per validation walk from the first one on (registered before the check, as under Linkerd below).
    keepAppObjectsPerWalk(scope);
    scope.node.addValidation({
      validate: () => {
        const all = scope.node.root.node.findAll();
        return [
          ...allowPoliciesRefusingHops(scope.node.root, namespace, cluster.mesh.rootNamespace ?? 'istio-system',
            cluster.mesh.trustDomain, hops).map((p) => `meshTierAuthorization: ${p}`),
          ...sharedSourceAccountProblems(all, appObjects(scope, all), namespace, shared),
        ];
      },
    });
    return { objects, destinationPodAnnotations: {} };
  }
  if (cluster.mesh.kind !== MeshKind.LINKERD) {
    throw internalError(`ThreeTierApp asked for tier authorization under ${cluster.mesh.displayName}, which keeps the application ports`);
  }
  const policy = (request.linkerdDefaultInboundPolicy ?? LinkerdInboundPolicy.ALL_UNAUTHENTICATED) as LinkerdInboundPolicy;
  // Undefined under deny: the admin port admitted nobody, and gets no Server.
  const sources = DEFAULT_POLICY_SOURCES[policy];
  const linkerd = new LinkerdAuthorization(scope, 'MeshTierAuthorization', { namespace });
  // The kubelet's unauthenticated httpGet probe on an opaque tier port (no probe route): the remedies are the app's props and annotations.
  linkerd._opaqueProbeAdvice = 'The app\'s Server on this port admits the source tier\'s mesh identity only (and the port-level flows you add on it), '
    + 'not the kubelet: give the tier a port outside the pods\' opaque ports (Linkerd\'s default proxy.opaquePorts, or the namespace\'s '
    + 'config.linkerd.io/opaque-ports), write config.linkerd.io/opaque-ports without it on the namespace if the port speaks HTTP, or set '
    + 'meshTierAuthorization: false and authorize the tiers yourself';
  const adminPorts = cluster.mesh.networkNeeds().metricsPorts.map((p) => p.port);
  const destinations = [...new Map(hops.map(({ to }) => [to.tier, to])).values()];
  const servers = new Map<string, AppServer>();
  const serverPods: AppServerPods[] = [];
  const tierServers: Record<string, string> = {};
  const objects = destinations.flatMap((to) => {
    const froms = hops.filter((h) => h.to.tier === to.tier).map((h) => h.from);
    // A tier port the pods have opaque stays opaque: LinkerdAuthorization gives each Server the pods' protocol.
    const tier = linkerd.allowFlow(`${appName}-${froms.map((f) => f.tier).join('-')}-to-${to.tier}`, {
      from: froms.map((f) => MeshSource.serviceAccount(f.serviceAccount, namespace)), to: to.podLabels, ports: [to.port],
    });
    const admin = sources && linkerd.allowFlow(`${appName}-${to.tier}-proxy-admin`, { from: sources(), to: to.podLabels, ports: adminPorts });
    const server = tier.authorizationPolicies[0].toJson().spec.targetRef.name;
    tierServers[to.tier] = server;
    const sourceTiers = froms.map((f) => f.tier).join(' and ');
    servers.set(server, { what: `the ${to.tier} pods' port ${to.port}`, tierPort: true, admitted: `the ${sourceTiers} identity only` });
    serverPods.push({ name: server, port: to.port, labels: to.podLabels, what: `the ${to.tier} pods' port ${to.port}`, takesFlows: true });
    if (!admin) return [tier.authentication, ...tier.authorizationPolicies];
    const admitted = `${policy.endsWith('-authenticated') ? 'any meshed identity' : 'anyone'} (as the namespace's default inbound policy ${policy} did)`;
    admin.authorizationPolicies.forEach((p, i) => {
      servers.set(p.toJson().spec.targetRef.name, { what: `the ${to.tier} pods' port ${adminPorts[i]}`, tierPort: false, admitted });
      serverPods.push({
        name: p.toJson().spec.targetRef.name, port: adminPorts[i], labels: to.podLabels, what: `the ${to.tier} pods' port ${adminPorts[i]}`, takesFlows: false,
      });
    });
    return [tier.authentication, ...tier.authorizationPolicies, admin.authentication, ...admin.authorizationPolicies];
  });
  // Under deny the namespace refused the frontend port as well: the ingress controller's (or Gateway's) requests to it got
  // through only on Linkerd's probe route. Whom to name is not known: anyone, narrowed by the frontend's NetworkPolicies.
  if (policy === LinkerdInboundPolicy.DENY) {
    const { entry } = request;
    const flow = linkerd.allowFlow(`${appName}-${entry.tier}-ingress`, { from: [MeshSource.anyone()], to: entry.podLabels, ports: [entry.port] });
    const what = `the ${entry.tier} pods' port ${entry.port}`;
    flow.authorizationPolicies.forEach((p) => {
      const name = p.toJson().spec.targetRef.name;
      servers.set(name, { what, tierPort: false, admitted: 'anyone (the ingress controller\'s or Gateway\'s identity is not known here; the NetworkPolicies narrow who reaches the port)' });
      serverPods.push({ name, port: entry.port, labels: entry.podLabels, what, takesFlows: false });
    });
    objects.push(flow.authentication, ...flow.authorizationPolicies);
  }
  const own = new Set(objects);
  // As LinkerdAuthorization names identities.
  const identitySuffix = linkerdIdentitySuffix(cluster.mesh);
  keepAppObjectsPerWalk(scope);
  scope.node.addValidation({
    validate: () => {
      // One walk of the tree per check, read by each part (the app's objects among it synthesized once).
      const all = scope.node.root.node.findAll();
      const foreign = foreignServerPolicies(all, namespace, servers, own);
      const app = appObjects(scope, all);
      return [
        ...foreign,
        ...overlappingForeignServers(all, app, namespace, serverPods).map((p) => `meshTierAuthorization: ${p}`),
        ...unauthenticatedSourceProblems(all, app, namespace, hops, tierServers, own, identitySuffix).map((p) => `meshTierAuthorization: ${p}`),
        ...sharedSourceAccountProblems(all, app, namespace, hops.map(({ from, to }) => ({
          from,
          to,
          consequence: `the app's Server '${tierServers[to.tier]}' on the ${to.tier} pods' port ${to.port} admits that identity, so a `
            + `NetworkPolicy allowing it any port of the ${to.tier} pods (which opens the proxy's port ${cluster.mesh.networkNeeds().transportPort?.port}, carrying every port) would let it reach `
            + `port ${to.port} too`,
        }))),
      ];
    },
  });
  return { objects, destinationPodAnnotations: { [LINKERD_DEFAULT_INBOUND_POLICY]: LinkerdInboundPolicy.DENY }, tierServers };
}

/** One of the app's Linkerd Servers, for messages. */
interface AppServer {
  /** `the backend pods' port 8080`. */
  readonly what: string;
  /** On a tier port (admits the source tier's identity), else on a proxy admin port (admits the namespace default's clients). */
  readonly tierPort: boolean;
  /** Whom the app's policy on it admits. */
  readonly admitted: string;
}

/**
 * The Linkerd objects of others (flows of LinkerdAuthorization or MeshAuthorization, or written by
 * hand) that attach to the app's Servers and would be voided or would void the app's restriction.
 * Linkerd admits a client that any AuthorizationPolicy of the Server (or of the route a request
 * takes) authorizes, and an AuthorizationPolicy targeting a Server authorizes its clients on every
 * route (linkerd.io "Authorization Policy" reference):
 *
 * - on an admin-port Server, the app's policy admitting the namespace default's clients would void
 *   any narrower flow: every AuthorizationPolicy or HTTPRoute attaching to it is refused;
 * - on a tier-port Server, a port-level AuthorizationPolicy of the user's adds the callers it names
 *   (that is how a caller the NetworkPolicies admit to the tier port is named in the mesh), but an
 *   HTTPRoute (a route-level flow) is refused: the app's Server-level policy would give the source
 *   tier every route anyway, and the routes take away the probe route of the tier's httpGet probes.
 */
function foreignServerPolicies(all: readonly IConstruct[], namespace: string, servers: ReadonlyMap<string, AppServer>,
  own: ReadonlySet<ApiObject>): string[] {
  const problems: string[] = [];
  for (const c of all) {
    if (!(c instanceof ApiObject) || own.has(c) || c.metadata.namespace !== namespace) continue;
    const group = c.apiVersion.split('/')[0];
    if (group !== 'policy.linkerd.io' && group !== 'gateway.networking.k8s.io') continue;
    const spec = c.toJson().spec ?? {};
    const refs: Array<{ group?: string; kind?: string; name?: string }> = c.kind === 'AuthorizationPolicy' ? [spec.targetRef ?? {}]
      : c.kind === 'HTTPRoute' || c.kind === 'GRPCRoute' ? spec.parentRefs ?? [] : [];
    const ref = refs.find((r) => r.group === 'policy.linkerd.io' && r.kind === 'Server' && r.name !== undefined && servers.has(r.name));
    if (!ref) continue;
    const server = servers.get(ref.name!)!;
    if (server.tierPort && c.kind === 'AuthorizationPolicy') continue;
    const head = `meshTierAuthorization: the ${c.kind} '${c.name}' (${c.node.path}) targets the Server '${ref.name}' (${server.what}), on which the `
      + `app authorizes ${server.admitted}: `;
    problems.push(server.tierPort
      ? `${head}the app's policy targets the Server, so Linkerd gives those callers every route of it whatever the routes say, and a Server with `
        + 'HTTPRoutes loses Linkerd\'s probe route. Name further callers of the port with a port-level flow (no methods or paths), or set '
        + 'meshTierAuthorization: false and authorize the tiers in the mesh yourself (MeshAuthorization flows with ports)'
      : `${head}Linkerd admits a client any policy of the Server authorizes, so the flow would no longer restrict who reaches the port. Set `
        + 'meshTierAuthorization: false and authorize the tiers in the mesh yourself (MeshAuthorization flows with ports), or remove the flow');
  }
  return problems;
}

/**
 * Whom each Linkerd default inbound policy admits, as the sources of the admin-port flow (undefined:
 * nobody, and no admin-port Server). Only the admin-port Servers use it (the tier-port Servers name
 * the source tier), so only they depend on two approximations: a namespace that declares no policy is assumed to have Linkerd's
 * install default `all-unauthenticated` (a cluster installed with another default differs: declare
 * the namespace's policy), and the `cluster-*` policies, which also require the client's address in
 * the cluster's networks (not known to the Mesh fact), are written as their `all-*` counterpart, which
 * differs only for clients outside the cluster networks. The namespace's NetworkPolicies admit none of
 * those to 4191 (only the monitoring pods and the node); an allow of the namespace from an address
 * block to the tier's pods is refused at synth by ThreeTierApp instead.
 */
const DEFAULT_POLICY_SOURCES: Record<LinkerdInboundPolicy, (() => MeshSource[]) | undefined> = {
  [LinkerdInboundPolicy.ALL_UNAUTHENTICATED]: () => [MeshSource.anyone()],
  [LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED]: () => [MeshSource.anyone()],
  [LinkerdInboundPolicy.AUDIT]: () => [MeshSource.anyone()],
  [LinkerdInboundPolicy.ALL_AUTHENTICATED]: () => [MeshSource.anyMeshWorkload()],
  [LinkerdInboundPolicy.CLUSTER_AUTHENTICATED]: () => [MeshSource.anyMeshWorkload()],
  [LinkerdInboundPolicy.DENY]: undefined,
};

registerMeshTierAuthorizer(authorizeTierHops);
