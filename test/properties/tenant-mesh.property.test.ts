/**
 * Property: TenantIsolation with `mesh: {}` under every mesh the constructs support (Istio sidecar,
 * with or without its CNI plugin and revision; Istio ambient, with or without waypoints the test adds;
 * Linkerd, with or without its CNI plugin and a random default inbound policy), with random IstioMtls
 * peer authentication, optional MeshAuthorization per tenant namespace and random IP families,
 * analysed across both layers (Reachability with the mesh) on every enforcing CNI:
 *
 * - tenants never reach each other (denied: the CNI layer is exact there, whatever the mesh says);
 * - within a tenant exactly what `allowSameTenant` and the mesh say: a plaintext client (a pod that
 *   opted out of the mesh) is refused by STRICT mutual TLS (Istio) or by an authenticated default
 *   inbound policy (Linkerd); meshed clients pass; UDP and unmeshed destinations bypass the mesh;
 * - DNS yes, the metadata service never, the internet exactly when asked; Prometheus scrapes the
 *   proxies' metrics where the mesh lets it; kubelet probes reach ambient pods in every IP family;
 * - a hostNetwork node agent (no proxy, on a node the manifests do not name) is never allowed for sure
 *   (on another node the default deny refuses it), and never denied for sure by ambient (on the
 *   destination's node istio-cni lets the node's connections past ztunnel);
 * - the mesh only narrows: the CNI verdict with the mesh (which sees the mesh's transport port and
 *   waypoints) equals the CNI-only verdict on the application port, and no flow the CNI alone denies
 *   is allowed with the mesh; the verdict is the two layers' verdicts combined (never a guessed deny).
 * Findings it made (each pinned by an example-based test): ambient host probes skip ztunnel
 * (test/analysis/mesh/istio-host-probe.test.ts; hostNetwork pods too, there), STRICT refuses plaintext behind a waypoint and the
 * waypoint's pod lies in the pod CIDRs (istio-waypoint.test.ts), IPv6 ambient probe source
 * (test/patterns/mesh-membership.test.ts).
 * Ground truth: NETWORKING-FACTS.md §Istio, §Linkerd; istio.io PeerAuthentication reference, "Ambient
 * and Kubernetes NetworkPolicy"; linkerd.io "Authorization Policy" reference (default policies).
 */
import { ApiObject, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ClusterNetwork, Cni, IpFamily, IstioMode, IstioMtls, LinkerdInboundPolicy, Mesh, MeshAuthorization, MeshSource, MtlsMode, MtlsPortMode,
  PodSecurityLevel, Port, Reachability, Target, TenantIsolation, Verdict,
} from '../../src';
import { runs } from './support/config';
import { Topology, topology } from './support/topology';
import { DNS, INTERNET, METADATA } from '../support/flows';
import { meshChart } from '../support/mesh';
import { ENFORCING_CNIS, synthValid } from '../support/synth';

/** Cases per CNI (about 5 s each on CI); `FC_RUNS=<n>` explores more. */
const NUM_RUNS = Number(process.env.FC_RUNS ?? 80);

/**
 * Ports the meshes' proxies own (istio.io "Application Requirements": ports used by Istio; linkerd.io
 * "Ports"): an application in a meshed pod cannot listen on them, so probe workloads never do.
 */
const PROXY_PORTS = new Set([15000, 15001, 15004, 15006, 15008, 15009, 15010, 15012, 15014, 15017, 15020, 15021, 15053, 15090, 4140, 4143, 4191]);

type MtlsChoice = 'none' | 'mesh-strict' | 'mesh-permissive' | 'namespace-strict';

/** A mesh and what the test adds on top of TenantIsolation's membership. */
type MeshScenario =
  | {
    readonly kind: 'sidecar';
    readonly cniPlugin: boolean;
    readonly revision: boolean;
    readonly mtls: MtlsChoice;
    readonly permissivePort: boolean;
    /** Mesh `rootNamespace` (also istiod's namespace); undefined: istio-system. */
    readonly rootNamespace?: string;
  }
  | { readonly kind: 'ambient'; readonly mtls: MtlsChoice; readonly waypoint: boolean; readonly permissivePort: boolean; readonly rootNamespace?: string }
  | {
    readonly kind: 'linkerd';
    readonly cniPlugin: boolean;
    /** The namespaces' annotation (TenantIsolation mesh option). */
    readonly policy?: LinkerdInboundPolicy;
    /** The installation's `proxy.defaultInboundPolicy`, told to the analysis (undefined: the install default). */
    readonly installPolicy?: LinkerdInboundPolicy;
    /** The installation's `clusterNetworks`, told to the analysis (undefined: the install default, which holds both pod CIDRs). */
    readonly clusterNetworks?: string[];
  };

