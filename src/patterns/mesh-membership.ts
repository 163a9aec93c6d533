import { IConstruct } from 'constructs';
import { LinkerdInboundPolicy, NamespaceMeshOptions } from './mesh-options';
import { NamespacePolicyOptions } from './namespace-policy-options';
import { PodSecurityLevel } from './pod-security';
import { ClusterNetwork } from '../cluster/cluster-network';
import { IpFamily } from '../cluster/ip-family';
import { MeshKind } from '../cluster/mesh';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { Protocol } from '../policy/protocol';
import { RuleAction, TrafficRule } from '../policy/rule';
import { parseCidr } from '../util/cidr';
import { propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireObject } from '../util/guards';
import { LINKERD_ADMISSION_WEBHOOKS_LABEL, linkerdWebhookUnseen } from '../util/linkerd-injection';
import { checkEnum } from '../util/validate';

/** What joining the mesh adds to a namespace (internal). */
export interface MeshNamespaceSetup {
  readonly meshed: boolean;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** The mesh's own allows (control plane, metrics, probes), added without transport twins. */
  readonly policies: Array<{ readonly name: string; readonly options: NamespacePolicyOptions }>;
  readonly transportPort?: number;
}

/**
 * The Linkerd annotation of a namespace or pod template that sets its default inbound policy
 * (linkerd.io "Authorization Policy" reference, default policies; a pod's wins over its namespace's).
 */
export const LINKERD_DEFAULT_INBOUND_POLICY = 'config.linkerd.io/default-inbound-policy';

/** The fields of NamespaceMeshOptions. */
const MESH_OPTIONS_KEYS: StructKeys<NamespaceMeshOptions> = { linkerdDefaultInboundPolicy: true };

/** Namespace label keys that only mesh membership sets: a hand-written one would bypass the checks below. */
export const MESH_LABEL_KEYS: readonly string[] = ['istio-injection', 'istio.io/rev', 'istio.io/dataplane-mode', 'istio.io/use-waypoint'];

/**
 * Validate a namespace's mesh membership against the cluster context and compute what it adds:
 * labels or annotations, the mesh's network allows, and the transport port, for the namespace
 * `namespace` labelled `labels`. Errors name the construct and the prop, and say what to change.
 */
