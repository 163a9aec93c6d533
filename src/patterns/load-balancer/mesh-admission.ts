import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { LINKERD_DEFAULT_CLUSTER_NETWORKS } from '../../cluster/linkerd-cluster-networks';
import { IstioMode, Mesh, MeshKind } from '../../cluster/mesh';
import { Port } from '../../policy/port';
import { Protocol } from '../../policy/protocol';
import { AddressSet } from '../../util/address-set';
import { AppObjects, appObjects } from '../../util/app-objects';
import { ParsedCidr, parseCidr } from '../../util/cidr';
import { linkerdServerPortNumbers, serviceTargetPortNumber } from '../../util/container-ports';
import { hasLabels, namespaceOf, podTemplateOf } from '../../util/vocabulary';
import { LINKERD_DEFAULT_INBOUND_POLICY } from '../mesh-membership';
import { LinkerdInboundPolicy } from '../mesh-options';
import { ZeroTrustNamespace } from '../zero-trust-namespace';

/**
 * Linkerd default inbound policies that may refuse a load balancer's clients, which carry no mesh
 * identity (linkerd.io "Authorization Policy" reference, default policies: `*-authenticated` need a
 * mesh identity, `deny` admits nobody, `cluster-unauthenticated` admits only clients of the
 * installation's `clusterNetworks`: linkerd2-proxy linkerd/app/inbound/src/policy/defaults.rs
 * `cluster_unauthenticated(nets)`, the networks the policy controller serves from the Helm value).
 */
const LINKERD_REFUSING: ReadonlySet<string> = new Set([
  LinkerdInboundPolicy.ALL_AUTHENTICATED, LinkerdInboundPolicy.CLUSTER_AUTHENTICATED,
  LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED, LinkerdInboundPolicy.DENY,
]);

/** One block of client addresses the pods' policy admits from the load balancer, minus its `except` (the pod CIDRs inside it). */
export interface MeshClientRange {
  /** The admitted block. */
  readonly block: ParsedCidr;
  /** The CIDRs inside `block` that are not admitted (the pod CIDRs). */
  readonly except: readonly string[];
}

/** One pod port load balancer traffic arrives on, who sends it there (for messages), and from which addresses. */
export interface MeshAdmittedPort {
  /** The pod port (a number or a container port name). */
  readonly port: Port;
  /** Who sends that traffic, in a message's words: `the load balancer's clients`, `the NLB's health checks`, or both. */
  readonly from: string;
  /**
   * The source addresses of that traffic as the pods see them (the construct keeps the client address: Local, IP targets with
   * `preserve_client_ip`, or a datapath acknowledged to keep it), hence as the proxy's policy sees them: the client ranges
   * and/or the NLB subnets the pods' NetworkPolicy admits on the port, no other address of the load balancer reaching the proxy.
   */
  readonly clients: readonly MeshClientRange[];
}

/**
 * Why the meshed pods' proxies would refuse the plaintext, unauthenticated connections a load
 * balancer delivers (its clients', and the NLB's health checks), per port; [] when nothing in the
 * construct tree says so. Read at synth time, when every ZeroTrustNamespace and mesh object of the
 * app exists:
 *
 * - Linkerd: the default inbound policy of the pods refuses them (the pod template's annotation where a
 *   workload of the tree makes pods the Service selects, else the namespace's ZeroTrustNamespace's; with
 *   several such workloads, the first that refuses on the port), and no Server of the tree describes the port for the pods (a Server's own
 *   authorizations decide then: PolicyLint's `linkerd-authz-refuses-admitted-source` and the analyzer judge those).
 *   `cluster-unauthenticated` refuses only where some client address of the port lies outside the mesh's `clusterNetworks`
 *   (`Mesh.linkerd`, else Linkerd's install default), judged exactly over the ranges minus their excepts.
 *   A Server's port and the target port match by number or name, and across the two through the pod templates of the workloads
 *   (a Server's name: every TCP port of that name of the pod's containers and init containers, native sidecars or not, as linkerd2's
 *   policy controller resolves it since linkerd/linkerd2#14144; the Service's target port name: Kubernetes' FindPort, containers then
 *   native sidecars);
 *   without the workload in the tree, a name cannot be matched with a number (the message says so).
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
    case MeshKind.LINKERD: return linkerdRefusals(zt, cluster.mesh, objects(), selected(), namespace, podSelector, tcp);
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

/** A workload (or the namespace alone) whose pods' default inbound policy may refuse the load balancer's clients. */
interface Refusing {
  readonly policy: string;
  /** The clause of the message naming where the policy comes from. */
  readonly where: string;
  /** The pods' template, when a workload of the tree makes them. */
  readonly workload?: SelectedWorkload;
}

