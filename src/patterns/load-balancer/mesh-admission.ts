import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { IstioMode, MeshKind } from '../../cluster/mesh';
import { Port } from '../../policy/port';
import { Protocol } from '../../policy/protocol';
import { AppObjects, appObjects } from '../../util/app-objects';
import { hasLabels, namespaceOf, podTemplateOf } from '../../util/vocabulary';
import { LINKERD_DEFAULT_INBOUND_POLICY } from '../mesh-membership';
import { LinkerdInboundPolicy } from '../mesh-options';
import { ZeroTrustNamespace } from '../zero-trust-namespace';

/**
 * Linkerd default inbound policies that refuse a client without a mesh identity from outside the
 * cluster networks, as load balancer clients are (linkerd.io "Authorization Policy" reference,
 * default policies: `*-authenticated` need a mesh identity, `cluster-unauthenticated` admits only
 * the `clusterNetworks`, `deny` nobody).
 */
const LINKERD_REFUSING: ReadonlySet<string> = new Set([
  LinkerdInboundPolicy.ALL_AUTHENTICATED, LinkerdInboundPolicy.CLUSTER_AUTHENTICATED,
  LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED, LinkerdInboundPolicy.DENY,
]);

/** One pod port load balancer traffic arrives on, and who sends it there (for messages). */
export interface MeshAdmittedPort {
  readonly port: Port;
  readonly from: string;
}

/**
 * Why the meshed pods' proxies would refuse the plaintext, unauthenticated connections a load
 * balancer delivers (its clients', and the NLB's health checks), per port; [] when nothing in the
 * construct tree says so. Read at synth time, when every ZeroTrustNamespace and mesh object of the
 * app exists:
 *
 * - Linkerd: the default inbound policy of the pods refuses them (the pod template's annotation where a
 *   workload of the tree makes pods the Service selects, else the namespace's ZeroTrustNamespace's; with
 *   several such workloads, the first that refuses), and no Server of the tree describes the port for the pods (a Server's own authorizations decide
 *   then: PolicyLint's `linkerd-authz-refuses-admitted-source` and the analyzer judge those).
 *   Linkerd proxies TCP only.
 * - Istio (sidecars and ambient's ztunnel alike: "STRICT mode is useful to ensure that connections that
 *   bypass the mesh are not possible", istio.io PeerAuthentication reference; istiod turns STRICT into a
 *   ztunnel DENY of connections without a principal, except on PERMISSIVE port-level ports, istio/istio
 *   architecture/ambient/peer-authentication.md): a PeerAuthentication of
 *   the tree makes the port STRICT for pods the Service selects. A workload policy whose selector the
 *   pods could match counts (where workloads of the tree make pods the Service selects: one that matches
 *   their template labels); the namespace's, else the mesh root namespace's, counts where no workload
 *   policy surely selects them. Port-level modes count on numbered ports; on a named port, a
 *   workload policy with port-level modes leaves the port unknown (no error).
 *
 * Only the mesh settings of this construct tree are seen: a cluster-wide Linkerd default or a
 * PeerAuthentication applied elsewhere is not.
 */
export function meshRefusals(lb: IConstruct, cluster: ClusterNetwork, namespace: string, podSelector: Record<string, string>,
  ports: readonly MeshAdmittedPort[]): string[] {
  const root = lb.node.root;
  const all = root.node.findAll();
  const zt = all.find((c): c is ZeroTrustNamespace => c instanceof ZeroTrustNamespace && c.name === namespace && c.meshed);
  if (zt === undefined) return [];
  const tcp = ports.filter((p) => p.port.protocol === Protocol.TCP);
  const objects = () => all.filter((c): c is ApiObject => c instanceof ApiObject);
  const selected = () => selectedWorkloads(appObjects(root, all), namespace, podSelector);
  switch (cluster.mesh.kind) {
    case MeshKind.LINKERD: return linkerdRefusals(zt, objects(), selected(), namespace, podSelector, tcp);
    case MeshKind.ISTIO: return istioRefusals(zt, cluster, objects(), selected(), namespace, podSelector, tcp);
    default: return [];
  }
}

