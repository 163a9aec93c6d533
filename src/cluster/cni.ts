import { CniKind } from './cni-kind';
import { CniFacts, CniSettings } from './cni-settings';
import { assertNever, ValidationError } from '../util/errors';
import { StructKeys, requireBoolean, requireKnownKeys, requireNumber, requireOptionalBoolean, requireProps, requireString } from '../util/guards';
import { isDnsLabel } from '../util/validate';

export { CniKind } from './cni-kind';

/** Passed by the factories to the private constructor: plain JavaScript can call `new Cni(...)` (TypeScript's `private` is erased). */
const FACTORY_TOKEN: unique symbol = Symbol('Cni factory');
/** Every Cni a factory made (a look-alike such as `Object.create(Cni.prototype)` passes `instanceof` but is not here). */
const MADE = new WeakSet<object>();

/**
 * What a CNI can enforce. The policy renderers consult this table instead of branching on the CNI,
 * so supporting another CNI (Antrea, AWS VPC CNI, ...) means adding a row, not a code path.
 */
export interface CniCapabilities {
  /** The CNI enforces networking.k8s.io/v1 NetworkPolicy (L3/L4 allow rules) at all. */
  readonly enforcesNetworkPolicy: boolean;
  /** Explicit deny rules that win over allow rules. */
  readonly deny: boolean;
  /** Ordered policies (an explicit precedence between policies). */
  readonly ordering: boolean;
  /** Cluster-scoped policies that apply to many namespaces at once. */
  readonly clusterWide: boolean;
  /** L7 (HTTP method / path / header) rules. */
  readonly l7: boolean;
  /** Egress rules by DNS name (FQDN). */
  readonly fqdn: boolean;
  /** Named entities such as the kube-apiserver, the host or "the world". */
  readonly entities: boolean;
  /**
   * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (Admin and Baseline tiers).
   */
  readonly clusterNetworkPolicy: boolean;
}

/** Options for {@link Cni.kubernetes}. */
export interface KubernetesCniOptions {
  /**
   * The CNI also implements policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy, so cluster-wide
   * guard rails can be emitted for it.
   * @default false - few CNIs implement it; cluster-wide intents are synth errors
   */
  readonly clusterNetworkPolicy?: boolean;
}

/** Options for {@link Cni.calico}. */
export interface CalicoCniOptions {
  /**
   * Name of the projectcalico.org/v3 Tier that holds this library's cluster-wide guard rails. The
   * tier passes unmatched traffic on to the next tier (`defaultAction: Pass`), so guard rails
   * only ever deny.
   *
   * A DNS-1123 label of at most 63 characters (Calico puts tier names into labels, and Calico
   * before 3.32 into policy names as a `<tier>.` prefix, so they may not contain dots). Not one of the tiers Calico creates itself: `default`
   * (its CRD requires `defaultAction: Deny` there, and it holds every Kubernetes NetworkPolicy),
   * `kube-admin` / `kube-baseline` (Calico 3.32, the ClusterNetworkPolicy tiers), or
   * `adminnetworkpolicy` / `baselineadminnetworkpolicy` (their names before 3.32).
   * @default 'platform-guardrails'
   */
  readonly guardrailTier?: string;
  /**
   * Order of the guard-rail tier; tiers are evaluated from the lowest order up. A finite number
   * below 1,000, so that the tier runs before Calico's `kube-admin` tier (order 1,000, Admin
   * ClusterNetworkPolicies) and therefore before the `default` tier (order 1,000,000, every
   * Kubernetes NetworkPolicy) too: a guard-rail deny then wins over any allow, including an Admin
   * ClusterNetworkPolicy `Accept`. At or after 1,000 an Accept in kube-admin would skip the guard
   * rails, and at or after 1,000,000 no NetworkPolicy allow would ever reach them.
   * https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
   * @default 100
   */
  readonly guardrailTierOrder?: number;
  /**
   * Calico serves projectcalico.org/v3 as native CRDs (Calico 3.32 tech preview: the CRD chart
   * `projectcalico.org.v3` instead of `crd.projectcalico.org.v1`). That chart ships no
   * policy.networking.k8s.io ClusterNetworkPolicy CRD, so such a cluster has no ClusterNetworkPolicy:
   * one in the app is a synth error, and the analyzer and lint treat one as not enforced.
   * `CalicoInstallation` takes its `crdMode` from this.
   * @default false - projectcalico.org/v3 through Calico's aggregated API server (its default)
   */
  readonly nativeV3Crds?: boolean;
}

