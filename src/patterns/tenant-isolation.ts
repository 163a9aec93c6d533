import { Construct } from 'constructs';
import { NamespaceMeshOptions } from './mesh-options';
import { NamespacePolicyOptions } from './namespace-policy-options';
import { PodSecurityLevel } from './pod-security';
import { sharedNamespaceUse } from './shared-namespaces';
import { claimTenant, claimTenantLabel } from './tenant-labels';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { ClusterNetwork } from '../cluster/cluster-network';
import { LabelOperator } from '../policy/label-expression';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { validatePorts } from '../policy/port-validation';
import { RuleAction, TrafficRule } from '../policy/rule';
import { TrafficPolicy } from '../policy/traffic-policy';
import { constructIdFor, ownValue } from '../util/construct-id';
import { propError } from '../util/errors';
import {
  StructKeys, requireArrayOf, requireKnownKeys, requireOptionalBoolean,
  requireOptionalObject, requireOptionalString, requireProps, requireString, requireStringArray,
} from '../util/guards';
import { validateDnsLabel, validateUnreservedLabelKey } from '../util/validate';

/** Name of the policy that opens a tenant namespace to every pod of the same tenant. */
const ALLOW_SAME_TENANT = 'allow-same-tenant';

const PROPS_KEYS: StructKeys<TenantIsolationProps> = {
  tenants: true,
  namespaces: true,
  tenantLabel: true,
  allowSameTenant: true,
  allowInternetEgress: true,
  internetEgressPorts: true,
  guardrails: true,
  podSecurity: true,
  mesh: true,
};

/** Props of {@link TenantIsolation}. */
export interface TenantIsolationProps {
  /** Tenant names (DNS-1123 labels, unique). Each gets its own namespace(s). */
  readonly tenants: string[];
  /**
   * Namespaces of each tenant, by tenant name. Tenants not listed get one namespace named after them.
   * @default - one namespace per tenant, named like the tenant
   */
  readonly namespaces?: { [tenant: string]: string[] };
  /**
   * Namespace label that carries the tenant name.
   * @default 'tenant'
   */
  readonly tenantLabel?: string;
  /**
   * Emit `allow-same-tenant` in every tenant namespace: every pod of the tenant may reach every
   * other pod of the tenant, across its namespaces. Turn it off when workloads in tenant namespaces
   * bring their own allows (a {@link ThreeTierApp} in a tenant namespace does: with this blanket
   * allow, its frontend could reach its database).
   * @default true
   */
  readonly allowSameTenant?: boolean;
  /**
   * Allow tenant pods to reach the internet: every public address (never the metadata service,
   * never the private ranges where nodes, other tenants and internal services live).
   * @default false
   */
  readonly allowInternetEgress?: boolean;
  /**
   * Ports of the internet egress.
   * @default [Port.tcp(443)]
   */
  readonly internetEgressPorts?: Port[];
  /**
   * Emit a cluster-wide guard rail per tenant where the CNI has one (Calico GlobalNetworkPolicy in
   * a tier before the default tier, Cilium CiliumClusterwideNetworkPolicy deny, or an Admin
   * ClusterNetworkPolicy), so a tenant's own permissive NetworkPolicy cannot open it to others.
   * @default true
   */
  readonly guardrails?: boolean;
  /**
   * Pod Security level of the tenant namespaces.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Every tenant namespace joins the ClusterNetwork's service mesh, as ZeroTrustNamespace `mesh`
   * does: the mesh's injection label or annotation, and the allows the mesh needs (control plane,
   * metrics, probes; the transport port beside the ports of each pod-to-pod allow). The mesh's
   * allows reach only the mesh's own pods and addresses, never another tenant, and the guard rails
   * keep denying every other tenant's namespaces. `{}` joins with the defaults. Under Istio ambient
   * and Linkerd a port-specific allow between meshed pods admits every port of the pair (the CNI
   * sees only the transport port): restrict ports in the mesh (see ZeroTrustNamespace `addPolicy`).
   * @default - tenant namespaces are not meshed
   */
  readonly mesh?: NamespaceMeshOptions;
}