export function meshNamespaceSetup(
  scope: IConstruct,
  cluster: ClusterNetwork,
  labels: Record<string, string>,
  options: NamespaceMeshOptions | undefined,
  podSecurity: PodSecurityLevel,
  namespace: string,
): MeshNamespaceSetup {
  for (const key of MESH_LABEL_KEYS) {
    if (key in labels) {
      throw propError(scope, `labels.${key}`, 'mesh labels are set by mesh membership, never by hand: join the mesh with `mesh: {}` '
        + '(it also opens what the mesh needs in the namespace policies)');
    }
  }
  const mesh = cluster.mesh;
  if (options === undefined) return { meshed: false, labels: {}, annotations: {}, policies: [] };
  // `{}` joins with the defaults; a boolean or a string is no shorthand for it (`'false'` must never join).
  requireKnownKeys(scope, 'mesh', requireObject(scope, 'mesh', options), MESH_OPTIONS_KEYS);
  if (mesh.kind === MeshKind.NONE) {
    throw propError(scope, 'mesh', 'the ClusterNetwork declares no service mesh (Mesh.none()): declare ClusterNetwork mesh: Mesh.istio({ mode }) '
      + 'or Mesh.linkerd(), or remove mesh');
  }
  if (mesh.needsPrivilegedInit && String(podSecurity) !== 'privileged') {
    const init = mesh.kind === MeshKind.ISTIO ? 'istio-init' : 'linkerd-init';
    const plugin = mesh.kind === MeshKind.ISTIO ? 'the Istio CNI plugin and declare Mesh.istio({ ..., cni: true })' : 'linkerd-cni and declare Mesh.linkerd({ cni: true })';
    throw propError(scope, 'mesh', `${mesh.displayName} without its CNI plugin injects ${init}, which needs NET_ADMIN and NET_RAW; Pod Security `
      + `'${podSecurity}' rejects it, so no pod of the namespace could start. Install ${plugin} (recommended), or set podSecurity: PodSecurityLevel.PRIVILEGED`);
  }
  if (mesh.kind === MeshKind.LINKERD) {
    // The namespace annotation injects nothing where the injector's webhook is never called (linkerd-control-plane values.yaml
    // proxyInjector.namespaceSelector): the pods would run without a proxy while the namespace's policies and Servers assume one.
    const unseen = linkerdWebhookUnseen({ namespace, namespaceLabels: labels });
    if (unseen !== undefined) {
      const byLabel = unseen.startsWith('namespace label');
      throw propError(scope, byLabel ? `labels.${LINKERD_ADMISSION_WEBHOOKS_LABEL}` : 'mesh', `${mesh.displayName}'s proxy injector never sees `
        + `${unseen} (its webhook's namespaceSelector leaves it out), so no pod of the namespace would get a proxy. `
        + (byLabel ? 'Remove the label to join the mesh, or remove mesh' : 'Run the workloads in another namespace to mesh them, or remove mesh'));
    }
  }
  const annotations: Record<string, string> = { ...mesh.namespaceAnnotations() };
  if (options.linkerdDefaultInboundPolicy !== undefined) {
    if (mesh.kind !== MeshKind.LINKERD) {
      throw propError(scope, 'mesh.linkerdDefaultInboundPolicy', `only applies to Linkerd; the ClusterNetwork mesh is ${mesh.displayName}`);
    }
    annotations[LINKERD_DEFAULT_INBOUND_POLICY] = checkEnum(scope, 'mesh.linkerdDefaultInboundPolicy',
      options.linkerdDefaultInboundPolicy, Object.values(LinkerdInboundPolicy), 'a Linkerd inbound policy');
  }

  const needs = mesh.networkNeeds();
  const prefix = `allow-${mesh.kind}`;
  const policies: MeshNamespaceSetup['policies'] = [];
  if (needs.controlPlane.length > 0) {
    // One rule per component: its pods on its own ports (rules are ORed, so one rule listing every
    // component and every port would open each component on the others' ports too).
    policies.push({
      name: `${prefix}-control-plane`,
      options: {
        egress: needs.controlPlane.map((cp) => ({ peers: [Peer.pods(cp.podLabels, cp.namespace)], ports: cp.ports.map((p) => Port.tcp(p.port)) })),
      },
    });
  }
  if (needs.metricsPorts.length > 0) {
    policies.push({
      name: `${prefix}-metrics`,
      options: { ingress: [{ peers: [Peer.monitoring()], ports: needs.metricsPorts.map((p) => Port.tcp(p.port)) }] },
    });
  }
  // The probe sources of the cluster's IP families only (the kubelet probes the pod's own family).
  const families = new Set(cluster.ipFamilies.map((f) => (f === IpFamily.IPV6 ? 'ipv6' : 'ipv4')));
  const probeSources = needs.probeSourceCidrs.filter((c) => families.has(parseCidr(c).family));
  if (probeSources.length > 0) {
    // Every port: the kubelet probes whatever port each container's probes name.
    policies.push({ name: `${prefix}-kubelet-probes`, options: { ingress: [{ peers: probeSources.map((c) => Peer.cidr(c)) }] } });
  }
  return { meshed: true, labels: mesh.namespaceLabels(), annotations, policies, transportPort: needs.transportPort?.port };
}

/** Peer kinds that select pods (meshed traffic between them travels on the transport port). */
const POD_PEER_KINDS = new Set(['pods', 'namespaces', 'ingressController', 'gateway', 'monitoring']);

/**
 * The policy with a twin for every allow rule between pods that names ports: same pod peers, the
 * mesh's transport port. Rules without ports already cover it; CIDR, DNS and other non-pod peers
 * never carry meshed traffic and get no twin.
 */
export function withMeshTransport(options: NamespacePolicyOptions, transportPort: number): NamespacePolicyOptions {
  const twin = (rules: TrafficRule[] | undefined): TrafficRule[] | undefined => {
    if (!Array.isArray(rules)) return rules;
    return rules.flatMap((rule) => {
      const allow = rule && (rule.action === undefined || rule.action === RuleAction.ALLOW);
      if (!allow || !Array.isArray(rule.ports) || rule.ports.length === 0) return [rule];
      if (rule.ports.some((p) => p && p.number === transportPort && p.endPort === undefined && p.protocol === Protocol.TCP)) return [rule];
      const podPeers = (rule.peers ?? []).filter((p) => p && POD_PEER_KINDS.has(p._spec?.kind));
      if (podPeers.length === 0) return [rule];
      return [rule, { peers: podPeers, ports: [Port.tcp(transportPort)] }];
    });
  };
  return { ...options, ingress: twin(options.ingress), egress: twin(options.egress) };
}