/** Options for {@link Cni.cilium}. */
export interface CiliumCniOptions {
  /**
   * Cilium runs with kube-proxy replacement. Recorded for the installs and NodeLocal DNS (which
   * needs a CiliumLocalRedirectPolicy instead of the link-local iptables trick under KPR).
   * @default true
   */
  readonly kubeProxyReplacement?: boolean;
}

/** Options for {@link Cni.flannel}. */
export interface FlannelCniOptions {
  /**
   * Emit policies anyway, acknowledging that Flannel enforces none of them (for example because the
   * same manifests are also applied to clusters that do). Without this, any policy is a synth error.
   * @default false
   */
  readonly acknowledgeUnenforcedPolicies?: boolean;
}

/**
 * The container network interface of the target cluster and what it can enforce.
 *
 * Create one with a static factory and pass it to `ClusterNetwork`:
 * `Cni.calico()`, `Cni.cilium()`, `Cni.kubernetes()`, `Cni.flannel()`, or `Cni.custom()` for a
 * CNI this library has no row for yet.
 */
export class Cni {
  /** A CNI that enforces plain NetworkPolicy only (kindnet >= 0.24, Antrea in K8s mode, ...). */
  public static kubernetes(options: KubernetesCniOptions = {}): Cni {
    const o = requireKnownKeys('Cni.kubernetes', 'options', requireProps('Cni.kubernetes', options, true, 'options'), KUBERNETES_KEYS);
    const cnp = requireOptionalBoolean('Cni.kubernetes', 'clusterNetworkPolicy', o.clusterNetworkPolicy, false);
    return new Cni(FACTORY_TOKEN, 'kubernetes', {
      enforcesNetworkPolicy: true,
      // Denies (and cluster-wide denies) only through Admin-tier ClusterNetworkPolicy.
      deny: cnp,
      ordering: false,
      clusterWide: cnp,
      l7: false,
      fqdn: false,
      entities: false,
      clusterNetworkPolicy: cnp,
    }, { kind: CniKind.KUBERNETES, acknowledgeUnenforcedPolicies: false }, HOST_NETWORK_DNS);
  }

  /** Calico (open source, 3.32): tiers, ordered allow/deny, GlobalNetworkPolicy, ClusterNetworkPolicy (not with native v3 CRDs). */
  public static calico(options: CalicoCniOptions = {}): Cni {
    const o = requireKnownKeys('Cni.calico', 'options', requireProps('Cni.calico', options, true, 'options'), CALICO_KEYS);
    const nativeV3Crds = requireOptionalBoolean('Cni.calico', 'nativeV3Crds', o.nativeV3Crds, false);
    return new Cni(
      FACTORY_TOKEN,
      'calico',
      {
        enforcesNetworkPolicy: true,
        deny: true,
        ordering: true,
        clusterWide: true,
        // L7 and DNS policy are Calico Enterprise / Cloud features, not open source.
        l7: false,
        fqdn: false,
        entities: false,
        // Not in native v3 CRD mode: its CRD chart has no ClusterNetworkPolicy CRD (NETWORKING-FACTS.md).
        clusterNetworkPolicy: !nativeV3Crds,
      },
      {
        kind: CniKind.CALICO,
        nativeV3Crds,
        guardrailTier: validateGuardrailTier(o.guardrailTier === undefined ? 'platform-guardrails' : o.guardrailTier),
        guardrailTierOrder: validateGuardrailTierOrder(o.guardrailTierOrder === undefined ? 100 : o.guardrailTierOrder),
      },
      HOST_NETWORK_DNS,
    );
  }