const mtlsChoice = fc.constantFrom<MtlsChoice>('none', 'mesh-strict', 'mesh-permissive', 'namespace-strict');
/** Tenant names are DNS labels of at most 12 characters: never this one. */
const rootNamespace = fc.option(fc.constant('mesh-root-namespace'), { nil: undefined });
const meshScenario: fc.Arbitrary<MeshScenario> = fc.oneof(
  fc.record({
    kind: fc.constant('sidecar' as const), cniPlugin: fc.boolean(), revision: fc.boolean(), mtls: mtlsChoice, permissivePort: fc.boolean(), rootNamespace,
  }),
  fc.record({ kind: fc.constant('ambient' as const), mtls: mtlsChoice, waypoint: fc.boolean(), permissivePort: fc.boolean(), rootNamespace }),
  fc.record({
    kind: fc.constant('linkerd' as const),
    cniPlugin: fc.boolean(),
    policy: fc.option(fc.constantFrom(...Object.values(LinkerdInboundPolicy)), { nil: undefined }),
    installPolicy: fc.option(fc.constantFrom(...Object.values(LinkerdInboundPolicy)), { nil: undefined }),
    // Holding the IPv4 pod CIDR (10.244.0.0/16) only, or neither pod CIDR.
    clusterNetworks: fc.option(fc.constantFrom(['10.0.0.0/8'], ['192.168.0.0/16', 'fd00:ffff::/32']), { nil: undefined }),
  }),
);

function meshOf(s: MeshScenario): Mesh {
  switch (s.kind) {
    case 'sidecar': return Mesh.istio({
      mode: IstioMode.SIDECAR, cni: s.cniPlugin, ...(s.revision ? { revision: 'canary' } : {}), ...(s.rootNamespace ? { rootNamespace: s.rootNamespace } : {}),
    });
    case 'ambient': return Mesh.istio({ mode: IstioMode.AMBIENT, ...(s.rootNamespace ? { rootNamespace: s.rootNamespace } : {}) });
    case 'linkerd': return Mesh.linkerd({ cni: s.cniPlugin });
  }
}

/** The probe pod labels and annotations that take a pod out of the mesh its namespace joined. */
function optOut(s: MeshScenario): { labels: Record<string, string>; annotations: Record<string, string> } {
  switch (s.kind) {
    case 'sidecar': return { labels: { 'sidecar.istio.io/inject': 'false' }, annotations: {} };
    case 'ambient': return { labels: { 'istio.io/dataplane-mode': 'none' }, annotations: {} };
    case 'linkerd': return { labels: {}, annotations: { 'linkerd.io/inject': 'disabled' } };
  }
}

/** A tenant pod as the expectation sees it. */
interface PodInfo {
  readonly namespace: string;
  readonly tenant?: string;
  readonly meshed: boolean;
  /** Istio ambient: the pod names its namespace's waypoint. */
  readonly waypoint?: boolean;
  /** The port a workload PeerAuthentication makes PERMISSIVE on the pod. */
  readonly permissivePort?: number;
  readonly ports: Port[];
  /** The pod runs in its node's network namespace (on a node the manifests do not name). */
  readonly hostNetwork?: boolean;
}

/** The random inputs of one case. */
interface Case {
  readonly topo: Topology;
  readonly mesh: MeshScenario;
  readonly allowSameTenant: boolean;
  /**
   * A MeshAuthorization in every tenant namespace (Istio: those with STRICT mTLS, which identity
   * sources need) admitting the tenant's namespaces to its workloads' TCP ports.
   */
  readonly authz: boolean;
  /** The cluster's IP families, the first one primary (single-stack IPv4 or IPv6, dual-stack either way round). */
  readonly ipFamilies: IpFamily[];
}

