/**
 * The mesh authorization a meshed ThreeTierApp emits for its internal tier hops under Istio ambient
 * and Linkerd, where meshed pod-to-pod traffic reaches the destination pod on the mesh's transport
 * port (HBONE 15008, Linkerd's inbound proxy 4143) and the NetworkPolicies therefore admit a meshed
 * source tier to every port of the next tier. Written with IstioAuthorization and
 * LinkerdAuthorization, and plugged into patterns/ (which sits below mesh/) at load time.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IstioAuthorization } from './istio/istio-authorization';
import { LinkerdAuthorization } from './linkerd/linkerd-authorization';
import { isAmbient } from './mesh-context';
import { MeshSource } from './mesh-source';
import { checkFormerTierIdentity } from './three-tier-former-identity';
import { allowPoliciesRefusingHops } from './three-tier-istio-allows';
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
 * per destination tier Servers on the tier port and on the proxy's admin port (4191: metrics, /live
 * and /ready, which the namespace's NetworkPolicies open to monitoring) admitting whom the
 * namespace's default policy admitted there before ({@link DEFAULT_POLICY_SOURCES}): who may connect
 * stays as it was (the NetworkPolicies admit only the source tier's pods on the tier port), only the
 * other ports are refused. The kubelet's probes keep working: httpGet probes through the policy
 * controller's probe route (Servers without HTTPRoutes), tcpSocket probes (the database's) as
 * clients of the tier port as before. A namespace whose default policy is already `deny` gets
 * nothing: it refuses every port no Server describes.
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
    // The DENY policies keep the hops open only while no ALLOW policy selects the tiers' pods.
    scope.node.addValidation({
      validate: () => allowPoliciesRefusingHops(scope.node.root, namespace, cluster.mesh.rootNamespace ?? 'istio-system',
        cluster.mesh.trustDomain, hops).map((p) => `meshTierAuthorization: ${p}`),
    });
    return { objects, destinationPodAnnotations: {} };
  }
  if (cluster.mesh.kind !== MeshKind.LINKERD) {
    throw internalError(`ThreeTierApp asked for tier authorization under ${cluster.mesh.displayName}, which keeps the application ports`);
  }
  const policy = (request.linkerdDefaultInboundPolicy ?? LinkerdInboundPolicy.ALL_UNAUTHENTICATED) as LinkerdInboundPolicy;
  const sources = DEFAULT_POLICY_SOURCES[policy];
  if (sources === undefined) return { objects: [], destinationPodAnnotations: {} };
  const linkerd = new LinkerdAuthorization(scope, 'MeshTierAuthorization', { namespace });
  // A flow of the user's on the app's Servers is refused (foreignServerPolicies): the remedies are the app's props and annotations.
  linkerd._opaqueProbeAdvice = `The app's Server on this port admits meshed clients only, as the namespace's default inbound policy ${policy} did, `
    + 'and takes no flow of yours: give the tier a port outside the pods\' opaque ports (Linkerd\'s default proxy.opaquePorts, or the '
    + 'namespace\'s config.linkerd.io/opaque-ports), write config.linkerd.io/opaque-ports without it on the namespace if the port speaks HTTP, '
    + 'or set meshTierAuthorization: false and authorize the tiers yourself';
  const adminPorts = cluster.mesh.networkNeeds().metricsPorts.map((p) => p.port);
  const destinations = [...new Map(hops.map(({ to }) => [to.tier, to])).values()];
  const servers = new Map<string, string>();
  const objects = destinations.flatMap((to) => {
    const ports = [to.port, ...adminPorts];
    // A tier port the pods have opaque stays opaque: LinkerdAuthorization gives each Server the pods' protocol.
    const flow = linkerd.allowFlow(`${appName}-${to.tier}-allowed-ports`, { from: sources(), to: to.podLabels, ports });
    flow.authorizationPolicies.forEach((p, i) => servers.set(p.toJson().spec.targetRef.name, `the ${to.tier} pods' port ${ports[i]}`));
    return [flow.authentication, ...flow.authorizationPolicies];
  });
  const own = new Set(objects);
  const admitted = `${policy.endsWith('-authenticated') ? 'any meshed identity' : 'anyone'} (as the namespace's default inbound policy ${policy} did)`;
  scope.node.addValidation({ validate: () => foreignServerPolicies(scope.node.root, namespace, servers, own, admitted) });
  return { objects, destinationPodAnnotations: { [LINKERD_DEFAULT_INBOUND_POLICY]: LinkerdInboundPolicy.DENY } };
}

/**
 * The Linkerd objects of others (flows of LinkerdAuthorization or MeshAuthorization, or written by
 * hand) that attach to the app's Servers: an AuthorizationPolicy targeting one, an HTTPRoute whose
 * parent is one. Linkerd admits a client that any AuthorizationPolicy of the Server (or of the route
 * a request takes) authorizes, and an AuthorizationPolicy targeting a Server authorizes its clients
 * on every route (linkerd.io "Authorization Policy" reference), so the app's policy admitting the
 * namespace default's clients would void a narrower flow on the same Server: refused, never widened.
 */
function foreignServerPolicies(root: IConstruct, namespace: string, servers: ReadonlyMap<string, string>, own: ReadonlySet<ApiObject>,
  admitted: string): string[] {
  const problems: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || own.has(c) || c.metadata.namespace !== namespace) continue;
    const group = c.apiVersion.split('/')[0];
    if (group !== 'policy.linkerd.io' && group !== 'gateway.networking.k8s.io') continue;
    const spec = c.toJson().spec ?? {};
    const refs: Array<{ group?: string; kind?: string; name?: string }> = c.kind === 'AuthorizationPolicy' ? [spec.targetRef ?? {}]
      : c.kind === 'HTTPRoute' || c.kind === 'GRPCRoute' ? spec.parentRefs ?? [] : [];
    const server = refs.find((r) => r.group === 'policy.linkerd.io' && r.kind === 'Server' && r.name !== undefined && servers.has(r.name));
    if (!server) continue;
    problems.push(`meshTierAuthorization: the ${c.kind} '${c.name}' (${c.node.path}) targets the Server '${server.name}' (${servers.get(server.name!)}), `
      + `on which the app authorizes ${admitted}: Linkerd admits a client any policy of the Server authorizes, so the flow would no longer `
      + 'restrict who reaches the port. Set meshTierAuthorization: false and authorize the tiers in the mesh yourself (MeshAuthorization '
      + 'flows with ports), or remove the flow');
  }
  return problems;
}

/**
 * Whom each Linkerd default inbound policy admits, as the sources of a flow (undefined: nobody).
 * The `cluster-*` policies also require the client's address in the cluster's networks, which the
 * Mesh fact does not know: they are written as their `all-*` counterpart, which differs only for
 * clients outside the cluster networks. The namespace's NetworkPolicies admit none to these ports
 * (only the source tier's pods, the monitoring pods and the node); an allow of the namespace from
 * an address block to the tier's pods is refused at synth by ThreeTierApp instead.
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
