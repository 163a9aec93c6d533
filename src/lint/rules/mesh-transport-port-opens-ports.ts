import { hostSnatSemantics, l7BlindToMtls, modelFor } from '../../analysis/cni-model';
import { Inventory, InventoryPod } from '../../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, peerMatches, selectsEndpoint } from '../../analysis/kubernetes/network-policy';
import { meshModelFor } from '../../analysis/mesh';
import { HBONE_PORT } from '../../analysis/mesh/istio';
import { adminPortOf } from '../../analysis/mesh/linkerd-admin-port';
import {
  inboundPortOf, LINKERD_INBOUND_PORT, LINKERD_INBOUND_PORT_ANNOTATION, LINKERD_INBOUND_PORT_NAME, linkerdInboundPort,
} from '../../analysis/mesh/linkerd-inbound-port';
import { Membership, membershipOf } from '../../analysis/mesh/membership';
import { ManifestObject } from '../../analysis/model';
import { evaluatePair, PairContext } from '../../analysis/pair-evaluator';
import { Verdict, YES } from '../../analysis/verdict';
import { Cni } from '../../cluster/cni';
import { groupBy } from '../../util/group-by';
import { isCalicoNetworkSet, isCalicoPolicy, isCiliumPolicy, isNamespace, namespaceOf, podTemplateOf } from '../../util/vocabulary';
import { admitsOtherNamespaces, cniAdmission, enforcesOwnPolicyKinds, isNamespacedCniPolicy } from '../cni-policy-admissions';
import { asArray, isObject, jsonPath, LintDocument } from '../document';
import { admittedTcpPorts, isIstioProxyPort, isLinkerdProxyPort } from '../netpol-ingress';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { namesPort, portNamedNowhere } from '../unnamed-port';
import { validDocuments, validInventory } from '../valid-documents';

const RULE = 'mesh-transport-port-opens-ports';

/** The transport port of a mesh, and how a message names it. */
interface Transport {
  /** The port unless a destination moves it (Linkerd's `config.linkerd.io/inbound-port`). */
  readonly port: number;
  /** `Istio ambient's HBONE tunnel port`. */
  readonly name: string;
  /** How a moved port is moved, if it can be. */
  readonly moved?: string;
  /** The finding's fix. */
  readonly fix: string;
}

const ISTIO_AMBIENT: Transport = {
  port: HBONE_PORT,
  name: 'Istio ambient\'s HBONE tunnel port',
  fix: 'restrict the ports in the mesh: a ztunnel-enforced AuthorizationPolicy on the destination pods (MeshAuthorization or IstioAuthorization flows '
    + 'with `ports`: ALLOW the clients on the intended ports, or DENY them the others), or drop the transport port from the rule if these clients '
    + 'need not reach the destination through the mesh',
};

const LINKERD: Transport = {
  port: LINKERD_INBOUND_PORT,
  name: 'Linkerd\'s inbound proxy port',
  moved: `${LINKERD_INBOUND_PORT_ANNOTATION} moves it off ${LINKERD_INBOUND_PORT}`,
  fix: 'restrict the ports in the mesh: Servers on the intended ports of the destination pods with AuthorizationPolicies for the clients '
    + '(LinkerdAuthorization or MeshAuthorization flows with `ports`), and the default inbound policy `deny` (config.linkerd.io/default-inbound-policy) '
    + 'for the ports no Server describes (an authenticated default still admits meshed clients), or drop the transport port from the rule if these '
    + 'clients need not reach the destination through the mesh',
};

/** `TCP/4143, Linkerd's inbound proxy port, the only port the CNI sees of meshed traffic`, for the transport ports of some destinations. */
function transportText(t: Transport, ports: readonly number[]): string {
  const moved = ports.some((p) => p !== t.port) && t.moved !== undefined ? ` (${t.moved})` : '';
  return `${ports.map((p) => `TCP/${p}`).join(' and ')}, ${t.name}${ports.length > 1 ? 's' : ''}${moved}, the only port the CNI sees of meshed traffic`;
}