function linkerdRefusals(zt: ZeroTrustNamespace, mesh: Mesh, objects: ApiObject[], selected: SelectedWorkload[], namespace: string,
  podSelector: Record<string, string>, ports: readonly MeshAdmittedPort[]): string[] {
  const nsPolicy = zt._linkerdDefaultInboundPolicy;
  // A pod template's own annotation overrides the namespace's ("on either a pod spec or its namespace",
  // linkerd.io/2/reference/authorization-policy, default policies): the workloads of the tree whose pods the
  // Service selects decide, the namespace's only without any.
  const refusing: Refusing[] = selected.length === 0
    ? (nsPolicy !== undefined && LINKERD_REFUSING.has(nsPolicy) ? [{ policy: nsPolicy, where: `whose default inbound policy '${nsPolicy}'` }] : [])
    : selected.map((workload): Partial<Refusing> => {
      const own = workload.template.metadata?.annotations?.[LINKERD_DEFAULT_INBOUND_POLICY];
      const policy = typeof own === 'string' ? own : nsPolicy;
      const where = typeof own === 'string' ? `whose pods of ${workload.o.node.path} set the default inbound policy '${policy}', which`
        : `whose default inbound policy '${policy}' (for the pods of ${workload.o.node.path})`;
      return { policy, where, workload };
    }).filter((r): r is Refusing => r.policy !== undefined && LINKERD_REFUSING.has(r.policy));
  if (refusing.length === 0) return [];
  const servers = objects.filter((o) => o.apiGroup === 'policy.linkerd.io' && o.kind === 'Server' && o.metadata.namespace === namespace).map((o) => o.toJson());
  const networks = mesh.clusterNetworks ?? LINKERD_DEFAULT_CLUSTER_NETWORKS;
  const problems: string[] = [];
  for (const { port, from, clients } of ports) {
    const outside = outsideNetworks(clients, networks);
    let first: Refusing | undefined;
    let notes: string[] = [];
    for (const r of refusing) {
      if (r.policy === LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED && outside.length === 0) continue;
      const unmatched: string[] = [];
      if (servers.some((s) => describes(s, podSelector, port, r.workload, unmatched))) continue;
      first = r;
      notes = [...new Set(unmatched)];
      break;
    }
    if (first === undefined) continue;
    const { policy, where } = first;
    const p = port.number ?? port.name;
    const cluster = policy !== LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED ? ''
      : ` from outside the cluster networks (${networks.join(', ')}${mesh._declared.clusterNetworks ? ''
        : ': Linkerd\'s install default, assumed; declare the installation\'s with Mesh.linkerd({ clusterNetworks })'}), and ${outside.join(', ')} `
        + `${outside.length > 1 ? 'are' : 'is'} not inside them`;
    problems.push(`namespace: '${namespace}' is a ZeroTrustNamespace (${zt.node.path}) meshed with Linkerd ${where} `
      + `refuses clients without a mesh identity${cluster}: the pods' proxies would refuse ${from} on port ${p}`
      + `${notes.length > 0 ? ` (${notes.join('; ')})` : ''}. Authorize them on a Server for the pods on port ${p}: an AuthorizationPolicy `
      + 'requiring a NetworkAuthentication of the ranges, or LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], '
      + `to: ${JSON.stringify(podSelector)}, ports: [${p}] (every address at the mesh; the pods' NetworkPolicy still admits only the ranges)`);
  }
  return problems;
}

/**
 * The client blocks of `clients` holding an address (outside their excepts) outside every network of `networks`: exactly, over the
 * union of the networks (a block two networks cover together is inside), each family against its own (Linkerd matches a client
 * address against the networks of its family).
 */