const scenario: fc.Arbitrary<Case> = fc.record({
  topo: topology(3),
  mesh: meshScenario,
  allowSameTenant: fc.boolean(),
  authz: fc.boolean(),
  ipFamilies: fc.constantFrom([IpFamily.IPV4], [IpFamily.IPV4, IpFamily.IPV6], [IpFamily.IPV6, IpFamily.IPV4], [IpFamily.IPV6]),
});

/** The label every probe workload carries, for the MeshAuthorization flows to select them. */
const AUTHZ_LABEL = { 'mesh-authz': 'on' };

/** The pods of a topology with the proxies' own ports taken out (TCP 8080 where none is left). */
function appPorts(ports: Port[]): Port[] {
  const kept = ports.filter((p) => !PROXY_PORTS.has(p.number!));
  return kept.length > 0 ? kept : [Port.tcp(8080)];
}

/** Synthesize (schema-validated) the case, and analyse it with the mesh and with the CNI alone, with the same probes. */
function analyze(c: Case, cni: () => Cni) {
  const mesh = meshOf(c.mesh);
  const chart: Chart = meshChart(cni(), mesh, { ipFamilies: c.ipFamilies });
  const privileged = (c.mesh.kind === 'sidecar' || c.mesh.kind === 'linkerd') && !c.mesh.cniPlugin;
  new TenantIsolation(chart, 'tenants', {
    tenants: c.topo.tenants.map((t) => t.name),
    namespaces: Object.fromEntries(c.topo.tenants.filter((t) => !t.defaultNamespace).map((t) => [t.name, t.namespaces])),
    allowSameTenant: c.allowSameTenant,
    allowInternetEgress: c.topo.allowInternetEgress,
    // Without the mesh's CNI plugin the injected init container needs NET_ADMIN (refused under restricted).
    ...(privileged ? { podSecurity: PodSecurityLevel.PRIVILEGED } : {}),
    mesh: c.mesh.kind === 'linkerd' && c.mesh.policy !== undefined ? { linkerdDefaultInboundPolicy: c.mesh.policy } : {},
  });
  // namespace-strict: the first namespace of every tenant requires STRICT, the others keep the default.
  const strictNamespaces = new Set<string>();
  if (c.mesh.kind !== 'linkerd') {
    if (c.mesh.mtls === 'mesh-strict') new IstioMtls(chart, 'mtls');
    if (c.mesh.mtls === 'mesh-permissive') new IstioMtls(chart, 'mtls', { mode: MtlsMode.PERMISSIVE });
    if (c.mesh.mtls === 'namespace-strict') {
      for (const t of c.topo.tenants) {
        new IstioMtls(chart, `mtls-${t.namespaces[0]}`, { namespace: t.namespaces[0] });
        strictNamespaces.add(t.namespaces[0]);
      }
    }
  }
  // permissivePort: in each STRICT namespace a workload policy (IstioMtls selector) makes the first TCP
  // port of w0 PERMISSIVE for every labelled workload there (identity-based MeshAuthorization then refuses to render: no authz).
  const permissivePorts = new Map<string, number>();
  if (c.mesh.kind !== 'linkerd' && c.mesh.permissivePort) {
    for (const t of c.topo.tenants) {
      for (const ns of t.namespaces.filter((n) => c.mesh.kind !== 'linkerd' && (c.mesh.mtls === 'mesh-strict' || strictNamespaces.has(n)))) {
        const port = appPorts(c.topo.workloads[ns][0].ports).find((p) => p.protocol === 'TCP')?.number;
        if (port === undefined) continue;
        new IstioMtls(chart, `mtls-${ns}-exception`, {
          namespace: ns, selector: AUTHZ_LABEL, name: 'permissive-port', portExceptions: [{ port, mode: MtlsPortMode.PERMISSIVE }],
        });
        permissivePorts.set(ns, port);
      }
    }
  }
  const authzNamespaces = new Set<string>();
  if (c.authz && permissivePorts.size === 0) {
    for (const t of c.topo.tenants) {
      for (const ns of t.namespaces) {
        const strictHere = c.mesh.kind === 'linkerd' || c.mesh.mtls === 'mesh-strict' || strictNamespaces.has(ns);
        const ports = [...new Set(c.topo.workloads[ns].flatMap((w) => appPorts(w.ports)).filter((p) => p.protocol === 'TCP').map((p) => p.number!))];
        if (!strictHere || ports.length === 0) continue;
        new MeshAuthorization(chart, `authz-${ns}`, { namespace: ns })
          .allowFlow('same-tenant', { from: t.namespaces.map((n) => MeshSource.namespace(n)), to: AUTHZ_LABEL, ports: ports.sort((a, b) => a - b) });
        authzNamespaces.add(ns);
      }
    }
  }
  const waypoints = c.mesh.kind === 'ambient' && c.mesh.waypoint;
  if (waypoints) {
    // A waypoint for every kind of traffic in each tenant namespace; w0 of the namespace uses it (pod label).
    for (const ns of c.topo.tenants.flatMap((t) => t.namespaces)) {
      new ApiObject(chart, `waypoint-${ns}`, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: ns, labels: { 'istio.io/waypoint-for': 'all' } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      });
    }
  }
  const objects = synthValid(chart);
  const podCidrs = ClusterNetwork.of(chart).podCidrs;
  const linkerdValues = c.mesh.kind === 'linkerd' ? {
    ...(c.mesh.installPolicy !== undefined ? { linkerdDefaultInboundPolicy: c.mesh.installPolicy } : {}),
    ...(c.mesh.clusterNetworks !== undefined ? { linkerdClusterNetworks: c.mesh.clusterNetworks } : {}),
  } : {};
  const withMesh = Reachability.fromManifests(objects, { cni: cni(), podCidrs, mesh, ...linkerdValues });
  const cniOnly = Reachability.fromManifests(objects, { cni: cni(), podCidrs, mesh: Mesh.none() });

  const pods = new Map<string, PodInfo>();
  const probe = (name: string, namespace: string, labels: Record<string, string>, info: PodInfo, annotations: Record<string, string> = {}) => {
    const hostNetwork = info.hostNetwork ?? false;
    for (const reach of [withMesh, cniOnly]) reach.addProbe(name, namespace, labels, { ports: info.ports, annotations, hostNetwork });
    pods.set(`${namespace}/${name}`, info);
  };
  const out = optOut(c.mesh);
  for (const t of c.topo.tenants) {
    for (const ns of t.namespaces) {
      c.topo.workloads[ns].forEach((w, i) => {
        const labels = { ...w.labels, ...AUTHZ_LABEL, ...(waypoints && i === 0 ? { 'istio.io/use-waypoint': 'waypoint' } : {}) };
        const waypoint = waypoints && i === 0;
        const permissivePort = permissivePorts.get(ns);
        probe(w.name, ns, labels, { namespace: ns, tenant: t.name, meshed: true, waypoint, permissivePort, ports: appPorts(w.ports) });
      });
      probe('plain', ns, out.labels, { namespace: ns, tenant: t.name, meshed: false, ports: [Port.tcp(8080), Port.udp(8125)] }, out.annotations);
    }
  }
  probe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { namespace: 'kube-system', meshed: false, ports: [Port.udp(53), Port.tcp(53)] });
  if (c.mesh.kind === 'linkerd') {
    probe('linkerd-destination', 'linkerd', { 'linkerd.io/control-plane-component': 'destination' },
      { namespace: 'linkerd', meshed: false, ports: [Port.tcp(8086), Port.tcp(8090), Port.tcp(8443)] });
    probe('linkerd-identity', 'linkerd', { 'linkerd.io/control-plane-component': 'identity' }, { namespace: 'linkerd', meshed: false, ports: [Port.tcp(8080)] });
  } else {
    // istiod's pod template labels (istio-discovery chart): never injected itself.
    const istiod = { ...mesh.controlPlanePodLabels, 'istio.io/rev': mesh.revision ?? 'default', 'sidecar.istio.io/inject': 'false' };
    const cp = mesh.controlPlaneNamespace!;
    probe('istiod', cp, istiod, { namespace: cp, meshed: false, ports: [Port.tcp(15010), Port.tcp(15012), Port.tcp(15017)] });
  }
  probe('prometheus', 'monitoring', { app: 'prometheus' }, { namespace: 'monitoring', meshed: false, ports: [] });
  // A node agent in the host network (a DaemonSet's pod: on every node, the tenants' pods' too).
  probe('node-agent', 'monitoring', { app: 'node-agent' }, { namespace: 'monitoring', meshed: false, ports: [], hostNetwork: true });
  return { withMesh, cniOnly, pods, strictNamespaces, authzNamespaces, permissivePorts, mesh };
}