/** One client's reach past the CNI: the destination pod and port, `every` when the port stands for every port no manifest names. */
interface Opened {
  readonly pod: InventoryPod;
  readonly port: number;
  readonly every: boolean;
}

/**
 * `mesh-transport-port-opens-ports` (warning): a networking.k8s.io NetworkPolicy ingress rule admits
 * meshed clients on the mesh's transport port (Istio ambient's HBONE 15008, Linkerd's inbound proxy
 * port 4143), and through it they reach ports of the destination pods that no policy admits them to.
 * Between meshed pods the CNI sees only the transport port (istio.io "Ambient and Kubernetes
 * NetworkPolicy", https://istio.io/latest/docs/ambient/usage/networkpolicy/: traffic is tunnelled over
 * 15008 and proxied back to the original port inside the pod; linkerd.io "Network Policy" common error,
 * https://linkerd.io/2/common-errors/network-policy/: the original target port is replaced by 4143),
 * so a rule admitting a peer on 8080 and the transport port (ZeroTrustNamespace's twins, or a
 * hand-written rule) admits that peer to every port unless the mesh restricts the ports (ztunnel
 * AuthorizationPolicies with ports; Linkerd Servers with AuthorizationPolicies and a `deny` default
 * inbound policy).
 *
 * Judged by the analyzer (analysis/pair-evaluator with the lint's CNI, `Cni.kubernetes()` when not told,
 * and the mesh model), not by reading the policies: for each workload of the manifests the rule surely
 * admits on the transport port (a peer matching it, or no `from`) and each pod of the manifests the
 * policy selects, on each TCP container port the destination declares that the rule does not admit (the
 * meshes' own ports aside) and on one port no manifest names (standing for every such port: a container
 * may listen on ports it does not declare, and no policy or mesh object treats that port apart), a
 * finding holds when the flow is allowed with the mesh for any connection (no L7 constraint), the CNI
 * judged it on the transport port (`cniPort`), and the CNI alone on the application port denies it. Not reported: a mesh verdict that denies, is indeterminate or allows some requests only
 * (Linkerd's probe route, GET of the pod's probe paths for any client; a waypoint's HTTP rules), a CNI
 * verdict that is indeterminate (a sidecar client of an ambient pod, a waypoint the manifests do not
 * describe, policies the CNI model does not evaluate exactly), a client the mesh does not tunnel (unmeshed, a skipped
 * port). A Linkerd destination whose template or namespace sets `config.linkerd.io/inbound-port` (linkerd.io "Proxy
 * Configuration") gets meshed traffic on that port (as the proxy injector reads it: ../../analysis/mesh/linkerd-inbound-port),
 * its transport port here, which a rule may also name `linkerd-proxy` (the injected proxy's container port); one whose inbound
 * port is not known is left out (the analyzer says indeterminate). On an ambient destination every port but HBONE's is a
 * candidate, Envoy's (15000, 15020, 15090, ...) too: it has no sidecar, and ztunnel captures them like any port.
 *
 * Runs only when the lint is told a mesh with a transport port (`PolicyLintOptions.mesh`: `Mesh.istio()`
 * in ambient mode, `Mesh.linkerd()`); without it the rule does not apply, as sidecar-mode Istio sends the
 * application port. The mesh and CNI models are built once per run, and only when some NetworkPolicy
 * ingress rule (or, told Calico or Cilium, one of theirs) names the transport port. Told Calico or Cilium (`PolicyLintOptions.cni`), their own
 * policies are judged too where an ingress rule names the transport port: each pair of a meshed client and a
 * tunnelled destination whose transport port such a rule admits (the model finds it: ../cni-policy-admissions), whether
 * the rule names its clients or admits every source (no source, `all()`, entities: like a NetworkPolicy rule without `from`),
 * reported on that rule; a destination is asked about the meshed clients of its own
 * namespace only when the policies that may select it admit no other namespace's pods (admitsOtherNamespaces), so a directory of
 * namespaced policies costs pairs per namespace, not every pair of pods. Their verdicts count either way: an application
 * port they admit is no finding.
 */
