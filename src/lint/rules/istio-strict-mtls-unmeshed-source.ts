import { buildInventory, InventoryPod } from '../../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, peerMatches, selectsEndpoint } from '../../analysis/kubernetes/network-policy';
import { isIstioGateway } from '../../analysis/mesh/istio-remote-address';
import { Membership, membershipOf } from '../../analysis/mesh/membership';
import { MtlsDecision, PeerAuthentications } from '../../analysis/mesh/peer-authentication';
import { AnnotatedCniModel, Endpoint, NamespaceIndex } from '../../analysis/model';
import { isEmptySelector, Labels } from '../../analysis/selectors';
import { YES } from '../../analysis/verdict';
import { isKindOf, namespaceOf, stringMap } from '../../util/vocabulary';
import { calicoOrCiliumModel, cniAdmission } from '../cni-policy-admissions';
import { asArray, isObject, jsonPath, LintDocument } from '../document';
import { UNTOLD_ISTIO_FACTS } from '../lint-mesh';
import { admittedIstioApplicationPorts, admitsNoClientInParticular, namespaceProbe } from '../netpol-ingress';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { validDocuments } from '../valid-documents';

const RULE = 'istio-strict-mtls-unmeshed-source';

/** A client the manifests show outside the mesh, admitted by one NetworkPolicy peer. */
interface UnmeshedSource {
  /** `Deployment ingress-nginx/controller`, or `the pods of namespace ingress-nginx`. */
  readonly label: string;
  /** Why it is outside the mesh (membership reason). */
  readonly why: string;
  /** The namespace to mesh, for the fix. */
  readonly namespace: string;
}

/** A destination pod and the ports of a rule on which its mode is STRICT. */
interface StrictTarget {
  readonly pod: InventoryPod;
  readonly ports: Array<{ port: number; decision: MtlsDecision }>;
}

/**
 * `istio-strict-mtls-unmeshed-source` (warning): a networking.k8s.io NetworkPolicy admits, to pods in
 * Istio's mesh (sidecar or ambient) whose port requires STRICT mutual TLS, a client the manifests show
 * outside the mesh. The CNI lets the connection through, and the destination's sidecar (STRICT leaves
 * only the mutual-TLS listener: istio.io "PeerAuthentication" reference) or ztunnel (istiod turns
 * STRICT into a DENY of connections without a peer principal: istio/istio architecture/ambient/
 * peer-authentication.md) refuses the client's plaintext: the flow the policy opens never works.
 * The mode is composed as istiod does (mesh-wide, namespace-wide, workload, portLevelMtls:
 * analysis/mesh/peer-authentication); an undecided mode is not reported.
 *
 * What counts as known to be outside the mesh (analysis/mesh/membership):
 * - a workload of the manifests the peer selects, not meshed, in a namespace the manifests declare
 *   (its labels are known), or opted out by its own labels (`sidecar.istio.io/inject: "false"` and
 *   `istio.io/dataplane-mode: none`) whatever its namespace says;
 * - a declared namespace the peer's non-empty namespaceSelector selects, without injection labels
 *   (`istio-injection=enabled`, `istio.io/rev`, `istio.io/dataplane-mode=ambient`), where no workload
 *   of the manifests matches the peer: its pods (typically an ingress controller installed by Helm)
 *   are outside the mesh unless the peer's podSelector names an opt-in label.
 * Calico and Cilium policies count too when the lint is told the CNI (their semantics are the CNI's):
 * the analyzer's model of it finds the rule that admits each such workload to each meshed pod's declared
 * STRICT port, reported when that rule names its clients (../cni-policy-admissions); namespaces whose
 * pods are not in the manifests are judged for NetworkPolicies only.
 * Not reported (conservative): Istio gateways (gateway chart, istioctl, Gateway API deployments, waypoints: proxies
 * themselves, with a mesh identity whatever their injection labels) and, for pods not in the manifests, Istio's root
 * namespace, where the gateways run by default, and namespaces holding a Gateway API Gateway; Istio gateways as destinations (their listeners follow their Gateway's
 * TLS settings, not PeerAuthentication); namespaces the manifests do not declare (their labels are unknown);
 * peers that admit everyone (no `from`, an empty namespaceSelector with no or an empty podSelector, an
 * empty podSelector alone), which make no statement about one client; `ipBlock` peers (external
 * clients and nodes are outside the mesh by definition, but a CIDR may also hold meshed pods, and the
 * kubelet's probes pass: sidecars rewrite HTTP and TCP probes to the agent's port 15020 and ambient
 * exempts the node's own connections, SNATed to 169.254.7.127, from ztunnel); ports the destination's
 * proxy does not capture. Under another mesh than Istio, or `Mesh.none()`, the rule does not apply (no findings).
 */