  /** Cilium (1.16-1.18): deny precedence, clusterwide policies, L7, FQDN and entities. No ordering. */
  public static cilium(options: CiliumCniOptions = {}): Cni {
    const o = requireKnownKeys('Cni.cilium', 'options', requireProps('Cni.cilium', options, true, 'options'), CILIUM_KEYS);
    const kpr = requireOptionalBoolean('Cni.cilium', 'kubeProxyReplacement', o.kubeProxyReplacement, true);
    return new Cni(
      FACTORY_TOKEN,
      'cilium',
      {
        enforcesNetworkPolicy: true,
        deny: true,
        ordering: false,
        clusterWide: true,
        l7: true,
        fqdn: true,
        entities: true,
        // Cilium 1.18 does not implement ClusterNetworkPolicy.
        clusterNetworkPolicy: false,
      },
      { kind: CniKind.CILIUM, kubeProxyReplacement: kpr },
      {
        // Under kube-proxy replacement node-local-dns runs as pods behind a CiliumLocalRedirectPolicy
        // (https://docs.cilium.io/en/stable/network/kubernetes/local-redirect-policy/#node-local-dns-cache).
        nodeLocalDnsAsPods: kpr,
        // Without it the agent gives the node-local-dns addresses the `host` identity when their
        // interface exists at its start, `world` otherwise (cilium/cilium#18644, #33144).
        nodeLocalDnsHostEntity: !kpr,
        acknowledgeUnenforced: '',
        kubeProxyReplacement: { replaces: kpr, option: `Cni.cilium({ kubeProxyReplacement: ${kpr} })` },
      },
    );
  }

  /** Flannel: no policy enforcement. Any policy is a synth error unless acknowledged. */
  public static flannel(options: FlannelCniOptions = {}): Cni {
    const o = requireKnownKeys('Cni.flannel', 'options', requireProps('Cni.flannel', options, true, 'options'), FLANNEL_KEYS);
    const ack = requireOptionalBoolean('Cni.flannel', 'acknowledgeUnenforcedPolicies', o.acknowledgeUnenforcedPolicies, false);
    return new Cni(
      FACTORY_TOKEN,
      'flannel',
      NO_ENFORCEMENT,
      { kind: CniKind.FLANNEL, acknowledgeUnenforcedPolicies: ack },
      { ...HOST_NETWORK_DNS, acknowledgeUnenforced: 'Cni.flannel({ acknowledgeUnenforcedPolicies: true })' },
    );
  }

  /**
   * A CNI described only by its capabilities; policies are rendered as portable
   * networking.k8s.io/v1 objects, and any intent beyond them is a synth error.
   * @param name the CNI's name in error messages (not empty)
   * @param capabilities what the CNI enforces
   * @param options acknowledgement of unenforced policies (with `enforcesNetworkPolicy: false`)
   */
  public static custom(name: string, capabilities: CniCapabilities, options: CustomCniOptions = {}): Cni {
    const where = 'Cni.custom';
    requireString(where, 'name', name, true);
    const caps = requireKnownKeys(where, 'capabilities', requireProps(where, capabilities, false, 'capabilities'), CAPABILITIES_KEYS);
    const given = {} as Record<keyof CniCapabilities, boolean>;
    for (const key of CAPABILITY_KEYS) given[key] = requireBoolean(where, `capabilities.${key}`, caps[key]);
    const o = requireKnownKeys(where, 'options', requireProps(where, options, true, 'options'), CUSTOM_KEYS);
    const ack = requireOptionalBoolean(where, 'acknowledgeUnenforcedPolicies', o.acknowledgeUnenforcedPolicies, false);
    if (ack && given.enforcesNetworkPolicy) {
      throw new ValidationError(where, 'acknowledgeUnenforcedPolicies', 'only meaningful with capabilities.enforcesNetworkPolicy: false');
    }
    return new Cni(FACTORY_TOKEN, name, {
      ...given,
      // Without a native renderer only NetworkPolicy (and ClusterNetworkPolicy) can be emitted.
      deny: given.clusterNetworkPolicy && given.deny,
      ordering: given.clusterNetworkPolicy && given.ordering,
      clusterWide: given.clusterNetworkPolicy && given.clusterWide,
      l7: false,
      fqdn: false,
      entities: false,
    }, { kind: CniKind.KUBERNETES, acknowledgeUnenforcedPolicies: ack }, {
      ...HOST_NETWORK_DNS,
      acknowledgeUnenforced: `Cni.custom('${name}', capabilities, { acknowledgeUnenforcedPolicies: true })`,
    });
  }