function outsideNetworks(clients: readonly MeshClientRange[], networks: readonly string[]): string[] {
  const inside = AddressSet.fromCidrs(networks.map((n) => parseCidr(n)));
  return clients.filter(({ block, except }) => !AddressSet.fromCidrs([block]).subtract(AddressSet.fromCidrs(except.map((e) => parseCidr(e))))
    .subtract(inside).isEmpty).map(({ block }) => block.text);
}

/**
 * Does the Server manifest `s` describe the port for every pod the selector labels (matchLabels within them, no expressions)? The
 * ports match by number or by name; a Server's name and a target port number (or a Server's number and a target port name) match
 * through the pod template of `workload`, as does a name both give (the Service's resolved by Kubernetes' FindPort, the Server's by
 * linkerd2's index): why they could not be matched goes to `notes`.
 */
function describes(s: any, podSelector: Record<string, string>, port: Port, workload: SelectedWorkload | undefined, notes: string[]): boolean {
  const selector = s?.spec?.podSelector;
  if (selector === undefined || (selector.matchExpressions ?? []).length > 0) return false;
  const labels: Record<string, string> = selector.matchLabels ?? {};
  if (!Object.entries(labels).every(([k, v]) => podSelector[k] === v)) return false;
  const given: unknown = s.spec.port;
  if (typeof given !== 'string' && typeof given !== 'number') return false;
  const shown = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v}'`);
  const server = `the Server ${s.metadata?.name} describes port ${shown(given)}`;
  const p = shown(port.number ?? port.name!);
  if (port.number !== undefined && given === port.number) return true;
  if (port.number === undefined && given === port.name && workload === undefined) return true;
  // Same kind, another value: another port. A name against a number needs the pods' container ports.
  if (given !== port.name && (typeof given === 'number') === (port.number !== undefined)) return false;
  if (workload === undefined) {
    notes.push(`${server}, which cannot be matched with port ${p}: no workload of the app makes the pods the Service selects, `
      + 'whose container ports would resolve the name');
    return false;
  }
  const target = port.number ?? serviceTargetPortNumber(workload.template, port.name!, port.protocol);
  if (target === undefined) {
    // No pod port of that name: the pods are no endpoints of the Service port, and no client reaches them there.
    if (given === port.name) return true;
    notes.push(`${server}, which cannot be matched with port ${p}: the pods of ${workload.o.node.path} declare no `
      + `${port.protocol} container port named '${port.name}'`);
    return false;
  }
  if (typeof given === 'number') return given === target;
  // linkerd2's policy controller: a Server's port name stands for every TCP port of that name of the pod's containers and init
  // containers, native sidecars or not (policy-controller k8s index `pod_tcp_ports_by_name`, init containers since linkerd/linkerd2#14144).
  return linkerdServerPortNumbers(workload.template, given).includes(target);
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
  const views = selected.length > 0
    ? selected.map(({ template }) => ({ labels: template.metadata?.labels as Record<string, string>, exact: true, template }))
    : [{ labels: podSelector, exact: false, template: undefined }];
  const ambient = cluster.mesh.istioMode === IstioMode.AMBIENT;
  const problems: string[] = [];
  for (const { port, from } of ports) {
    const strict: string[] = [];
    for (const { labels, exact, template } of views) {
      // portLevelMtls is keyed by the pod's port number: a named target port through the pods' template (Kubernetes' FindPort).
      const number = port.number ?? (template !== undefined ? serviceTargetPortNumber(template, port.name!, port.protocol) : undefined);
      const workloads = pas.filter((p) => p.namespace === namespace && p.selector !== undefined && namespace !== rootNamespace
        && Object.entries(p.selector).every(([k, v]) => labels[k] === v || (!exact && labels[k] === undefined)));
      const covered = workloads.some((p) => Object.entries(p.selector!).every(([k, v]) => labels[k] === v));
      for (const w of workloads) {
        const portMode = number !== undefined ? w.portModes[String(number)] : undefined;
        if (number === undefined && Object.keys(w.portModes).length > 0) continue;
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