export const istioStrictMtlsUnmeshedSource: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    // Told another mesh (or none): no Istio proxy to require mutual TLS.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'istio') return [];
    // Untold the mesh, membership as if ambient mode were installed (as istio-authz-ztunnel reads it): a pod or namespace
    // labelled `istio.io/dataplane-mode=ambient` counts as meshed. For sources that is the cautious reading (fewer clients
    // known to be outside the mesh); `rootNamespace` is Istio's default. Told the mesh (`PolicyLintOptions.mesh:
    // Mesh.istio(...)`), its mode and root namespace instead: in sidecar mode an ambient label meshes nothing (sidecar
    // injection labels mesh in both modes, as sidecars keep working beside ambient).
    const facts = ctx.mesh?.facts ?? UNTOLD_ISTIO_FACTS;
    // Told a sidecar-mode mesh: ambient labels mesh nothing, and the messages say so.
    const sidecarOnly = ctx.mesh !== undefined && !facts.ambient;
    const objects = ctx.documents.map((d) => d.obj).filter((o) => isObject(o)) as any[];
    const peerAuth = new PeerAuthentications(objects, facts.rootNamespace);
    if (peerAuth.isEmpty) return []; // Istio's default is PERMISSIVE
    const inventory = buildInventory(objects);
    const meshed = (e: Endpoint) => membershipOf(e, facts, inventory.namespaces, inventory.namespaceAnnotations);
    // Namespaces holding a Gateway API Gateway: their pods not in the manifests may be the gateway istiod deploys for it.
    const gatewayNamespaces = new Set(objects.filter((o) => isKindOf(o, 'gateway.networking.k8s.io', 'Gateway')).map((o) => namespaceOf(o)));
    const out: RuleReport[] = [];
    const valid = validDocuments(ctx.documents);
    for (const doc of valid) {
      if (!isNetworkPolicy(doc.obj) || !isObject(doc.obj.spec) || !effectivePolicyTypes(doc.obj).includes('Ingress')) continue;
      const destinations = inventory.pods.filter((p) => selectsEndpoint(doc.obj, p.endpoint) && enforcesPeerMtls(p, meshed(p.endpoint)));
      if (destinations.length === 0) continue;
      asArray(doc.obj.spec.ingress).forEach((rule, i) => {
        if (!isObject(rule)) return;
        const targets = destinations.map((pod) => strictPorts(pod, rule.ports, peerAuth, meshed(pod.endpoint).inboundBypass))
          .filter((t) => t.ports.length > 0);
        if (targets.length === 0) return;
        asArray(rule.from).forEach((peer, j) => {
          if (!isObject(peer) || admitsNoClientInParticular(peer)) return;
          const sources = unmeshedSources(doc, peer, inventory.pods, inventory.namespaces, inventory.namespaceAnnotations, meshed, gatewayNamespaces,
            facts.rootNamespace, sidecarOnly);
          if (sources.length === 0) return;
          out.push(report(doc, jsonPath('spec', 'ingress', i, 'from', j), sources, targets, sidecarOnly));
        });
      });
    }
    const model = calicoOrCiliumModel(ctx.cni, valid.map((d) => d.obj), inventory.namespaces);
    if (model) out.push(...cniFindings(model, valid, inventory.pods, peerAuth, meshed, inventory.namespaceAnnotations, sidecarOnly));
    return out;
  },
};

/**
 * Calico and Cilium policies, through the model of the lint's CNI (../cni-policy-admissions): for each
 * client of the manifests known to be outside the mesh and each meshed pod's declared STRICT port, the
 * rule that admits it, when that rule names its clients. Clients the manifests do not show are not
 * judged here (the model needs the pod's labels).
 */