  /**
   * Is `x` a Cni made by one of the factories (not a look-alike object, nor one made with
   * `Object.create(Cni.prototype)`, which passes `instanceof`)? Internal: `requireMadeCni` asks it.
   * @internal
   */
  public static _isMade(x: unknown): boolean {
    return typeof x === 'object' && x !== null && MADE.has(x);
  }

  /** The family of native policy APIs used to render intents for this CNI. */
  public readonly kind: CniKind;
  /** Human-readable name used in error messages. */
  public readonly name: string;
  /** What this CNI can enforce. */
  public readonly capabilities: CniCapabilities;
  /** Cilium runs with kube-proxy replacement (Cilium only). */
  public readonly kubeProxyReplacement: boolean;
  /** The user acknowledged that policies are not enforced (Flannel only). */
  public readonly acknowledgeUnenforcedPolicies: boolean;
  /** Calico serves projectcalico.org/v3 as native CRDs (Calico only). */
  public readonly calicoNativeV3Crds?: boolean;
  /** Calico tier holding the cluster-wide guard rails (Calico only). */
  public readonly calicoGuardrailTier?: string;
  /** Order of the Calico guard-rail tier (Calico only). */
  public readonly calicoGuardrailTierOrder?: number;
  /** The validated options of this CNI's kind (internal: the per-CNI writers read them). @internal */
  public readonly _settings: CniSettings;
  /** Facts policies depend on, stated by the factory (internal). @internal */
  public readonly _facts: CniFacts;

  private constructor(token: typeof FACTORY_TOKEN, name: string, capabilities: CniCapabilities, settings: CniSettings, facts: CniFacts) {
    if (token !== FACTORY_TOKEN) {
      throw new ValidationError('Cni', 'constructor', 'a Cni is made by one of its factories: Cni.kubernetes(), Cni.calico(), Cni.cilium(), '
        + 'Cni.flannel() or Cni.custom(name, capabilities), never with new');
    }
    this.kind = settings.kind;
    this.name = name;
    this.capabilities = Object.freeze({ ...capabilities });
    this._settings = Object.freeze(settings);
    this._facts = Object.freeze(facts);
    this.kubeProxyReplacement = facts.kubeProxyReplacement?.replaces === true;
    // The per-kind public fields: a switch over every kind (a new CniKind fails compilation at assertNever).
    switch (settings.kind) {
      case CniKind.KUBERNETES:
      case CniKind.FLANNEL:
        this.acknowledgeUnenforcedPolicies = settings.acknowledgeUnenforcedPolicies;
        break;
      case CniKind.CALICO:
        this.acknowledgeUnenforcedPolicies = false;
        this.calicoGuardrailTier = settings.guardrailTier;
        this.calicoGuardrailTierOrder = settings.guardrailTierOrder;
        this.calicoNativeV3Crds = settings.nativeV3Crds;
        break;
      case CniKind.CILIUM:
        this.acknowledgeUnenforcedPolicies = false;
        break;
      default:
        assertNever(settings, 'CNI kind');
    }
    MADE.add(this);
  }
}

/**
 * The fields of {@link CniCapabilities} (compile-time complete); `Cni.custom` requires every one as a
 * boolean and refuses any other.
 */
const CAPABILITIES_KEYS: StructKeys<CniCapabilities> = {
  enforcesNetworkPolicy: true, deny: true, ordering: true, clusterWide: true, l7: true, fqdn: true, entities: true, clusterNetworkPolicy: true,
};
const CAPABILITY_KEYS = Object.keys(CAPABILITIES_KEYS) as ReadonlyArray<keyof CniCapabilities>;

