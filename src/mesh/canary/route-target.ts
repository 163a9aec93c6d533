import { GatewayParent } from '../../gateway/gateway-parent';
import {
  StructKeys, requireInstance, requireKnownKeys, requireOneOf, requireOptionalString, requireOptionalStringArray, requireProps,
} from '../../util/guards';
import { validateDnsLabel } from '../../util/validate';

/** Which HTTPRoute API a mesh route is written in. */
export enum MeshRouteApi {
  /** gateway.networking.k8s.io/v1 HTTPRoute (GAMMA): Istio, and Linkerd with the Gateway API CRDs installed. */
  GATEWAY_API = 'gateway.networking.k8s.io',
  /** policy.linkerd.io/v1beta3 HTTPRoute: Linkerd's own copy, always installed with Linkerd. */
  LINKERD_POLICY = 'policy.linkerd.io',
}

/** The protocol of the routed port. */
export enum RouteProtocol {
  /** HTTP (header matches possible). */
  HTTP = 'HTTP',
  /** Plain TCP: weights only, no header matches. */
  TCP = 'TCP',
}

/** Options of {@link RouteTarget.gateway}. */
export interface GatewayRouteOptions {
  /**
   * Host names the route serves (`hostnames`). Each must match the listener's hostname (the
   * listener ignores the others); checked when the Gateway is defined in this app.
   * @default - every host name of the listener
   */
  readonly hostnames?: string[];
  /**
   * Namespace of the HTTPRoute. When it is not the Service's namespace, the backends are referenced
   * across namespaces and a ReferenceGrant is emitted in the Service's namespace.
   * @default - the Service's namespace
   */
  readonly routeNamespace?: string;
}

/** Options of {@link RouteTarget.meshRoute}. */
export interface MeshRouteOptions {
  /**
   * The HTTPRoute API.
   * @default MeshRouteApi.GATEWAY_API
   */
  readonly api?: MeshRouteApi;
}

const GATEWAY_OPTIONS_KEYS: StructKeys<GatewayRouteOptions> = { hostnames: true, routeNamespace: true };
const MESH_OPTIONS_KEYS: StructKeys<MeshRouteOptions> = { api: true };

/**
 * Where a {@link CanaryRoute} is rendered:
 * - `RouteTarget.istio()`: VirtualService + DestinationRule subsets (east-west, Istio sidecar mode);
 * - `RouteTarget.meshRoute()`: an HTTPRoute whose parent is the Service itself (GAMMA), for Istio
 *   or Linkerd (east-west);
 * - `RouteTarget.gateway(parent)`: an HTTPRoute attached to a Gateway listener (north-south), for any
 *   Gateway API implementation.
 */
export class RouteTarget {
  /** Istio VirtualService (header-pinned route first, weighted route last) and DestinationRule subsets. */
  public static istio(): RouteTarget {
    return new RouteTarget('istio');
  }

  /** A mesh (GAMMA) HTTPRoute with the Service as parent and a catch-all weighted rule. */
  public static meshRoute(options: MeshRouteOptions = {}): RouteTarget {
    const o = requireKnownKeys('RouteTarget.meshRoute', 'options', requireProps('RouteTarget.meshRoute', options, true, 'options'), MESH_OPTIONS_KEYS);
    const api = o.api === undefined ? MeshRouteApi.GATEWAY_API
      : requireOneOf('RouteTarget.meshRoute', 'api', o.api, Object.values(MeshRouteApi), 'an HTTPRoute API');
    return new RouteTarget('mesh', api);
  }

  /** A north-south HTTPRoute attached to a Gateway listener. */
  public static gateway(parent: GatewayParent, options: GatewayRouteOptions = {}): RouteTarget {
    const site = 'RouteTarget.gateway';
    requireInstance(site, 'parent', parent, GatewayParent, 'a GatewayParent (GatewayParent.existing(...) or HttpsGateway.parent())');
    const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), GATEWAY_OPTIONS_KEYS);
    const routeNamespace = requireOptionalString(site, 'routeNamespace', o.routeNamespace);
    return new RouteTarget('gateway', MeshRouteApi.GATEWAY_API, parent, {
      hostnames: requireOptionalStringArray(site, 'hostnames', o.hostnames),
      routeNamespace: routeNamespace === undefined ? undefined : validateDnsLabel(site, 'routeNamespace', routeNamespace),
    });
  }

  /** @internal */
  public readonly _kind: 'istio' | 'mesh' | 'gateway';
  /** @internal */
  public readonly _api: MeshRouteApi;
  /** @internal */
  public readonly _parent?: GatewayParent;
  /** @internal */
  public readonly _gateway: GatewayRouteOptions;

  private constructor(kind: 'istio' | 'mesh' | 'gateway', api: MeshRouteApi = MeshRouteApi.GATEWAY_API, parent?: GatewayParent,
    gateway: GatewayRouteOptions = {}) {
    this._kind = kind;
    this._api = api;
    this._parent = parent;
    this._gateway = gateway;
  }
}