/**
 * Hard multi-tenancy on the network: N tenants, each in its own labelled namespaces, where traffic
 * flows only within a tenant.
 *
 * Every tenant namespace is a {@link ZeroTrustNamespace} (default deny, DNS, metadata blocked)
 * labelled `tenant: <name>`, plus `allow-same-tenant` (ingress from and egress to the tenant's own
 * namespaces; unless `allowSameTenant: false`) and optionally `allow-internet-egress`. The ingress
 * controller's and the monitoring namespace (ClusterNetwork) can never be tenant namespaces.
 *
 * What each CNI adds on top, so that isolation survives a tenant adding a permissive policy of
 * its own:
 * - Calico: a GlobalNetworkPolicy `tenant-isolation-<tenant>` in the guard-rail tier (`spec.tier`)
 *   (evaluated before the default tier, which holds all NetworkPolicies) denying traffic from and
 *   to namespaces of every other tenant.
 * - Cilium: a CiliumClusterwideNetworkPolicy `tenant-isolation-<tenant>` with `ingressDeny` /
 *   `egressDeny` (denies win over any allow) that does not enable default deny itself.
 * - Kubernetes with ClusterNetworkPolicy: an Admin-tier ClusterNetworkPolicy with the same denies.
 * - Plain Kubernetes: no guard rail exists; isolation holds only as long as tenants cannot write
 *   NetworkPolicies (restrict that with RBAC).
 * The guard rails are O(1) per tenant: they deny "namespaces with a tenant label other than mine",
 * never a list of the other tenants.
 */
export class TenantIsolation extends Construct {
  /**
   * The tenant namespaces, by tenant (in the order of `namespaces`). Pass one to
   * `ThreeTierApp`'s `zeroTrustNamespace` to run an app in it, or add policies to it.
   */
  public readonly tenantNamespaces: { [tenant: string]: ZeroTrustNamespace[] } = {};
  /** The guard rails, by tenant (empty where the CNI has none). */
  public readonly guardrails: { [tenant: string]: TrafficPolicy } = {};

