import { propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireOptionalString, requireProps, requireStringArray } from '../util/guards';
import { validateDnsLabel, validateDnsSubdomain } from '../util/validate';

/**
 * Which namespaces' routes a Gateway listener admits (`allowedRoutes.namespaces`). The upstream
 * default is `Same`: a route in another namespace than the Gateway does not attach.
 */
export class AllowedRoutes {
  /** Routes in the Gateway's own namespace only (the upstream default). */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes('Same', []);
  }

  /** Routes in the named namespaces (a selector on `kubernetes.io/metadata.name`). */
  public static namespaces(names: string[]): AllowedRoutes {
    const site = 'AllowedRoutes.namespaces';
    const list = requireStringArray(site, 'names', names).map((n, i) => validateDnsLabel(site, `names[${i}]`, n));
    // An empty list would render a selector `In []`, which the API server rejects: say "none" with sameNamespace().
    if (list.length === 0) throw propError(site, 'names', 'must name at least one namespace (AllowedRoutes.sameNamespace() for the Gateway\'s own)');
    return new AllowedRoutes('Selector', [...new Set(list)].sort());
  }

  /** Routes in every namespace (anyone who can create an HTTPRoute can publish through the Gateway). */
  public static allNamespaces(): AllowedRoutes {
    return new AllowedRoutes('All', []);
  }

  /** `Same`, `Selector` or `All`. */
  public readonly from: string;
  /** The admitted namespaces (`Selector` only). */
  public readonly namespaceNames: string[];

  private constructor(from: string, names: string[]) {
    this.from = from;
    this.namespaceNames = names;
  }

  /** Does a listener of a Gateway in `gatewayNamespace` admit a route in `routeNamespace`? @internal */
  public _admits(gatewayNamespace: string, routeNamespace: string): boolean {
    if (this.from === 'All') return true;
    if (this.from === 'Same') return routeNamespace === gatewayNamespace;
    return this.namespaceNames.includes(routeNamespace);
  }

  /** The listener's `allowedRoutes`. @internal */
  public _toSpec(): Record<string, unknown> {
    const namespaces: Record<string, unknown> = { from: this.from };
    if (this.from === 'Selector') {
      namespaces.selector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...this.namespaceNames] }] };
    }
    return { namespaces, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] };
  }
}

/** A Gateway listener routes attach to (internal view of a parent). */
export interface GatewayListenerRef {
  /** Name of the Gateway. */
  readonly gatewayName: string;
  /** Namespace of the Gateway. */
  readonly gatewayNamespace: string;
  /**
   * The listener (`sectionName`) routes attach to.
   * @default - every listener of the Gateway
   */
  readonly sectionName?: string;
  /**
   * What the listener admits.
   * @default - unknown (the Gateway is not defined in this app)
   */
  readonly allowedRoutes?: AllowedRoutes;
  /**
   * The listener's hostname.
   * @default - none, or unknown when the Gateway is not defined in this app
   */
  readonly hostname?: string;
  /**
   * The path of the construct defining the Gateway.
   * @default - the Gateway is not defined in this app
   */
  readonly definedBy?: string;
}

/** Options of {@link GatewayParent.existing}. */
export interface ExistingGatewayOptions {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway. */
  readonly namespace: string;
  /**
   * The listener (`sectionName`) to attach to, e.g. `https`. Naming it keeps a route off the
   * Gateway's other listeners (a plain-HTTP one, say).
   * @default - every listener of the Gateway that admits the route
   */
  readonly sectionName?: string;
}

const EXISTING_KEYS: StructKeys<ExistingGatewayOptions> = { name: true, namespace: true, sectionName: true };

/** The parent a north-south route attaches to: a Gateway listener, defined in this app or not. */
export class GatewayParent {
  /**
   * A Gateway that exists in the cluster (managed elsewhere). Whether its listener admits routes
   * from the route's namespace cannot be checked here: a route it does not admit stays detached
   * (status `NotAllowedByListeners`).
   */
  public static existing(options: ExistingGatewayOptions): GatewayParent {
    const site = 'GatewayParent.existing';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), EXISTING_KEYS);
    const sectionName = requireOptionalString(site, 'sectionName', o.sectionName);
    return new GatewayParent({
      gatewayName: validateDnsLabel(site, 'name', o.name),
      gatewayNamespace: validateDnsLabel(site, 'namespace', o.namespace),
      // A listener name is a Gateway API SectionName: a DNS-1123 subdomain.
      sectionName: sectionName === undefined ? undefined : validateDnsSubdomain(site, 'sectionName', sectionName),
    });
  }

  /** @internal */
  public static _fromListener(ref: GatewayListenerRef): GatewayParent {
    return new GatewayParent(ref);
  }

  /** @internal */
  public readonly _ref: GatewayListenerRef;

  private constructor(ref: GatewayListenerRef) {
    this._ref = ref;
  }

  /** `namespace/name[/section]`, for messages. */
  public toString(): string {
    return `${this._ref.gatewayNamespace}/${this._ref.gatewayName}${this._ref.sectionName ? `/${this._ref.sectionName}` : ''}`;
  }
}