/** The Linkerd default inbound policies that admit clients without a mesh identity (from the pod CIDRs, inside clusterNetworks). */
const UNAUTHENTICATED = [LinkerdInboundPolicy.ALL_UNAUTHENTICATED, LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED, LinkerdInboundPolicy.AUDIT];

/** The Linkerd default inbound policy of a tenant namespace: the construct's annotation, else the install default. */
const linkerdPolicy = (s: MeshScenario) => (s.kind === 'linkerd' ? s.policy ?? s.installPolicy ?? LinkerdInboundPolicy.ALL_UNAUTHENTICATED : undefined);

/**
 * Linkerd `cluster-*` policies: is a pod (address unknown, somewhere in the pod CIDRs of the
 * cluster's families) inside clusterNetworks? Every family's pod CIDR inside: yes; none: no; else unknown.
 */
function inClusterNetworks(c: Case): Verdict {
  const networks = c.mesh.kind === 'linkerd' ? c.mesh.clusterNetworks : undefined;
  if (networks === undefined) return Verdict.ALLOW;
  const inside = c.ipFamilies.map((f) => (f === IpFamily.IPV4 ? networks.includes('10.0.0.0/8') : false));
  return inside.every((x) => x) ? Verdict.ALLOW : inside.some((x) => x) ? Verdict.INDETERMINATE : Verdict.DENY;
}