export const meshTransportPortOpensPorts: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const facts = ctx.mesh?.facts;
    const transport = facts === undefined ? undefined : facts.flavour === 'linkerd' ? LINKERD : facts.ambient ? ISTIO_AMBIENT : undefined;
    // A CNI that enforces no policy admits every port already (policy-on-unenforcing-cni says so).
    if (transport === undefined || (ctx.cni !== undefined && !ctx.cni.capabilities.enforcesNetworkPolicy)) return [];
    const valid = validDocuments(ctx.documents);
    // Every port that may be some destination's transport port: the mesh's, and under Linkerd each inbound port an annotation moves it to.
    const transportPorts = transport === LINKERD ? movedInboundPorts(valid) : [transport.port];
    const policies = valid.filter((d) => isNetworkPolicy(d.obj) && isObject(d.obj.spec) && effectivePolicyTypes(d.obj).includes('Ingress')
      && asArray(d.obj.spec.ingress).some((r) => isObject(r) && transportPorts.some((port) => mayAdmitPort(r.ports, port))));
    // Told Calico or Cilium, their own policies naming a transport port in an ingress rule (the model finds which rule admits).
    const cniPolicies = !enforcesOwnPolicyKinds(ctx.cni) ? [] : valid.filter((d) => (isCalicoPolicy(d.obj) || isCiliumPolicy(d.obj))
      && transportPorts.some((port) => namesPort(ingressRulesOf(d.obj), port)));
    if (policies.length === 0 && cniPolicies.length === 0) return [];
    const objects = valid.map((d) => d.obj as ManifestObject);
    const inventory = validInventory(ctx.documents);
    const { namespaces, namespaceAnnotations: declared } = inventory;
    const membership = new Map<InventoryPod, Membership>();
    const memberOf = (p: InventoryPod) => {
      if (!membership.has(p)) membership.set(p, membershipOf(p.endpoint, facts!, namespaces, declared));
      return membership.get(p)!;
    };
    const adminPort = (p: InventoryPod) => adminPortOf(p.endpoint, declared.get(p.endpoint.namespace ?? 'default')).port;
    // The port the CNI sees of meshed traffic to the pod: HBONE's, or its Linkerd inbound proxy port (moved by
    // config.linkerd.io/inbound-port; undefined when not known, the analyzer then says indeterminate).
    const wirePorts = new Map<InventoryPod, number | undefined>();
    const wireOf = (p: InventoryPod): number | undefined => {
      if (transport !== LINKERD) return transport.port;
      if (!wirePorts.has(p)) wirePorts.set(p, inboundPortOf(p.endpoint, declared.get(p.endpoint.namespace ?? 'default')).port);
      return wirePorts.get(p);
    };
    const destination = (p: InventoryPod) => tunnelled(memberOf(p)) && wireOf(p) !== undefined;
    // An ambient pod has no Envoy: only HBONE is the mesh's own port there, ztunnel captures the others like any port.
    const ownPort = (pod: InventoryPod, port: number) => (transport === LINKERD ? isLinkerdProxyPort(port, adminPort(pod), wireOf(pod))
      : port === HBONE_PORT);
    /** `pod` with the injected proxy's container port `linkerd-proxy` (its inbound port), which a rule's `ports` may name. */
    const withProxyPort = (pod: InventoryPod): InventoryPod => (transport !== LINKERD || pod.ports.some((p) => p.name === LINKERD_INBOUND_PORT_NAME)
      ? pod : { ...pod, ports: [...pod.ports, { name: LINKERD_INBOUND_PORT_NAME, port: wireOf(pod)!, protocol: 'TCP' }] });
    let contexts: { mesh: PairContext; plain: PairContext; unnamed: number | undefined } | undefined;
    const judge = () => {
      if (contexts === undefined) {
        const cni = ctx.cni ?? Cni.kubernetes();
        const model = modelFor(cni, objects, namespaces);
        const mesh = meshModelFor(facts!, objects, namespaces, declared);
        contexts = {
          mesh: { model, mesh, l7BlindToMtls: l7BlindToMtls(cni), hostSnat: hostSnatSemantics(cni) },
          plain: { model },
          unnamed: portNamedNowhere(objects, (p) => isIstioProxyPort(p) || isLinkerdProxyPort(p, undefined)),
        };
      }
      return contexts;
    };
    const verdicts = new Map<string, boolean>();
    const opens = (client: InventoryPod, pod: InventoryPod, port: number): boolean => {
      const key = `${client.endpoint.name}\u0000${pod.endpoint.name}\u0000${port}`;
      if (!verdicts.has(key)) {
        const { mesh, plain } = judge();
        const withMesh = evaluatePair(mesh, client.endpoint, pod.endpoint, 'TCP', port);
        // An allow for some requests only (Linkerd's probe route, a waypoint's HTTP rules) is restricted in the mesh already.
        verdicts.set(key, withMesh.verdict === Verdict.ALLOW && withMesh.l7Constraints.length === 0 && withMesh.cniPort === `TCP/${wireOf(pod)}`
          && evaluatePair(plain, client.endpoint, pod.endpoint, 'TCP', port).verdict === Verdict.DENY);
      }
      return verdicts.get(key)!;
    };
    /**
     * The ports of `pod` the client reaches past the CNI: its declared TCP ports but `admitted` and the mesh's own, and one port no
     * manifest names (a container may listen on ports it does not declare), standing for every such port.
     */
    const opened = (client: InventoryPod, pod: InventoryPod, admitted: readonly number[]): Opened[] => {
      const declaredPorts = [...new Set(pod.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port))].sort((a, b) => a - b);
      const unnamed = judge().unnamed;
      const candidates: Opened[] = [
        ...declaredPorts.filter((p) => !admitted.includes(p) && !ownPort(pod, p)).map((port) => ({ pod, port, every: false })),
        ...(unnamed === undefined ? [] : [{ pod, port: unnamed, every: true }]),
      ];
      return candidates.filter((c) => opens(client, pod, c.port));
    };
    const out: RuleReport[] = [];
    const report = (doc: LintDocument, path: string, reached: ReadonlyArray<{ client: InventoryPod; opened: Opened[] }>) => {
      const text = reached.map((r) => `${r.client.workloadKind} ${r.client.endpoint.name} reaches ${placesText(r.opened)}`).join('; ');
      const ports = [...new Set(reached.flatMap((r) => r.opened.map((o) => wireOf(o.pod)!)))].sort((a, b) => a - b);
      out.push({
        doc,
        rule: RULE,
        severity: LintSeverity.WARNING,
        path,
        message: `admits meshed clients on ${transportText(transport, ports)}, so the mesh carries them to ports no policy admits them to: ${text} `
          + `(allowed by ${facts!.displayName} on the transport port; the CNI alone would deny these ports)`,
        fix: transport.fix,
      });
    };
    const scan: TransportScan = {
      transportPorts, inventory, memberOf, destination, wireOf, withProxyPort, opened, report, model: () => judge().mesh.model,
    };
    networkPolicyFindings(scan, policies);
    if (cniPolicies.length > 0) cniPolicyFindings(scan, cniPolicies, valid);
    return out;
  },
};

