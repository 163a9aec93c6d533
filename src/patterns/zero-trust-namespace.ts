import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { BlanketAllow } from './blanket-allow';
import { blanketAllowsOf } from './blanket-allows';
import { CLUSTER_DNS_RULE } from './cluster-dns-rule';
import { LINKERD_DEFAULT_INBOUND_POLICY, meshNamespaceSetup, withMeshTransport } from './mesh-membership';
import { NamespaceMeshOptions } from './mesh-options';
import { NamespacePolicyOptions } from './namespace-policy-options';
import { PodSecurityLevel } from './pod-security';
import { sharedNamespaceUse } from './shared-namespaces';
import { checkTenantLabels } from './tenant-labels';
import { ClusterNetwork } from '../cluster/cluster-network';
import { MeshNetworkNeeds } from '../cluster/mesh';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { validatePorts } from '../policy/port-validation';
import { Direction, RuleAction, TrafficRule } from '../policy/rule';
import { TrafficPolicy } from '../policy/traffic-policy';
import { constructIdFor } from '../util/construct-id';
import { propError } from '../util/errors';
import {
  StructKeys, orDefault, requireArray, requireKnownKeys, requireOptionalBoolean, requireOptionalString, requireProps, requireString, requireStringMap,
} from '../util/guards';
import { registerObject } from '../util/object-registry';
import { PlainApiObject } from '../util/plain-api-object';
import { checkEnum, validateDnsLabel, validateDnsSubdomain, validateLabels, validateUnreservedLabelKey } from '../util/validate';

/** Construct id of the Namespace object. */
const NAMESPACE_ID = 'Namespace';

const POD_SECURITY_LEVELS: string[] = Object.values(PodSecurityLevel);

/** The baseline policies' options, the same for every namespace (values: frozen, shared). */
const DEFAULT_DENY_ALL: NamespacePolicyOptions = Object.freeze({ isolate: Object.freeze([Direction.INGRESS, Direction.EGRESS]) as Direction[] });
const ALLOW_DNS: NamespacePolicyOptions = Object.freeze({ egress: Object.freeze([CLUSTER_DNS_RULE]) as TrafficRule[] });

/**
 * The options of `deny-cloud-metadata`: one frozen set per cluster and list of metadata CIDRs, shared
 * by every namespace of that cluster (built per namespace, they were some 440 bytes of heap per
 * namespace, kept as long as the app). Keyed by the CIDRs themselves: ClusterNetwork's array is
 * public and could still change.
 */
function denyCloudMetadataOptions(cluster: ClusterNetwork): NamespacePolicyOptions {
  const key = cluster.metadataCidrs.join('|');
  const known = DENY_CLOUD_METADATA.get(cluster);
  if (known !== undefined && known.key === key) return known.options;
  const peers = Object.freeze(cluster.metadataCidrs.map((c) => Peer.cidr(c))) as Peer[];
  const rule: TrafficRule = Object.freeze({ action: RuleAction.DENY, peers });
  const options: NamespacePolicyOptions = Object.freeze({ egress: Object.freeze([rule]) as TrafficRule[] });
  DENY_CLOUD_METADATA.set(cluster, { key, options });
  return options;
}

/** Per cluster: the `deny-cloud-metadata` options and the metadata CIDRs they were built from. */
const DENY_CLOUD_METADATA = new WeakMap<ClusterNetwork, { readonly key: string; readonly options: NamespacePolicyOptions }>();

const PROPS_KEYS: StructKeys<ZeroTrustNamespaceProps> = {
  name: true,
  labels: true,
  podSecurity: true,
  podSecurityVersion: true,
  allowSameNamespace: true,
  monitoringPorts: true,
  ingressControllerPorts: true,
  createNamespace: true,
  mesh: true,
};
const OPTIONS_KEYS: StructKeys<NamespacePolicyOptions> = { podSelector: true, isolate: true, ingress: true, egress: true, labels: true };