/**
 * The verdicts a flow may get: one, or (where the analyzer cannot know) a set. `port` is `TCP/8080`.
 */
function expectedVerdicts(c: Case, strict: (ns: string) => boolean, authz: (ns: string) => boolean, src: PodInfo, dst: PodInfo,
  port: string): Verdict[] {
  const [protocol, numberText] = port.split('/');
  const n = Number(numberText);
  if (dst.tenant === undefined) {
    if (src.tenant === undefined) return [Verdict.ALLOW];
    // Tenant pods reach CoreDNS (53 only) and the mesh control plane on its own ports.
    if (dst.namespace === 'kube-system') return [Verdict.ALLOW];
    if (c.mesh.kind === 'sidecar') return [dst.namespace === (c.mesh.rootNamespace ?? 'istio-system') && n === 15012 ? Verdict.ALLOW : Verdict.DENY];
    if (c.mesh.kind === 'linkerd') {
      const open = dst.ports.length === 1 ? n === 8080 : n === 8086 || n === 8090;
      return [open ? Verdict.ALLOW : Verdict.DENY];
    }
    return [Verdict.DENY];
  }
  if (src.hostNetwork) return hostNetworkVerdicts(c, strict, authz, dst, port);
  // Tenants never reach each other; nothing outside reaches a tenant on its application ports.
  if (src.tenant !== dst.tenant || !c.allowSameTenant) return [Verdict.DENY];
  if (protocol !== 'TCP' || !dst.meshed) return [Verdict.ALLOW];
  // The MeshAuthorization admits the tenant's meshed workloads on every TCP port of the namespace's
  // workloads (Linkerd: its Servers replace the default policy on those ports); a plaintext client has no identity.
  if (authz(dst.namespace)) return [src.meshed ? Verdict.ALLOW : Verdict.DENY];
  if (c.mesh.kind === 'linkerd') {
    const policy = linkerdPolicy(c.mesh)!;
    if (policy === LinkerdInboundPolicy.DENY) return [Verdict.DENY];
    if (!src.meshed && !UNAUTHENTICATED.includes(policy)) return [Verdict.DENY];
    // cluster-*: only clients inside clusterNetworks.
    const cluster = policy === LinkerdInboundPolicy.CLUSTER_AUTHENTICATED || policy === LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED;
    return [cluster ? inClusterNetworks(c) : Verdict.ALLOW];
  }
  if (src.meshed) return [Verdict.ALLOW];
  // A plaintext client: STRICT refuses it before anything else (ztunnel or the sidecar), except on a
  // port the workload policy makes PERMISSIVE.
  if (strict(dst.namespace) && !(dst.permissivePort !== undefined && port === `TCP/${dst.permissivePort}`)) return [Verdict.DENY];
  // Behind a waypoint, how a client without a proxy gets there is not modelled: never a guessed deny.
  if (dst.waypoint) return [Verdict.ALLOW, Verdict.INDETERMINATE];
  return [Verdict.ALLOW];
}