/** What the rule's two passes (NetworkPolicies, then Calico and Cilium policies) share of one run: the pods, the mesh's view of them, the verdicts. */
interface TransportScan {
  /** Every port that may be some destination's transport port. */
  readonly transportPorts: readonly number[];
  readonly inventory: Inventory;
  memberOf(pod: InventoryPod): Membership;
  /** Does the mesh tunnel meshed traffic to the pod, on a known transport port? */
  destination(pod: InventoryPod): boolean;
  /** The port the CNI sees of meshed traffic to the pod (undefined when not known). */
  wireOf(pod: InventoryPod): number | undefined;
  /** The pod with the injected proxy's `linkerd-proxy` container port, which a rule's `ports` may name. */
  withProxyPort(pod: InventoryPod): InventoryPod;
  /** The ports of `pod` the client reaches past the CNI, `admitted` aside. */
  opened(client: InventoryPod, pod: InventoryPod, admitted: readonly number[]): Opened[];
  /** Add a finding on `path` of `doc`. */
  report(doc: LintDocument, path: string, reached: ReadonlyArray<{ client: InventoryPod; opened: Opened[] }>): void;
  /** The CNI model (built on first use). */
  model(): PairContext['model'];
}

/** The findings on NetworkPolicy ingress rules that admit meshed clients on a transport port, in policy and rule order. */
function networkPolicyFindings(scan: TransportScan, policies: readonly LintDocument[]): void {
  // A NetworkPolicy selects pods of its namespace, and a peer without namespaceSelector (nor ipBlock) pods of that namespace only:
  // a directory of namespaces costs pods per namespace for each policy, not every pod of the manifests.
  const podsIn = groupBy(scan.inventory.pods, (p) => p.endpoint.namespace ?? 'default');
  for (const doc of policies) {
    const own = podsIn.get(namespaceOf(doc.obj)) ?? [];
    const destinations = own.filter((p) => selectsEndpoint(doc.obj, p.endpoint) && scan.destination(p));
    if (destinations.length === 0) continue;
    asArray(doc.obj.spec.ingress).forEach((rule, i) => {
      if (!isObject(rule) || !scan.transportPorts.some((port) => mayAdmitPort(rule.ports, port))) return;
      const from = asArray(rule.from).filter(isObject);
      const local = from.length > 0
        && asArray(rule.from).every((peer) => isObject(peer) && peer.namespaceSelector === undefined && peer.ipBlock === undefined);
      const clients = (local ? own : scan.inventory.pods).filter((c) => scan.memberOf(c).dataPlane !== undefined
        && (asArray(rule.from).length === 0 || from.some((peer) => peerMatches(doc.obj, peer, c.endpoint, scan.inventory.namespaces) === YES)));
      const reached = clients.map((client) => ({
        client,
        opened: destinations
          .filter((pod) => admittedTcpPorts(scan.withProxyPort(pod), rule.ports).includes(scan.wireOf(pod)!)
            || rangeAdmits(rule.ports, scan.wireOf(pod)!))
          .flatMap((pod) => scan.opened(client, pod, admittedTcpPorts(pod, rule.ports))),
      })).filter((r) => r.opened.length > 0);
      if (reached.length > 0) scan.report(doc, jsonPath('spec', 'ingress', i), reached);
    });
  }
}