/** Props of {@link ZeroTrustNamespace}. */
export interface ZeroTrustNamespaceProps {
  /**
   * Namespace name (DNS-1123 label). Not a namespace the whole cluster depends on: kube-*, the
   * cluster DNS namespace, the ingress controller's or the monitoring namespace (ClusterNetwork).
   */
  readonly name: string;
  /**
   * Extra labels of the Namespace (e.g. `tenant: acme`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Pod Security Standard enforced (and audited and warned) in the namespace.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Version of the Pod Security Standard (`pod-security.kubernetes.io/enforce-version`): 'latest' or
   * 'v1.<minor>' without leading zeros.
   * @default 'latest'
   */
  readonly podSecurityVersion?: string;
  /**
   * Allow every pod of the namespace to reach every other pod of it (ingress and egress).
   * @default false - pods talk only along explicit allows
   */
  readonly allowSameNamespace?: boolean;
  /**
   * Allow the monitoring pods (ClusterNetwork `monitoring`) to scrape every pod on these ports.
   * @default - no scrape allow
   */
  readonly monitoringPorts?: Port[];
  /**
   * Allow the ingress controller (ClusterNetwork `ingressController`) to reach every pod on these
   * ports. Prefer per-workload allows (ThreeTierApp does that).
   * @default - no ingress-controller allow
   */
  readonly ingressControllerPorts?: Port[];
  /**
   * Create the Namespace object. Set to false when the namespace is managed elsewhere; the
   * policies are still emitted into it.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Join the service mesh the ClusterNetwork declares (`mesh`): the Namespace gets the mesh's
   * injection label (Istio `istio-injection: enabled` or `istio.io/rev`, ambient
   * `istio.io/dataplane-mode: ambient`) or annotation (Linkerd `linkerd.io/inject: enabled`), and
   * the namespace's policies allow what the mesh needs: egress to its control plane, its metrics
   * ports from the monitoring pods, kubelet probes from ambient's probe address, and its transport
   * port (ambient HBONE 15008, Linkerd 4143) beside the application ports of every pod-to-pod allow
   * added through this namespace (which the CNI cannot tell apart for tunnelled traffic: the mesh
   * restricts ports between meshed pods, see {@link addPolicy}). `{}` joins with the defaults.
   * @default - not meshed
   */
  readonly mesh?: NamespaceMeshOptions;
}

/**
 * A namespace where nothing flows unless allowed: default deny for ingress and egress, DNS allowed
 * explicitly (UDP and TCP 53 to the cluster DNS pods, plus NodeLocal DNS when the cluster runs it),
 * the cloud metadata service never reachable, and Pod Security `restricted` enforced.
 *
 * Objects (names are stable): Namespace; NetworkPolicy `default-deny-all`; `allow-dns`; on Calico
 * and Cilium a `deny-cloud-metadata` guard rail that wins over any allow a workload owner adds;
 * optional `allow-same-namespace`, `allow-monitoring`, `allow-ingress-controller`.
 */