  constructor(scope: Construct, id: string, givenProps: TenantIsolationProps) {
    super(scope, id);
    const given = requireKnownKeys(this, '', requireProps(this, givenProps, false), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    const tenantLabel = requireOptionalString(this, 'tenantLabel', given.tenantLabel) ?? 'tenant';
    validateUnreservedLabelKey(this, 'tenantLabel', tenantLabel);
    const allowInternetEgress = requireOptionalBoolean(this, 'allowInternetEgress', given.allowInternetEgress, false);
    const props: TenantIsolationProps = {
      ...given,
      tenants: given.tenants === undefined ? [] : requireArrayOf(this, 'tenants', given.tenants, (t, prop) => requireString(this, prop, t)),
      namespaces: requireOptionalObject(this, 'namespaces', given.namespaces),
      allowSameTenant: requireOptionalBoolean(this, 'allowSameTenant', given.allowSameTenant, true),
      allowInternetEgress,
      guardrails: requireOptionalBoolean(this, 'guardrails', given.guardrails, true),
      mesh: requireOptionalObject(this, 'mesh', given.mesh),
    };
    claimTenantLabel(this, tenantLabel);
    if (props.tenants.length === 0) throw propError(this, 'tenants', 'at least one tenant is required');
    if (props.internetEgressPorts !== undefined && !allowInternetEgress) {
      throw propError(this, 'internetEgressPorts', 'only meaningful with allowInternetEgress: true');
    }
    validatePorts(this, 'internetEgressPorts', props.internetEgressPorts);

    const seenTenants = new Set<string>();
    const seenNamespaces = new Map<string, string>();
    for (const [i, tenant] of props.tenants.entries()) {
      validateDnsLabel(this, `tenants[${i}]`, tenant);
      this.assertNotSystem(cluster, `tenants[${i}]`, ownValue(props.namespaces, tenant) ? undefined : tenant);
      if (seenTenants.has(tenant)) throw propError(this, `tenants[${i}]`, `duplicate tenant '${tenant}'`);
      seenTenants.add(tenant);
    }
    for (const key of Object.keys(props.namespaces ?? {})) {
      if (!seenTenants.has(key)) throw propError(this, `namespaces.${key}`, `'${key}' is not one of the tenants`);
      requireStringArray(this, `namespaces.${key}`, (props.namespaces as Record<string, string[]>)[key]);
    }
    props.tenants.forEach((tenant, i) => claimTenant(this, `tenants[${i}]`, tenant));

    const guardrails = props.guardrails! && cluster.cni.capabilities.deny && cluster.cni.capabilities.clusterWide;
    // One set of options for every tenant's internet egress, with a copy of the given ports (the
    // caller's array may change later; the namespaces keep these options as they are). Frozen: every
    // tenant's policy then shares the rule TrafficPolicy builds from it (see sharedRule there).
    const internetEgress: NamespacePolicyOptions | undefined = allowInternetEgress
      ? Object.freeze({
        egress: Object.freeze([Object.freeze({
          peers: Object.freeze([Peer.internet()]) as Peer[],
          ports: Object.freeze([...(props.internetEgressPorts ?? [Port.tcp(443)])]) as Port[],
        })]) as TrafficRule[],
      })
      : undefined;
    // Construct tree: `<this>/<namespace>` (a ZeroTrustNamespace) and `<this>/Guardrail-<tenant>`,
    // flat under this construct, in tenant order (the synthesized file keeps its object order).
    //
    // Why flat, and not one scope per tenant holding its namespaces: performance. `constructs` keeps
    // a node's children in a plain object (`_children = {}`, then `_children[id] = child`). V8 gives
    // every object the hidden class reached from the empty object's class by a transition per first
    // key, and one class has at most 1,536 transitions (TransitionArray::kMaxNumberOfTransitions).
    // A per-tenant scope whose first child is named after the tenant's namespace adds one such
    // transition per tenant: past about 1,500 tenants the table is full, and from then on every
    // `{}` that receives a first key V8 has not seen before gets a class of its own. The YAML
    // stringifier copies its context object with `Object.assign({}, ctx, ...)` for every map entry,
    // so after construction every copy got a fresh class: megamorphic property access, a hidden class
    // (and descriptor array) allocated per key per copy, and GC churn. Measured in fresh processes on
    // the Kubernetes CNI: YAML went from 0.1 ms to 0.4 ms per document at 5,000 tenants (10.9 s
    // instead of 1.9 s), and cdk8s-plus-27 (per-tenant scopes whose first child is always
    // 'namespace') never hit it. Here every node's first child id is the same for every tenant
    // ('Namespace' or 'default-deny-all' in a ZeroTrustNamespace, the renderer's fixed ids in a
    // TrafficPolicy), and this construct's own children object is a single chain of transitions.
    // The Guardrail- prefix has capitals, so it never equals a namespace id (DNS labels).
    for (const tenant of props.tenants) {
      const namespaces = ownValue(props.namespaces, tenant) ?? [tenant];
      if (namespaces.length === 0) throw propError(this, `namespaces.${tenant}`, 'a tenant needs at least one namespace');
      this.tenantNamespaces[tenant] = namespaces.map((ns, j) => {
        validateDnsLabel(this, `namespaces.${tenant}[${j}]`, ns);
        this.assertNotSystem(cluster, `namespaces.${tenant}[${j}]`, ns);
        const owner = seenNamespaces.get(ns);
        if (owner !== undefined) throw propError(this, `namespaces.${tenant}[${j}]`, `namespace '${ns}' already belongs to tenant '${owner}'`);
        seenNamespaces.set(ns, tenant);
        return this.tenantNamespace(tenant, ns, tenantLabel, props, internetEgress);
      });
      if (guardrails) this.guardrails[tenant] = this.guardrail(tenant, tenantLabel);
    }
  }

  /**
   * Namespaces every tenant depends on cannot belong to one tenant: default deny in kube-system
   * would cut CoreDNS (and the cluster) off, and the guard rails of the other tenants would deny
   * the ingress controller and the monitoring pods as "another tenant".
   */
  private assertNotSystem(cluster: ClusterNetwork, prop: string, namespace: string | undefined): void {
    if (namespace === undefined) return;
    const use = sharedNamespaceUse(cluster, namespace);
    if (use?.system) {
      throw propError(this, prop, `'${namespace}' is a system namespace (cluster DNS, control plane): it cannot belong to a tenant`);
    }
    if (use) {
      throw propError(this, prop, `'${namespace}' runs ${use.what}, which every tenant relies on: as a tenant namespace it would be `
        + 'under default deny and labelled as one tenant, so the other tenants\' guard rails would cut them off from it');
    }
  }

  private tenantNamespace(tenant: string, namespace: string, tenantLabel: string, props: TenantIsolationProps,
    internetEgress: NamespacePolicyOptions | undefined): ZeroTrustNamespace {
    const zt = new ZeroTrustNamespace(this, constructIdFor(namespace), {
      name: namespace,
      labels: { [tenantLabel]: tenant },
      podSecurity: props.podSecurity,
      mesh: props.mesh,
    });
    // Options built here and never handed out: the namespace keeps them without copying them.
    if (props.allowSameTenant) {
      const sameTenant = Peer.namespaces({ [tenantLabel]: tenant });
      zt._addOwnedPolicy(ALLOW_SAME_TENANT, { ingress: [{ peers: [sameTenant] }], egress: [{ peers: [sameTenant] }] });
    }
    if (internetEgress) zt._addOwnedPolicy('allow-internet-egress', internetEgress);
    return zt;
  }

  /** Deny from/to the namespaces of every other tenant: `has(tenant) && tenant != <me>`. */
  private guardrail(tenant: string, tenantLabel: string): TrafficPolicy {
    const otherTenants = Peer.namespacesMatching([
      { key: tenantLabel, operator: LabelOperator.EXISTS },
      { key: tenantLabel, operator: LabelOperator.NOT_IN, values: [tenant] },
    ]);
    return new TrafficPolicy(this, `Guardrail-${tenant}`, {
      name: `tenant-isolation-${tenant}`,
      namespaceSelector: { [tenantLabel]: tenant },
      ingress: [{ action: RuleAction.DENY, peers: [otherTenants] }],
      egress: [{ action: RuleAction.DENY, peers: [otherTenants] }],
    });
  }
}
