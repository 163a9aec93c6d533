import { isDnsLabel } from '../util/validate';

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
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => !isDnsLabel(n))) {
      throw new Error(`[AllowedRoutes.namespaces] names: ${JSON.stringify(names)} must be a non-empty list of namespace names`);
    }
    return new AllowedRoutes('Selector', [...new Set(names)].sort());
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
  readonly gatewayName: string;
  readonly gatewayNamespace: string;
  readonly sectionName?: string;
  /** What the listener admits; undefined when the Gateway is not defined in this app (unknown). */
  readonly allowedRoutes?: AllowedRoutes;
  /** The construct defining the Gateway, when it is in this app. */
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

/** The parent a north-south route attaches to: a Gateway listener, defined in this app or not. */
export class GatewayParent {
  /**
   * A Gateway that exists in the cluster (managed elsewhere). Whether its listener admits routes
   * from the route's namespace cannot be checked here: a route it does not admit stays detached
   * (status `NotAllowedByListeners`).
   */
  public static existing(options: ExistingGatewayOptions): GatewayParent {
    const o = options ?? ({} as ExistingGatewayOptions);
    for (const [prop, value] of [['name', o.name], ['namespace', o.namespace]] as const) {
      if (!isDnsLabel(value)) throw new Error(`[GatewayParent.existing] ${prop}: '${value}' is not a valid name (DNS-1123 label)`);
    }
    if (o.sectionName !== undefined && !isDnsLabel(o.sectionName)) {
      throw new Error(`[GatewayParent.existing] sectionName: '${o.sectionName}' is not a valid listener name`);
    }
    return new GatewayParent({ gatewayName: o.name, gatewayNamespace: o.namespace, sectionName: o.sectionName });
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