/** A workload whose pods the Service selects, and its pod template. */
type SelectedWorkload = { o: ApiObject; template: Record<string, any> };

/**
 * The workloads of the app in `namespace` whose pod templates carry every label of `podSelector` (the Service selects their pods),
 * read from the app's inventory (util/app-objects: each workload synthesized once per validation walk). Not app-objects'
 * selectedWorkloads, which keeps an empty `metadata.namespace` as `''`: this check reads it as `default` (namespaceOf).
 */
function selectedWorkloads(objects: AppObjects, namespace: string, podSelector: Record<string, string>): SelectedWorkload[] {
  return objects.workloads.map(({ construct, json }) => ({ o: construct, json, template: podTemplateOf(json) }))
    .filter(({ json, template }) => template !== undefined && namespaceOf(json) === namespace
      && hasLabels(template.metadata?.labels ?? {}, podSelector))
    .map(({ o, template }) => ({ o, template: template! }));
}

function linkerdRefusals(zt: ZeroTrustNamespace, objects: ApiObject[], selected: SelectedWorkload[], namespace: string,
  podSelector: Record<string, string>, ports: readonly MeshAdmittedPort[]): string[] {
  const nsPolicy = zt._linkerdDefaultInboundPolicy;
  // A pod template's own annotation overrides the namespace's ("on either a pod spec or its namespace",
  // linkerd.io/2/reference/authorization-policy, default policies): the workloads of the tree whose pods the
  // Service selects decide, the namespace's only without any.
  const refusing = selected.length === 0
    ? (nsPolicy !== undefined && LINKERD_REFUSING.has(nsPolicy) ? [{ policy: nsPolicy, where: `whose default inbound policy '${nsPolicy}'` }] : [])
    : selected.map(({ o, template }) => {
      const own = template!.metadata?.annotations?.[LINKERD_DEFAULT_INBOUND_POLICY];
      const policy = typeof own === 'string' ? own : nsPolicy;
      const where = typeof own === 'string' ? `whose pods of ${o.node.path} set the default inbound policy '${policy}', which`
        : `whose default inbound policy '${policy}' (for the pods of ${o.node.path})`;
      return { policy, where };
    }).filter((r): r is { policy: string; where: string } => r.policy !== undefined && LINKERD_REFUSING.has(r.policy));
  if (refusing.length === 0) return [];
  const { policy, where } = refusing[0];
  const servers = objects.filter((o) => o.apiGroup === 'policy.linkerd.io' && o.kind === 'Server' && o.metadata.namespace === namespace).map((o) => o.toJson());
  return ports.filter(({ port }) => !servers.some((s) => describes(s, podSelector, port))).map(({ port, from }) => {
    const p = port.number ?? port.name;
    return `namespace: '${namespace}' is a ZeroTrustNamespace (${zt.node.path}) meshed with Linkerd ${where} `
      + `refuses clients without a mesh identity${policy === LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED ? ' from outside the cluster networks' : ''}: `
      + `the pods' proxies would refuse ${from} on port ${p}. Authorize them on a Server for the pods on port ${p}: an AuthorizationPolicy `
      + 'requiring a NetworkAuthentication of the ranges, or LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], '
      + `to: ${JSON.stringify(podSelector)}, ports: [${p}] (every address at the mesh; the pods' NetworkPolicy still admits only the ranges)`;
  });
}

/** Does the Server manifest `s` describe the port for every pod the selector labels (matchLabels within them, no expressions)? */
function describes(s: any, podSelector: Record<string, string>, port: Port): boolean {
  const selector = s?.spec?.podSelector;
  if (selector === undefined || (selector.matchExpressions ?? []).length > 0) return false;
  const labels: Record<string, string> = selector.matchLabels ?? {};
  if (!Object.entries(labels).every(([k, v]) => podSelector[k] === v)) return false;
  return port.number !== undefined ? s.spec.port === port.number : s.spec.port === port.name;
}