/**
 * A hostNetwork pod (no proxy) to a tenant pod. It may run on the destination's node, whose traffic
 * into its own pods every CNI lets in, or on another, which TenantIsolation's default deny refuses:
 * never allowed for sure. On the destination's node its connections are the node's own, which
 * istio-cni SNATs past ztunnel (cni/pkg/iptables AppendHostRules: `-m owner --socket-exists`), so for
 * an ambient destination the mesh never denies it for sure either; a sidecar, Linkerd's proxy, or
 * ztunnel on another node see a plaintext client.
 */
function hostNetworkVerdicts(c: Case, strict: (ns: string) => boolean, authz: (ns: string) => boolean, dst: PodInfo, port: string): Verdict[] {
  if (!port.startsWith('TCP/') || !dst.meshed || c.mesh.kind === 'ambient') return [Verdict.INDETERMINATE];
  if (c.mesh.kind === 'linkerd') return [Verdict.INDETERMINATE, Verdict.DENY];
  const plaintextRefused = authz(dst.namespace) || (strict(dst.namespace) && port !== `TCP/${dst.permissivePort}`);
  return [plaintextRefused ? Verdict.DENY : Verdict.INDETERMINATE];
}

describe.each(ENFORCING_CNIS)('TenantIsolation with a mesh on %s', (_name, cni) => {
  test('isolated across tenants on both layers, the mesh decides within; DNS yes, metadata never; the mesh only narrows', () => {
    fc.assert(
      fc.property(scenario, (c: Case) => {
        const { withMesh, cniOnly, pods, strictNamespaces, authzNamespaces } = analyze(c, cni);
        const authz = (ns: string) => authzNamespaces.has(ns);
        const strict = (ns: string) => c.mesh.kind !== 'linkerd' && (c.mesh.mtls === 'mesh-strict' || strictNamespaces.has(ns));
        const alone = new Map(cniOnly.matrix().flows.map((f) => [`${f.source} ${f.destination} ${f.port}`, f.verdict]));
        for (const f of withMesh.matrix().flows) {
          const src = pods.get(f.source)!;
          const dst = pods.get(f.destination)!;
          const allowed = expectedVerdicts(c, strict, authz, src, dst, f.port);
          const cniAlone = alone.get(`${f.source} ${f.destination} ${f.port}`);
          // Both layers must allow; either one's deny denies; anything else is indeterminate.
          const combined = f.cniVerdict === Verdict.DENY || f.meshVerdict === Verdict.DENY ? Verdict.DENY
            : f.cniVerdict === Verdict.ALLOW && f.meshVerdict === Verdict.ALLOW ? Verdict.ALLOW : Verdict.INDETERMINATE;
          const problems = [
            ...(f.verdict === combined ? [] : [`verdict ${f.verdict}, but CNI ${f.cniVerdict} and mesh ${f.meshVerdict}`]),
            ...(allowed.includes(f.verdict) ? [] : [`verdict ${f.verdict}, expected ${allowed.join(' or ')}`]),
            ...(f.cniVerdict === cniAlone ? [] : [`CNI verdict with the mesh ${f.cniVerdict}, CNI alone ${cniAlone}`]),
            ...(cniAlone === Verdict.DENY && f.verdict !== Verdict.DENY ? ['the mesh widened a CNI deny'] : []),
            // Across tenants the MeshAuthorization denies too: both layers exact. Behind a waypoint the
            // destination's ztunnel sees the waypoint's identity (of the destination's namespace, which the
            // flow admits) instead of the client's (istio.io "Creating authorization policy" in ambient:
            // selector policies are enforced by ztunnel), so there only the CNI keeps the tenants apart.
            ...(src.tenant !== undefined && dst.tenant !== undefined && src.tenant !== dst.tenant && src.meshed && dst.meshed
              && authz(dst.namespace) && f.port.startsWith('TCP/') && f.meshVerdict !== (dst.waypoint ? Verdict.ALLOW : Verdict.DENY)
              ? [`mesh verdict ${f.meshVerdict} across tenants`] : []),
          ];
          if (problems.length > 0) {
            const [protocol, number] = f.port.split('/');
            const p = protocol === 'UDP' ? Port.udp(Number(number)) : Port.tcp(Number(number));
            const [sn, sw] = f.source.split('/');
            const [dn, dw] = f.destination.split('/');
            throw new Error(`${f.source} -> ${f.destination} ${f.port}: ${problems.join('; ')}\n`
              + withMesh.explain(Target.workload(sn, sw), Target.workload(dn, dw), p));
          }
        }
        for (const [name, info] of pods) {
          if (info.tenant === undefined) continue;
          const [ns, w] = name.split('/');
          const pod = Target.workload(ns, w);
          const verdict = (to: Target, port: Port) => withMesh.check(pod, to, port);
          const expectVerdict = (to: Target, port: Port, want: Verdict) => {
            const r = verdict(to, port);
            if (r.verdict !== want) throw new Error(`expected ${r.question} to be ${want}, got ${r.verdict}\n${r.explain()}`);
          };
          expectVerdict(DNS, Port.udp(53), Verdict.ALLOW);
          expectVerdict(DNS, Port.tcp(53), Verdict.ALLOW);
          expectVerdict(METADATA, Port.tcp(80), Verdict.DENY);
          expectVerdict(METADATA, Port.tcp(443), Verdict.DENY);
          const v4 = c.ipFamilies.includes(IpFamily.IPV4);
          expectVerdict(INTERNET, Port.tcp(443), c.topo.allowInternetEgress && v4 ? Verdict.ALLOW : Verdict.DENY);
          // The (unmeshed) Prometheus scrapes the proxies' metrics ports of meshed pods: the sidecar's are
          // not captured; Linkerd's admin port takes the default inbound policy (its probe route admits
          // GET /live and /ready only), so a policy that wants an identity refuses GET /metrics.
          if (info.meshed && c.mesh.kind !== 'ambient') {
            const scrapes: Array<[number, Verdict]> = c.mesh.kind === 'sidecar' ? [[15020, Verdict.ALLOW], [15090, Verdict.ALLOW]]
              : [[4191, !UNAUTHENTICATED.includes(linkerdPolicy(c.mesh)!) ? Verdict.DENY
                : linkerdPolicy(c.mesh) === LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED ? inClusterNetworks(c) : Verdict.ALLOW]];
            for (const [port, want] of scrapes) {
              const r = withMesh.checkRequest(Target.workload('monitoring', 'prometheus'), pod, Port.tcp(port), { method: 'GET', path: '/metrics' });
              if (r.verdict !== want) throw new Error(`expected ${r.question} to be ${want}, got ${r.verdict}\n${r.explain()}`);
            }
          }
          if (c.mesh.kind === 'ambient') {
            // istio-cni SNATs kubelet probes to 169.254.7.127 and lets them past ztunnel (istio.io
            // "Ambient and Kubernetes NetworkPolicy"): whatever PeerAuthentication says.
            // Each family's probe address (istio-cni HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6 defaults).
            const probeSources = [
              ...(v4 ? ['169.254.7.127'] : []),
              ...(c.ipFamilies.includes(IpFamily.IPV6) ? ['fd16:9254:7127:1337:ffff:ffff:ffff:ffff'] : []),
            ];
            for (const port of info.ports.filter((p) => p.protocol === 'TCP')) {
              // The kubelet itself: a connection from the pod's own node, whatever address istio-cni gives it.
              const kubelet = withMesh.check(Target.localNode(), pod, port);
              if (kubelet.verdict !== Verdict.ALLOW) throw new Error(`expected ${kubelet.question} to be allowed, got ${kubelet.verdict}\n${kubelet.explain()}`);
              for (const ip of probeSources) {
                const r = withMesh.check(Target.external(ip), pod, port);
                if (r.verdict !== Verdict.ALLOW) throw new Error(`expected ${r.question} to be allowed, got ${r.verdict}\n${r.explain()}`);
              }
            }
          }
        }
      }),
      runs(NUM_RUNS),
    );
  });
});