/**
 * The findings on Calico and Cilium rules that admit a meshed client on a tunnelled destination's transport port (naming it or every
 * source), from the model's ingress verdict (../cni-policy-admissions), grouped by that rule in document order.
 */
function cniPolicyFindings(scan: TransportScan, cniPolicies: readonly LintDocument[], valid: readonly LintDocument[]): void {
  const model = scan.model();
  const groups = new Map<string, { doc: LintDocument; path: string; reached: Map<InventoryPod, Opened[]> }>();
  // A namespaced policy selects pods of its namespace only, and most admit clients of that namespace only (admitsOtherNamespaces):
  // each destination is asked about the clients some policy that may select it may admit, not every pod of the manifests.
  const clusterWide = cniPolicies.some((d) => !isNamespacedCniPolicy(d));
  const networkSets = valid.some((d) => isCalicoNetworkSet(d.obj));
  const policiesIn = groupBy(cniPolicies.filter(isNamespacedCniPolicy), (d) => namespaceOf(d.obj));
  const widens = new Map(cniPolicies.map((d) => [d, admitsOtherNamespaces(d, networkSets)]));
  const clients = scan.inventory.pods.filter((c) => scan.memberOf(c).dataPlane !== undefined);
  const clientsIn = groupBy(clients, (c) => c.endpoint.namespace ?? 'default');
  for (const pod of scan.inventory.pods.filter(scan.destination)) {
    const ns = pod.endpoint.namespace ?? 'default';
    const local = policiesIn.get(ns) ?? [];
    if (!clusterWide && local.length === 0) continue;
    const anyNamespace = clusterWide || local.some((d) => widens.get(d));
    for (const client of anyNamespace ? clients : clientsIn.get(ns) ?? []) {
      const admission = cniAdmission(model, cniPolicies, client.endpoint, pod.endpoint, scan.wireOf(pod)!, true);
      if (admission === undefined) continue;
      const ports = scan.opened(client, pod, []);
      if (ports.length === 0) continue;
      const key = `${cniPolicies.indexOf(admission.doc)}\u0000${admission.path}`;
      if (!groups.has(key)) groups.set(key, { doc: admission.doc, path: admission.path, reached: new Map() });
      const reached = groups.get(key)!.reached;
      reached.set(client, [...(reached.get(client) ?? []), ...ports]);
    }
  }
  const order = (key: string) => Number(key.split('\u0000')[0]);
  [...groups.entries()].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b)).forEach(([, g]) => scan.report(g.doc, g.path,
    [...g.reached.entries()].map(([client, os]) => ({ client, opened: os }))
      .sort((a, b) => a.client.endpoint.name.localeCompare(b.client.endpoint.name))));
}