interface PeerAuthn {
  readonly path: string;
  readonly selector?: Record<string, string>;
  readonly mode?: string;
  readonly portModes: Record<string, string>;
}

function istioRefusals(zt: ZeroTrustNamespace, cluster: ClusterNetwork, objects: ApiObject[], selected: SelectedWorkload[], namespace: string,
  podSelector: Record<string, string>, ports: readonly MeshAdmittedPort[]): string[] {
  const rootNamespace = cluster.mesh.rootNamespace;
  const read = (o: ApiObject): PeerAuthn & { namespace?: string } => {
    const spec = o.toJson().spec ?? {};
    const labels = spec.selector?.matchLabels;
    const portModes: Record<string, string> = {};
    for (const [port, m] of Object.entries(spec.portLevelMtls ?? {})) portModes[port] = (m as any)?.mode;
    const selector = labels && Object.keys(labels).length > 0 ? labels : undefined;
    return { path: o.node.path, namespace: o.metadata.namespace, selector, mode: spec.mtls?.mode, portModes };
  };
  const pas = objects.filter((o) => o.apiGroup === 'security.istio.io' && o.kind === 'PeerAuthentication').map(read);
  const meshWide = pas.find((p) => p.namespace === rootNamespace && p.selector === undefined);
  const nsWide = pas.find((p) => p.namespace === namespace && p.selector === undefined);
  // UNSET (or no mode) inherits: the namespace's from the mesh's, Istio's own default is PERMISSIVE.
  const base = [nsWide, meshWide].find((p) => p?.mode !== undefined && p.mode !== 'UNSET');
  // The pods' labels: those of the tree's workloads the Service selects (a workload policy matches them or not), else only
  // the Service's selector (the pods may carry more labels: a workload policy they could match counts).
  const templates = selected.map(({ template }) => template.metadata?.labels as Record<string, string>);
  const views = templates.length > 0 ? templates.map((labels) => ({ labels, exact: true })) : [{ labels: podSelector, exact: false }];
  const ambient = cluster.mesh.istioMode === IstioMode.AMBIENT;
  const problems: string[] = [];
  for (const { port, from } of ports) {
    const strict: string[] = [];
    for (const { labels, exact } of views) {
      const workloads = pas.filter((p) => p.namespace === namespace && p.selector !== undefined && namespace !== rootNamespace
        && Object.entries(p.selector).every(([k, v]) => labels[k] === v || (!exact && labels[k] === undefined)));
      const covered = workloads.some((p) => Object.entries(p.selector!).every(([k, v]) => labels[k] === v));
      for (const w of workloads) {
        const portMode = port.number !== undefined ? w.portModes[String(port.number)] : undefined;
        if (port.number === undefined && Object.keys(w.portModes).length > 0) continue;
        const mode = portMode !== undefined && portMode !== 'UNSET' ? portMode : (w.mode !== undefined && w.mode !== 'UNSET' ? w.mode : base?.mode);
        if (mode === 'STRICT') strict.push(`${w.path} (pods ${JSON.stringify(w.selector)})`);
      }
      if (!covered && base?.mode === 'STRICT') strict.push(`${base.path} (${base === nsWide ? `namespace '${namespace}'` : 'mesh-wide'})`);
    }
    if (strict.length === 0) continue;
    const named = [...new Set(strict)];
    const p = port.number ?? port.name;
    problems.push(`namespace: '${namespace}' is a ZeroTrustNamespace (${zt.node.path}) meshed with Istio${ambient ? ' ambient' : ''}, and STRICT mutual TLS `
      + `on port ${p} (${named.join('; ')}) refuses plaintext: the ${ambient ? 'ztunnel' : 'sidecars'} would refuse ${from}, which carry no mesh `
      + `identity. Accept plaintext on that port: an IstioMtls workload policy selecting the pods with portExceptions: [{ port: ${p}, mode: `
      + 'MtlsPortMode.PERMISSIVE }] (on the STRICT workload policy itself where one selects them)');
  }
  return problems;
}