function cniFindings(model: AnnotatedCniModel, documents: readonly LintDocument[], pods: readonly InventoryPod[], peerAuth: PeerAuthentications,
  meshed: (e: Endpoint) => Membership, declared: ReadonlyMap<string, Labels>, sidecarOnly: boolean): RuleReport[] {
  const clients = pods.filter((p) => knownUnmeshed(p, meshed(p.endpoint), declared));
  const groups = new Map<string, { doc: LintDocument; path: string; sources: Map<string, UnmeshedSource>; targets: Map<string, StrictTarget> }>();
  for (const pod of pods) {
    const m = meshed(pod.endpoint);
    if (!enforcesPeerMtls(pod, m)) continue;
    for (const { port, decision } of strictPorts(pod, undefined, peerAuth, m.inboundBypass).ports) {
      for (const client of clients) {
        const admission = cniAdmission(model, documents, client.endpoint, pod.endpoint, port);
        if (!admission) continue;
        const key = `${admission.doc.index}|${admission.doc.source ?? ''}|${admission.path}`;
        const group = groups.get(key) ?? { ...admission, sources: new Map<string, UnmeshedSource>(), targets: new Map<string, StrictTarget>() };
        groups.set(key, group);
        group.sources.set(client.endpoint.name, sourceOf(client, meshed(client.endpoint)));
        const target: StrictTarget = group.targets.get(pod.endpoint.name) ?? { pod, ports: [] };
        if (!target.ports.some((p) => p.port === port)) target.ports.push({ port, decision });
        group.targets.set(pod.endpoint.name, target);
      }
    }
  }
  return [...groups.values()].map((g) => report(g.doc, g.path, [...g.sources.values()], [...g.targets.values()], sidecarOnly));
}

/**
 * Does the pod's proxy hold its inbound connections to the PeerAuthentication mode: in the mesh, inbound captured, and no
 * Istio gateway, whose listeners take the TLS settings of their Gateway servers instead (a gateway is where plaintext
 * enters the mesh under STRICT; istio/istio#23284).
 */
function enforcesPeerMtls(pod: InventoryPod, m: Membership): boolean {
  return m.dataPlane !== undefined && m.inboundCaptureOff === undefined && !isIstioGateway(pod.endpoint);
}

/**
 * A workload of the manifests outside the mesh, known to be: in a namespace the manifests declare (its labels are known), or
 * opted out of both data planes by its own labels whatever its namespace says. An Istio gateway ({@link isIstioGateway}) is
 * never such a client: it is itself an Istio proxy with the mesh identity of its ServiceAccount and connects to the mesh with
 * mutual TLS, whatever its injection labels say (istioctl's istio-ingressgateway carries `sidecar.istio.io/inject: "false"`,
 * the gateway chart `istio.io/dataplane-mode: none`; istio.io "Installing Gateways").
 */
function knownUnmeshed(p: InventoryPod, m: Membership, declared: ReadonlyMap<string, Labels>): boolean {
  const labels = p.endpoint.labels;
  const optedOut = labels['sidecar.istio.io/inject'] === 'false' && labels['istio.io/dataplane-mode'] === 'none';
  return m.dataPlane === undefined && !p.endpoint.hostNetwork && !isIstioGateway(p.endpoint)
    && (declared.has(p.endpoint.namespace ?? 'default') || optedOut);
}

function sourceOf(p: InventoryPod, m: Membership): UnmeshedSource {
  return { label: `${p.workloadKind} ${p.endpoint.name}`, why: m.why, namespace: p.endpoint.namespace ?? 'default' };
}

/** The TCP ports of `pod` a rule's `ports` admit (../netpol-ingress; Istio's own ports left out), where its mode is STRICT and its proxy captures them. */
function strictPorts(pod: InventoryPod, ports: unknown, peerAuth: PeerAuthentications, bypass: { has(port: number): boolean }): StrictTarget {
  const e = pod.endpoint;
  return {
    pod,
    ports: admittedIstioApplicationPorts(pod, ports).filter((port) => !bypass.has(port))
      .map((port) => ({ port, decision: peerAuth.modeFor(e.namespace ?? 'default', e.labels, port, e) }))
      .filter((p) => p.decision.mode === 'STRICT'),
  };
}