/**
 * Linkerd's inbound proxy port and every port a `config.linkerd.io/inbound-port` annotation of a Namespace or a pod template among
 * `documents` moves it to (as the proxy injector reads it), sorted: the ports a rule must admit to carry meshed traffic somewhere.
 */
function movedInboundPorts(documents: readonly LintDocument[]): number[] {
  const ports = new Set([LINKERD_INBOUND_PORT]);
  for (const d of documents) {
    const meta = isNamespace(d.obj) ? d.obj.metadata : podTemplateOf(d.obj)?.metadata;
    const value = isObject(meta) && isObject(meta.annotations) ? meta.annotations[LINKERD_INBOUND_PORT_ANNOTATION] : undefined;
    const port = linkerdInboundPort(value, undefined).port;
    if (port !== undefined) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** The ingress rules of a Calico or Cilium policy (`spec`, and a CiliumNetworkPolicy's `specs`). */
function ingressRulesOf(obj: Record<string, any>): unknown[] {
  return [obj.spec, ...asArray(obj.specs)].map((spec) => (isObject(spec) ? spec.ingress : undefined));
}

/** Does the destination's mesh tunnel meshed traffic to it (an ambient pod, a Linkerd-meshed pod)? */
function tunnelled(m: Membership): boolean {
  return m.dataPlane === 'ambient' || m.dataPlane === 'linkerd';
}

/** May the rule's `ports` admit TCP `port` (a number, a range over it, or a name, resolved per pod later)? No `ports` admits every port: nothing to open. */
function mayAdmitPort(ports: unknown, port: number): boolean {
  return asArray(ports).some((e) => isObject(e) && (e.protocol ?? 'TCP') === 'TCP'
    && (typeof e.port === 'string' || e.port === port || rangeOver(e, port)));
}

/** Does an entry of the rule's `ports` give a range (`endPort`) over `port`, whether or not the pod declares it? */
function rangeAdmits(ports: unknown, port: number): boolean {
  return asArray(ports).some((e) => isObject(e) && (e.protocol ?? 'TCP') === 'TCP' && rangeOver(e, port));
}

/** Is `entry` a numeric port with an `endPort` whose range holds `port`? */
function rangeOver(entry: Record<string, any>, port: number): boolean {
  return typeof entry.port === 'number' && typeof entry.endPort === 'number' && entry.port <= port && port <= entry.endPort;
}

/** `Deployment shop/api on ports 9090, 9091 and on every port no manifest names (judged on port 1)`, per pod. */
function placesText(opened: readonly Opened[]): string {
  const byPod = new Map<InventoryPod, Opened[]>();
  for (const o of opened) byPod.set(o.pod, [...(byPod.get(o.pod) ?? []), o]);
  return [...byPod.entries()].map(([pod, os]) => {
    const declared = os.filter((o) => !o.every).map((o) => o.port);
    const every = os.find((o) => o.every);
    const parts = [
      ...(declared.length > 0 ? [`on port${declared.length > 1 ? 's' : ''} ${declared.join(', ')}`] : []),
      ...(every ? [`on every port no manifest names (judged on port ${every.port})`] : []),
    ];
    return `${pod.workloadKind} ${pod.endpoint.name} ${parts.join(' and ')}`;
  }).join(', ');
}