export class ZeroTrustNamespace extends Construct {
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object, when created. */
  public readonly namespaceObject?: ApiObject;
  /** The namespace joined the ClusterNetwork's mesh (`mesh`). */
  public readonly meshed: boolean;
  /**
   * The Linkerd default inbound policy the namespace's mesh options set
   * (`linkerdDefaultInboundPolicy`); undefined when they set none (the cluster's default applies).
   * @internal
   */
  public readonly _linkerdDefaultInboundPolicy?: string;
  /** Every policy of the namespace, by name. */
  /**
   * Each policy added, in order, with its options; its blanket allows are worked out when first asked
   * for. Only a ThreeTierApp in this namespace asks: working them out for every policy of every
   * namespace was about 15% of a TenantIsolation's construction time (measured at 3,000 tenants).
   */
  private added: ReadonlyArray<{
    /** Its name is `policy._intent.name`. */
    readonly policy: TrafficPolicy;
    readonly options: { readonly ingress?: TrafficRule[]; readonly egress?: TrafficRule[] };
    readonly meshNeeds?: MeshNetworkNeeds;
    allows?: BlanketAllow[];
  }> = [];
  private readonly cluster: ClusterNetwork;
  /** The mesh's transport port, added beside the ports of pod-to-pod allows (ambient, Linkerd). */
  private readonly meshTransportPort?: number;

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps) {
    super(scope, id);
    props = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    this.cluster = cluster;
    this.name = validateDnsLabel(this, 'name', props.name);
    this.assertNotShared(cluster);
    const labels = validateLabels(this, 'labels', props.labels);
    for (const key of Object.keys(labels)) validateUnreservedLabelKey(this, `labels.${key}`, key);
    checkTenantLabels(this, this.name, labels);
    validatePorts(this, 'monitoringPorts', props.monitoringPorts);
    validatePorts(this, 'ingressControllerPorts', props.ingressControllerPorts);
    const level = checkEnum(this, 'podSecurity', orDefault(props.podSecurity, PodSecurityLevel.RESTRICTED), POD_SECURITY_LEVELS, 'a Pod Security level');
    const version = requireOptionalString(this, 'podSecurityVersion', props.podSecurityVersion) ?? 'latest';
    // The Pod Security admission version label: 'latest' or 'v<major>.<minor>' without leading zeros
    // (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces).
    if (typeof version !== 'string' || !/^(latest|v1\.(0|[1-9][0-9]*))$/.test(version)) {
      throw propError(this, 'podSecurityVersion', `'${version}' must be 'latest' or 'v1.<minor>' (no leading zeros, e.g. 'v1.30')`);
    }

    const allowSameNamespace = requireOptionalBoolean(this, 'allowSameNamespace', props.allowSameNamespace, false);
    const mesh = meshNamespaceSetup(this, cluster, labels, props.mesh, level, this.name);
    this.meshed = mesh.meshed;
    this.meshTransportPort = mesh.transportPort;
    this._linkerdDefaultInboundPolicy = mesh.annotations[LINKERD_DEFAULT_INBOUND_POLICY];

    if (requireOptionalBoolean(this, 'createNamespace', props.createNamespace, true)) {
      this.namespaceObject = registerObject(this, new PlainApiObject(this, NAMESPACE_ID, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: this.name,
          ...(Object.keys(mesh.annotations).length > 0 ? { annotations: mesh.annotations } : {}),
          labels: {
            ...labels,
            ...mesh.labels,
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': version,
            'pod-security.kubernetes.io/audit': level,
            'pod-security.kubernetes.io/audit-version': version,
            'pod-security.kubernetes.io/warn': level,
            'pod-security.kubernetes.io/warn-version': version,
          },
        },
      }));
    }

    this._addOwnedPolicy('default-deny-all', DEFAULT_DENY_ALL);
    this._addOwnedPolicy('allow-dns', ALLOW_DNS);
    if (cluster.cni.capabilities.deny) {
      // Default deny already keeps the metadata service out of reach; the explicit deny keeps it so
      // when someone later adds a broad egress allow of their own.
      this._addOwnedPolicy('deny-cloud-metadata', denyCloudMetadataOptions(cluster));
    }
    for (const meshPolicy of mesh.policies) this.addPolicyAsIs(meshPolicy.name, meshPolicy.options);
    if (allowSameNamespace) {
      this._addOwnedPolicy('allow-same-namespace', {
        ingress: [{ peers: [Peer.sameNamespace()] }],
        egress: [{ peers: [Peer.sameNamespace()] }],
      });
    }
    if (props.monitoringPorts?.length) {
      this.addPolicy('allow-monitoring', { ingress: [{ peers: [Peer.monitoring()], ports: props.monitoringPorts }] });
    }
    if (props.ingressControllerPorts?.length) {
      this.addPolicy('allow-ingress-controller', { ingress: [{ peers: [Peer.ingressController()], ports: props.ingressControllerPorts }] });
    }
  }

  /**
   * Add a policy to the namespace (ids and object names are the policy name). In a namespace that
   * joined a mesh with a transport port (Istio ambient 15008, Linkerd 4143), every allow rule
   * between pods that names ports gets a twin rule for the same peers on the transport port, so
   * that meshed traffic (tunnelled on that port) passes where the plain flow does. The CNI sees only
   * the transport port of tunnelled traffic, so between meshed pods the twin admits the source to
   * every port of the destination: restrict the ports in the mesh (MeshAuthorization `ports`; under
   * Linkerd with a `deny` default inbound policy for the other ports; PolicyLint's
   * `mesh-transport-port-opens-ports` reports what such an allow opens).
   * @param name policy name, unique in the namespace
   */
  public addPolicy(name: string, options: NamespacePolicyOptions): TrafficPolicy {
    const meshed = this.meshTransportPort === undefined ? options : withMeshTransport(options, this.meshTransportPort);
    return this.addPolicyAsIs(name, meshed);
  }

  /**
   * addPolicy for options this library built and never hands out (nor changes): kept as they are,
   * without the copy of their rules that protects against a caller changing its arrays later. At
   * thousands of tenant namespaces those copies were about a tenth of the heap the library keeps.
   * @internal
   */
  public _addOwnedPolicy(name: string, options: NamespacePolicyOptions): TrafficPolicy {
    const meshed = this.meshTransportPort === undefined ? options : withMeshTransport(options, this.meshTransportPort);
    return this.addPolicyAsIs(name, meshed, true);
  }

  /** addPolicy without the mesh transport port (the mesh's own control-plane and probe allows). */
  private addPolicyAsIs(name: string, options: NamespacePolicyOptions, owned = false): TrafficPolicy {
    if (typeof name !== 'string' || name.length === 0) throw propError(this, 'name', 'a policy name is required');
    validateDnsSubdomain(this, 'name', name);
    if (this.added.some((a) => a.policy._intent.name === name)) throw propError(this, 'name', `the namespace already has a policy named '${name}'`);
    const o = requireKnownKeys(this, 'options', requireProps(this, options, false, `options of policy '${name}'`), OPTIONS_KEYS);
    // The id is the policy name (a DNS subdomain, so never the Namespace object's id); constructs would
    // mistake an Object.prototype member name ('constructor') for a taken id.
    const id = constructIdFor(name);
    const policy = new TrafficPolicy(this, id, { ...o, name, namespace: this.name });
    const meshNeeds = this.meshed ? this.cluster.mesh.networkNeeds() : undefined;
    // The rules' peer and port lists as they are now (Peer and Port are immutable values): a caller
    // changing its arrays later must not change what this policy was.
    const snapshot = (rules?: TrafficRule[]) => rules?.map((r) => ({ ...r, peers: [...r.peers], ports: r.ports && [...r.ports] }));
    // concat, not push: an array of its length (push leaves room for 17; see directionsIn in policy/intent.ts).
    this.added = this.added.concat([{ policy, options: owned ? o : { ingress: snapshot(o.ingress), egress: snapshot(o.egress) }, meshNeeds }]);
    return policy;
  }

  /**
   * Allow `peers` into the pods labelled `podSelector` on `ports`.
   * @param podSelector labels of the pods; `{}` is every pod of the namespace (said explicitly)
   */
  public allowIngress(name: string, podSelector: { [key: string]: string }, peers: Peer[], ports?: Port[]): TrafficPolicy {
    return this.addPolicy(name, { podSelector: requireStringMap(this, 'podSelector', podSelector), ingress: [{ peers, ports }] });
  }

  /**
   * Allow the pods labelled `podSelector` to reach `peers` on `ports`.
   * @param podSelector labels of the pods; `{}` is every pod of the namespace (said explicitly)
   */
  public allowEgress(name: string, podSelector: { [key: string]: string }, peers: Peer[], ports?: Port[]): TrafficPolicy {
    return this.addPolicy(name, { podSelector: requireStringMap(this, 'podSelector', podSelector), egress: [{ peers, ports }] });
  }

  /**
   * The allow rules that apply to every pod of the namespace (their policy selects all pods), in
   * the order their policies were added, whatever their names: the baseline DNS allow, the mesh's
   * own allows in a meshed namespace (control plane, metrics, probes), and e.g.
   * `allowSameNamespace`, `monitoringPorts`, `ingressControllerPorts`, a TenantIsolation's
   * same-tenant or internet allows, or anything added with `addPolicy` / `allowIngress` /
   * `allowEgress` and an empty pod selector. Policies declared elsewhere (a TrafficPolicy of
   * another construct) are not included.
   */
  public blanketAllows(): BlanketAllow[] {
    return this.blanket().map((a) => ({ ...a, peers: [...a.peers], ports: [...a.ports] }));
  }

  /**
   * Does some allow apply to every pod of the namespace beyond DNS and, in a meshed namespace, what
   * the mesh needs (see {@link blanketAllows}, `dnsOnly` and `meshOnly`, both decided by the rules'
   * peers and ports)? A workload that must be reachable only along its own allows (ThreeTierApp's
   * database) cannot live in such a namespace.
   */
  public opensToAllPods(): boolean {
    return this.blanket().some((a) => !a.dnsOnly && !a.meshOnly);
  }

  /** The blanket allows of every policy added so far, in order (each policy's worked out once). */
  private blanket(): BlanketAllow[] {
    return this.added.flatMap((a) => (a.allows ??= blanketAllowsOf(this.cluster, a.policy._intent.name, a.policy._intent, a.options, a.meshNeeds)));
  }

  /**
   * Allow the pods of this namespace labelled `from` to reach those labelled `to` on `ports`. Default
   * deny isolates both ends, so this is two policies: an egress allow on the clients
   * (`<name>-egress`) and an ingress allow on the servers (`<name>-ingress`).
   * @param name prefix of the two policy names, e.g. `api-to-db`
   * @param from labels of the client pods (at least one: "every pod" is `allowSameNamespace`)
   * @param to labels of the server pods (at least one)
   * @param ports the server ports (at least one)
   * @returns the egress and the ingress policy, in that order
   */
  public allowFlow(name: string, from: { [key: string]: string }, to: { [key: string]: string }, ports: Port[]): TrafficPolicy[] {
    // The prefix of both policy names: `undefined` or a number would make 'undefined-egress', '1-egress'.
    requireString(this, 'name', name, true);
    for (const [prop, labels] of [['from', from], ['to', to]] as const) {
      if (labels === undefined || labels === null || Object.keys(requireStringMap(this, prop, labels)).length === 0) {
        throw propError(this, prop, `pods by at least one label are required for flow '${name}' (every pod of the namespace: allowSameNamespace)`);
      }
    }
    if (requireArray(this, 'ports', ports).length === 0) throw propError(this, 'ports', `at least one port is required for flow '${name}'`);
    validatePorts(this, 'ports', ports);
    return [
      this.addPolicy(`${name}-egress`, { podSelector: from, egress: [{ peers: [Peer.pods(to)], ports }] }),
      this.addPolicy(`${name}-ingress`, { podSelector: to, ingress: [{ peers: [Peer.pods(from)], ports }] }),
    ];
  }

  /** Namespaces the whole cluster depends on cannot be under this namespace's default deny. */
  private assertNotShared(cluster: ClusterNetwork): void {
    const use = sharedNamespaceUse(cluster, this.name);
    if (!use) return;
    if (this.name === cluster.dnsNamespace) {
      throw propError(this, 'name', `'${this.name}' runs the cluster DNS: default deny there would cut every pod in the cluster off DNS`);
    }
    if (use.system) {
      throw propError(this, 'name', `'${this.name}' is a system namespace (kube-*, owned by the control plane): default deny there would cut off the system components in it`);
    }
    throw propError(this, 'name', `'${this.name}' runs ${use.what}, which every workload relies on: default deny there would cut it off from them`);
  }

  /** The policy of this namespace with that name, if any. */
  public policy(name: string): TrafficPolicy | undefined {
    // A scan of the few policies of one namespace: a Map per namespace cost more heap than it saved.
    return this.added.find((a) => a.policy._intent.name === name)?.policy;
  }
}