function unmeshedSources(doc: LintDocument, peer: Record<string, any>, pods: readonly InventoryPod[], namespaces: NamespaceIndex,
  annotations: ReadonlyMap<string, Labels>, meshed: (e: Endpoint) => Membership, gatewayNamespaces: ReadonlySet<string>,
  rootNamespace: string, sidecarOnly: boolean): UnmeshedSource[] {
  const out: UnmeshedSource[] = [];
  const matched = pods.filter((p) => peerMatches(doc.obj, peer, p.endpoint, namespaces) === YES);
  for (const p of matched) {
    const m = meshed(p.endpoint);
    if (knownUnmeshed(p, m, annotations)) out.push(sourceOf(p, m));
  }
  const nsSelector = peer.namespaceSelector;
  if (!isObject(nsSelector) || isEmptySelector(nsSelector)) return out;
  const withPods = new Set(matched.map((p) => p.endpoint.namespace));
  // Declared namespaces the selector picks whose pods are not in the manifests: judged by the namespace's labels and the
  // labels the peer requires of the pods (an opt-in label there means the admitted pods are meshed). Istio's root namespace
  // is left alone: its pods are istiod and, by default, the gateways (istioctl and the gateway chart install them there),
  // which connect with mutual TLS without any injection label; so are namespaces holding a Gateway API Gateway (istiod
  // deploys an Istio class's gateway beside it) and pods the peer picks by an Istio gateway's labels.
  for (const ns of [...annotations.keys()].sort()) {
    const nsLabels = namespaces.get(ns) ?? {};
    if (withPods.has(ns) || ns === rootNamespace || gatewayNamespaces.has(ns)
      || peerMatches(doc.obj, { namespaceSelector: nsSelector }, namespaceProbe(ns, {}, nsLabels), namespaces) !== YES) continue;
    const podLabels = isObject(peer.podSelector) ? stringMap(peer.podSelector.matchLabels) : {};
    const admitted = namespaceProbe(ns, podLabels, nsLabels);
    const m = meshed(admitted);
    if (m.dataPlane !== undefined || isIstioGateway(admitted)) continue;
    out.push({
      label: `the pods of namespace ${ns}${Object.keys(podLabels).length > 0 ? ` labelled ${Object.entries(podLabels).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`,
      why: `namespace ${ns} is declared without an Istio injection label (${sidecarOnly
        ? 'istio-injection=enabled or istio.io/rev; the mesh is in sidecar mode, so istio.io/dataplane-mode=ambient meshes nothing'
        : 'istio-injection=enabled, istio.io/rev or istio.io/dataplane-mode=ambient'}) `
        + 'and none of its pods is in these manifests, so they are outside the mesh unless their pod templates opt in',
      namespace: ns,
    });
  }
  return out;
}

function report(doc: LintDocument, path: string, sources: UnmeshedSource[], targets: StrictTarget[], sidecarOnly: boolean): RuleReport {
  const who = sources.map((s) => `${s.label} (${s.why})`).join('; ');
  const where = targets.map((t) => `${t.pod.workloadKind} ${t.pod.endpoint.name} on port${t.ports.length > 1 ? 's' : ''} ${t.ports.map((p) => p.port).join(', ')}`)
    .join(', ');
  const why = [...new Set(targets.flatMap((t) => t.ports.map((p) => p.decision.why)))].join('; ');
  const first = targets[0];
  const ports = first.ports.map((p) => p.port).join(', ');
  const clientNamespaces = [...new Set(sources.map((s) => s.namespace))].join(', ');
  return {
    doc,
    rule: RULE,
    severity: LintSeverity.WARNING,
    path,
    message: `admits ${who} to ${where}, which require STRICT mutual TLS (${why}): the client is outside the mesh and connects in plaintext, `
      + 'which the destination\'s Istio proxy (sidecar or ztunnel) refuses, so the connection this rule opens never works',
    fix: `mesh the client (label namespace ${clientNamespaces} istio-injection=enabled${sidecarOnly ? '' : ' or istio.io/dataplane-mode=ambient'}, `
      + 'then restart its pods), '
      + `or set PERMISSIVE for port ${ports} in the portLevelMtls of a PeerAuthentication selecting ${first.pod.endpoint.name}, `
      + 'or let the traffic in through an Istio Gateway that runs in the mesh',
  };
}