/** A CNI that enforces nothing. */
const NO_ENFORCEMENT: CniCapabilities = {
  enforcesNetworkPolicy: false,
  deny: false,
  ordering: false,
  clusterWide: false,
  l7: false,
  fqdn: false,
  entities: false,
  clusterNetworkPolicy: false,
};

/** NodeLocal DNS on the host network, reached by its link-local IP (and the kube-dns ClusterIP in iptables mode). */
const HOST_NETWORK_DNS: CniFacts = { nodeLocalDnsAsPods: false, nodeLocalDnsHostEntity: false, acknowledgeUnenforced: '', kubeProxyReplacement: undefined };

/** Options of {@link Cni.custom}. */
export interface CustomCniOptions {
  /**
   * The CNI enforces no network policy (`enforcesNetworkPolicy: false`) and you know: emit the
   * policies anyway (for other clusters the manifests also target) instead of failing.
   * @default false
   */
  readonly acknowledgeUnenforcedPolicies?: boolean;
}

/**
 * Tiers Calico creates and pins itself (order and default action fixed by its CRD rules and
 * validator): `default`, and the ClusterNetworkPolicy tiers `kube-admin` / `kube-baseline`
 * (named `adminnetworkpolicy` / `baselineadminnetworkpolicy` before Calico 3.32).
 */
/** The fields of each options struct, for requireKnownKeys: a misspelt option would be silently ignored. */
const KUBERNETES_KEYS: StructKeys<KubernetesCniOptions> = { clusterNetworkPolicy: true };
const CALICO_KEYS: StructKeys<CalicoCniOptions> = { guardrailTier: true, guardrailTierOrder: true, nativeV3Crds: true };
const CILIUM_KEYS: StructKeys<CiliumCniOptions> = { kubeProxyReplacement: true };
const FLANNEL_KEYS: StructKeys<FlannelCniOptions> = { acknowledgeUnenforcedPolicies: true };
const CUSTOM_KEYS: StructKeys<CustomCniOptions> = { acknowledgeUnenforcedPolicies: true };

const RESERVED_CALICO_TIERS = ['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy'];
/** Order of Calico's `kube-admin` tier (Admin ClusterNetworkPolicies); the default tier is at 1,000,000. */
const KUBE_ADMIN_TIER_ORDER = 1000;

/** Cni has no construct path: errors name the factory and the option, in the `[where] prop: why` style of propError. */
function calicoOptionError(prop: string, message: string): ValidationError {
  return new ValidationError('Cni.calico', prop, message);
}

function validateGuardrailTier(name: string): string {
  requireString('Cni.calico', 'guardrailTier', name);
  if (!isDnsLabel(name)) {
    throw calicoOptionError('guardrailTier', `'${name}' is not a valid Calico tier name (a DNS-1123 label: lower-case alphanumerics and '-', `
      + 'starting and ending alphanumeric, at most 63 characters, no dots)');
  }
  if (RESERVED_CALICO_TIERS.includes(name)) {
    throw calicoOptionError('guardrailTier', `'${name}' is a tier Calico creates and manages itself (${RESERVED_CALICO_TIERS.join(', ')}); `
      + 'name a tier of your own, e.g. the default \'platform-guardrails\'');
  }
  return name;
}

function validateGuardrailTierOrder(order: number): number {
  requireNumber('Cni.calico', 'guardrailTierOrder', order);
  if (order >= KUBE_ADMIN_TIER_ORDER) {
    throw calicoOptionError('guardrailTierOrder', `${order} must be below ${KUBE_ADMIN_TIER_ORDER}: guard rails must be evaluated before Calico's `
      + `kube-admin tier (order ${KUBE_ADMIN_TIER_ORDER}) and the default tier (order 1000000, every NetworkPolicy), `
      + 'or an allow there would win over their denies');
  }
  return order;
}
