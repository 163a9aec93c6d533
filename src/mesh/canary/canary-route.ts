import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { appInventory, showLabels } from './app-inventory';
import { MeshRouteApi, RouteProtocol, RouteTarget } from './route-target';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { MeshKind } from '../../cluster/mesh';
import { GATEWAY_HTTP_ROUTE, LINKERD_HTTP_ROUTE, RouteBackend, RouteRule, emitHttpRoute, emitReferenceGrant } from '../../gateway/http-route';
import { gatewayParentRef, validateGatewayHostname } from '../../gateway/parent-ref';
import { claimRoute, RouteClaim } from '../../gateway/route-claims';
import { sortedLabels } from '../../policy/intent';
import { keepAppObjectsPerWalk } from '../../util/app-objects';
import { propError } from '../../util/errors';
import {
  StructKeys, requireInstance, requireInteger, requireKnownKeys, requireObject, requireOptionalBoolean, requireOptionalObject, requireOptionalString,
  requireProps, requireString,
} from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { checkEnum, validateDnsLabel, validateDnsSubdomain, validateLabels, validatePortNumber } from '../../util/validate';
import { hasLabels } from '../../util/vocabulary';
import { contributeDestinationRule } from '../istio/destination-rules';
import { isAmbient, requireMesh } from '../mesh-context';

/** One version of the service (stable or canary). */
export interface CanaryVersion {
  /** Name of the version: the Istio subset, and the suffix of its own Service (`<service>-<name>`). A DNS-1123 label, e.g. `v2`. */
  readonly name: string;
  /**
   * Labels that tell this version's pods apart, on top of the Service's selector (e.g. `{ version: 'v2' }`). At least
   * one, and the two versions must share a label key with different values: labels that merely add a key to the
   * other version's could both be on one pod, which would then be in both versions.
   */
  readonly labels: { [key: string]: string };
  /**
   * The Service that selects only this version (the backend of HTTPRoute targets).
   * @default '<service>-<name>'
   */
  readonly serviceName?: string;
}

/** An exact header match that pins a request to the canary. */
export interface HeaderPin {
  /** Header name, lower case (Istio requires lower-case header keys). */
  readonly name: string;
  /** Exact value. */
  readonly value: string;
}

/** Props of {@link CanaryRoute}. */
export interface CanaryRouteProps {
  /** Namespace of the Service. */
  readonly namespace: string;
  /** The existing Service whose traffic is split (the construct routes; it creates no workloads). */
  readonly service: string;
  /** The Service port clients use. */
  readonly port: number;
  /** The stable version. */
  readonly stable: CanaryVersion;
  /** The canary version. */
  readonly canary: CanaryVersion;
  /**
   * Share of the stable version, in percent (integer). With `canaryPercent` it must sum to 100: the
   * meshes take relative weights (90 and 5 would mean 94.7% / 5.3%), so the sum is checked here.
   */
  readonly stablePercent: number;
  /** Share of the canary version, in percent (integer). */
  readonly canaryPercent: number;
  /**
   * Requests with this header go to the canary whatever the split (e.g. `{ name: 'canary', value: 'true' }`).
   * @default - no header pin
   */
  readonly headerPin?: HeaderPin;
  /** Where the route is rendered (Istio VirtualService, mesh HTTPRoute, Gateway HTTPRoute). */
  readonly target: RouteTarget;
  /**
   * The protocol of the port. TCP routes can only split by weight.
   * @default RouteProtocol.HTTP
   */
  readonly protocol?: RouteProtocol;
  /**
   * `metadata.name` of the VirtualService or HTTPRoute.
   * @default - the Service name
   */
  readonly name?: string;
  /**
   * The Services and workloads exist outside this cdk8s app: skip the checks that the Service, the
   * per-version Services and a workload per version are defined in the app.
   * @default false
   */
  readonly servicesOutsideApp?: boolean;
}

const PROPS_KEYS: StructKeys<CanaryRouteProps> = {
  namespace: true,
  service: true,
  port: true,
  stable: true,
  canary: true,
  stablePercent: true,
  canaryPercent: true,
  headerPin: true,
  target: true,
  protocol: true,
  name: true,
  servicesOutsideApp: true,
};
const VERSION_KEYS: StructKeys<CanaryVersion> = { name: true, labels: true, serviceName: true };
const HEADER_PIN_KEYS: StructKeys<HeaderPin> = { name: true, value: true };

/**
 * Split the traffic of one Service between a stable and a canary version by percentage, with an
 * optional header pin, for Istio (VirtualService + DestinationRule subsets), a mesh HTTPRoute with
 * the Service as parent (GAMMA: Istio or Linkerd) or a Gateway HTTPRoute (north-south).
 *
 * How each target renders:
 *
 * - Istio: the header-pinned route comes first and the weighted route last (first match wins), both
 *   matching the routed port only (the host's other ports keep Istio's default route); the
 *   version subsets are contributed to the host's one DestinationRule (shared with IstioMtls and
 *   CircuitBreaker), so every subset a route names exists. Ambient mode needs a waypoint for L7
 *   routing, which this library does not configure yet: an error there.
 * - HTTPRoute: backends are the per-version Services (`<service>-<version>`), weighted; every rule
 *   matches `PathPrefix /` so the weighted rule is the catch-all a mesh route needs (requests that
 *   match no rule of an attached mesh route are rejected). A route in another namespace than its
 *   backends gets a ReferenceGrant in theirs; a route a Gateway listener defined in this app does
 *   not admit, or a route hostname that listener's hostname does not match, is an error (for
 *   Gateways outside the app this cannot be checked).
 *
 * Checks at synth unless `servicesOutsideApp`: the Service exists in the app with the port; for
 * HTTPRoutes the per-version Services exist and select their version; a workload carries each
 * version's pods (the Service selector plus the version labels), otherwise that version's share
 * would fail with 503 (a missing subset).
 */
export class CanaryRoute extends Construct {
  /** The VirtualService or HTTPRoute. */
  public readonly route: ApiObject;
  /** The ReferenceGrant, when the route references Services in another namespace. */
  public readonly referenceGrant?: ApiObject;
  /** The DestinationRule the subsets were added to (Istio target). */
  public readonly destinationRule?: ApiObject;

  constructor(scope: Construct, id: string, props: CanaryRouteProps) {
    super(scope, id);
    props = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    const target = requireInstance(this, 'target', props.target, RouteTarget, 'a RouteTarget (RouteTarget.istio(), .meshRoute(), .gateway(...))');
    const namespace = validateDnsLabel(this, 'namespace', props.namespace);
    const service = validateDnsLabel(this, 'service', props.service);
    const port = validatePortNumber(this, 'port', props.port);
    const stable = this.version('stable', props.stable, service);
    const canary = this.version('canary', props.canary, service);
    if (stable.name === canary.name) throw propError(this, 'canary.name', `'${canary.name}' is also the stable version's name`);
    // Disjoint only if some label both versions name has two values: otherwise one pod can carry both label sets
    // (stable {track: stable}, canary {track: stable, canary: 'yes'}), and the stable subset (or per-version
    // Service) selects canary pods too, so part of the stable share reaches the canary.
    if (!Object.keys(stable.labels).some((k) => k in canary.labels && canary.labels[k] !== stable.labels[k])) {
      throw propError(this, 'canary.labels', `${showLabels(canary.labels)} also selects the stable version's pods, or the stable version's `
        + `${showLabels(stable.labels)} the canary's: no label that both name has two values, so one pod can carry both and part of one `
        + 'version\'s share would reach the other. Give both versions the same label key with different values (e.g. version: v1 and version: v2)');
    }
    const [stableWeight, canaryWeight] = this.percentages(props.stablePercent, props.canaryPercent);
    const protocol = props.protocol === undefined ? RouteProtocol.HTTP
      : checkEnum(this, 'protocol', props.protocol, Object.values(RouteProtocol), 'a route protocol');
    const givenPin = requireOptionalObject(this, 'headerPin', props.headerPin);
    const pin = givenPin === undefined ? undefined : this.headerPin(requireKnownKeys(this, 'headerPin', givenPin, HEADER_PIN_KEYS));
    if (pin && protocol === RouteProtocol.TCP) {
      throw propError(this, 'headerPin', 'a TCP route cannot match headers: drop the header pin, or route the port as HTTP');
    }
    // Gateway API HTTPHeaderName (also Linkerd's HTTPRoute CRD): at most 256 characters; Istio sets no limit.
    if (pin && target._kind !== 'istio' && pin.name.length > 256) {
      throw propError(this, 'headerPin.name', `an HTTPRoute header match name has at most 256 characters, got ${pin.name.length} (${pin.name.slice(0, 20)}...)`);
    }
    const name = validateDnsSubdomain(this, 'name', requireOptionalString(this, 'name', props.name) ?? service);
    const servicesOutsideApp = requireOptionalBoolean(this, 'servicesOutsideApp', props.servicesOutsideApp, false);
    this.checkTarget(target, protocol);

    const routed: Routed = { namespace, service, port, stable, canary, stableWeight, canaryWeight, pin, protocol, name };
    if (target._kind === 'istio') {
      this.claim('service', { kind: 'virtualService', namespace, host: service, port }, `the VirtualService of host '${service}' in namespace '${namespace}': `
        + 'Istio merges no VirtualServices of one host for mesh traffic (a sidecar takes one per host and port)',
      'One CanaryRoute per Service with RouteTarget.istio() (route another port of it with RouteTarget.meshRoute())');
      this.destinationRule = contributeDestinationRule(this, 'stable/canary', namespace, service, {
        subsets: [{ name: stable.name, labels: stable.labels }, { name: canary.name, labels: canary.labels }],
      });
      this.route = this.virtualService(routed);
    } else {
      const routeNamespace = (target._kind === 'gateway' ? target._gateway.routeNamespace : undefined) ?? namespace;
      const givenHostnames = target._kind === 'gateway' ? target._gateway.hostnames ?? [] : [];
      if (givenHostnames.length > 16) throw propError(this, 'target.hostnames', `an HTTPRoute has at most 16 hostnames, got ${givenHostnames.length}`);
      const hostnames = givenHostnames.map((h, i) => validateGatewayHostname(this, `target.hostnames[${i}]`, h));
      const parentRefs = target._kind === 'gateway'
        ? [gatewayParentRef(this, 'target', target._parent!, routeNamespace, hostnames, (i) => `target.hostnames[${i}]`)]
        : [{ group: '', kind: 'Service', name: service, port }];
      if (target._kind === 'gateway') {
        const ref = target._parent!._ref;
        this.claim('target', { kind: 'gatewayRoute', gateway: `${ref.gatewayNamespace}/${ref.gatewayName}`, sectionName: ref.sectionName, hostnames },
          `listener ${target._parent} for ${hostnames.length > 0 ? `hostnames ${hostnames.join(', ')}` : 'every hostname'}: routes whose rules match alike `
          + 'tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name)',
          'Give the routes different hostnames, or attach them to different listeners (sectionName)');
      } else {
        this.claim('port', { kind: 'meshRoute', namespace, service, port }, `Service '${namespace}/${service}' port ${port} as a mesh route parent: `
          + 'routes whose rules match alike tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name)',
        'One CanaryRoute per Service port');
      }
      const crossNamespace = routeNamespace !== namespace ? namespace : undefined;
      const backend = (v: Version, weight: number): RouteBackend => ({ name: v.serviceName, namespace: crossNamespace, port, weight });
      const rules: RouteRule[] = [];
      if (pin) rules.push({ headers: [pin], backends: [backend(canary, 1)] });
      rules.push({ backends: [backend(stable, stableWeight), backend(canary, canaryWeight)] });
      const api = target._api === MeshRouteApi.LINKERD_POLICY ? LINKERD_HTTP_ROUTE : GATEWAY_HTTP_ROUTE;
      this.route = emitHttpRoute(this, 'HTTPRoute', api, name, routeNamespace, parentRefs, hostnames, rules);
      if (crossNamespace) {
        this.referenceGrant = emitReferenceGrant(this, 'ReferenceGrant', validateDnsSubdomain(this, 'name', `${name}-from-${routeNamespace}`),
          namespace, routeNamespace, [stable.serviceName, canary.serviceName]);
      }
    }
    if (!servicesOutsideApp) {
      keepAppObjectsPerWalk(this);
      this.node.addValidation({ validate: () => this.checkApp(routed, target) });
    }
  }

  /** Claim the traffic this route splits; an earlier CanaryRoute over the same requests is an error naming it. */
  private claim(prop: string, claim: RouteClaim, what: string, fix: string): void {
    const other = claimRoute(this, claim, 'a CanaryRoute');
    if (other === undefined) return;
    if (other.claim.kind !== claim.kind && claim.kind !== 'gatewayRoute' && other.claim.kind !== 'gatewayRoute') {
      // A VirtualService and a mesh HTTPRoute of one Service port (see route-claims).
      const svc = claim.kind === 'virtualService' ? claim.host : claim.service;
      throw propError(this, prop, `${other.by} (${other.owner}) already routes Service '${claim.namespace}/${svc}' port ${claim.port} with `
        + `${other.claim.kind === 'meshRoute' ? 'a mesh HTTPRoute' : 'a VirtualService'}: istiod turns a mesh HTTPRoute into a VirtualService of the `
        + 'Service\'s host matching its port, and a sidecar applies one VirtualService per host and port, so one of the two splits would never apply. '
        + 'One CanaryRoute per Service port');
    }
    if (claim.kind === 'virtualService' && other.claim.kind === 'virtualService' && claim.port !== other.claim.port) {
      // Rules of other ports: the sidecar would apply both (route.go keeps a VirtualService's routes per port), but
      // `istioctl analyze` looks at hosts only and reports the pair as an error.
      throw propError(this, prop, `${other.by} (${other.owner}) already routes ${what}, and \`istioctl analyze\` reports two VirtualServices of one `
        + 'host as an error, whatever ports their rules match (istio.io IST0109 ConflictingMeshGatewayVirtualServiceHosts). '
        + `${fix}`);
    }
    const lost = other.owner === 'a CanaryRoute' ? 'one of the two splits' : 'this split or the other route';
    throw propError(this, prop, `${other.by} (${other.owner}) already routes ${what}, so ${lost} would never apply. ${fix}`);
  }

  private version(prop: string, given: CanaryVersion, service: string): Version {
    if (given === undefined) throw propError(this, prop, 'is required ({ name, labels })');
    const v = requireKnownKeys(this, prop, requireObject(this, prop, given), VERSION_KEYS);
    const name = validateDnsLabel(this, `${prop}.name`, v.name);
    if (v.labels === undefined) throw propError(this, `${prop}.labels`, 'is required: the labels that tell this version\'s pods apart (e.g. version: v2)');
    const labels = validateLabels(this, `${prop}.labels`, v.labels);
    if (Object.keys(labels).length === 0) throw propError(this, `${prop}.labels`, 'at least one label must tell this version\'s pods apart (e.g. version: v2)');
    const serviceName = validateDnsLabel(this, `${prop}.serviceName`, requireOptionalString(this, `${prop}.serviceName`, v.serviceName) ?? `${service}-${name}`);
    return { name, labels: sortedLabels(labels), serviceName };
  }

  private percentages(stable: number, canary: number): [number, number] {
    requireInteger(this, 'stablePercent', stable, 0, 100);
    requireInteger(this, 'canaryPercent', canary, 0, 100);
    if (stable + canary !== 100) {
      throw propError(this, 'stablePercent/canaryPercent', `${stable} + ${canary} = ${stable + canary}, not 100: route weights are relative `
        + `(weight / sum of weights), so ${stable}/${canary} would send ${share(stable, stable + canary)}/${share(canary, stable + canary)} `
        + 'of the traffic. Give percentages that sum to 100');
    }
    return [stable, canary];
  }

  private headerPin(pin: HeaderPin): { name: string; value: string } {
    if (!/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(requireString(this, 'headerPin.name', pin.name))) {
      throw propError(this, 'headerPin.name', `'${pin.name}' is not a lower-case HTTP header name (Istio matches lower-case header keys only)`);
    }
    if (requireString(this, 'headerPin.value', pin.value).length === 0 || pin.value.length > 4096 || /[\x00-\x1f\x7f]/.test(pin.value)) {
      throw propError(this, 'headerPin.value', `${JSON.stringify(pin.value)} must be a non-empty header value without control characters`);
    }
    return { name: pin.name, value: pin.value };
  }

  /** The cluster context must have the mesh the target renders for, and the target must route this protocol. */
  private checkTarget(target: RouteTarget, protocol: RouteProtocol): ClusterNetwork {
    switch (target._kind) {
      case 'istio': {
        const cluster = requireMesh(this, 'CanaryRoute with RouteTarget.istio()', [MeshKind.ISTIO]);
        if (isAmbient(cluster)) {
          throw propError(this, 'target', 'a VirtualService needs an L7 proxy; in ambient mode that is a waypoint, which this library does not '
            + 'configure yet: run the namespace in sidecar mode, or route through a Gateway (RouteTarget.gateway)');
        }
        return cluster;
      }
      case 'mesh': {
        const cluster = requireMesh(this, 'CanaryRoute with RouteTarget.meshRoute()', [MeshKind.ISTIO, MeshKind.LINKERD]);
        if (protocol === RouteProtocol.TCP) throw propError(this, 'protocol', 'TCP routes are not in the Gateway API standard channel v1.4 (nor in what Linkerd 2.20 supports): use RouteTarget.istio()');
        if (target._api === MeshRouteApi.LINKERD_POLICY && cluster.mesh.kind !== MeshKind.LINKERD) {
          throw propError(this, 'target', `policy.linkerd.io HTTPRoutes are read by Linkerd only; the ClusterNetwork mesh is ${cluster.mesh.displayName}`);
        }
        if (isAmbient(cluster)) {
          throw propError(this, 'target', 'a mesh HTTPRoute in ambient mode is served by a waypoint, which this library does not configure yet');
        }
        return cluster;
      }
      case 'gateway':
        if (protocol === RouteProtocol.TCP) throw propError(this, 'protocol', 'TCP routes are not in the Gateway API standard channel v1.4');
        return ClusterNetwork.of(this);
    }
  }

  private virtualService(r: Routed): ApiObject {
    const destination = (v: Version) => ({ host: r.service, subset: v.name, port: { number: r.port } });
    // Every rule matches the routed port: istiod builds a host's routes per Service port, and a rule without
    // a port match applies to every HTTP (or TCP) port of the host (istio pilot/pkg/networking/core/route
    // route.go translateRoute), so a split of port 8080 would also take the host's other ports' requests to
    // 8080. With the match, the host's other ports keep istiod's default route.
    const weighted = {
      match: [{ port: r.port }],
      route: [{ destination: destination(r.stable), weight: r.stableWeight }, { destination: destination(r.canary), weight: r.canaryWeight }],
    };
    const spec: Record<string, unknown> = { hosts: [r.service] };
    if (r.protocol === RouteProtocol.TCP) {
      spec.tcp = [weighted];
    } else {
      const http: Array<Record<string, unknown>> = [];
      if (r.pin) {
        http.push({
          name: 'header-pin', match: [{ headers: { [r.pin.name]: { exact: r.pin.value } }, port: r.port }], route: [{ destination: destination(r.canary) }],
        });
      }
      http.push({ name: 'weighted', ...weighted });
      spec.http = http;
    }
    return registerObject(this, new ApiObject(this, 'VirtualService', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: r.name, namespace: r.namespace },
      spec,
    }));
  }

  /** What the route names must exist in the app (missing Service, version Service or subset pods). */
  private checkApp(r: Routed, target: RouteTarget): string[] {
    const { services, workloads } = appInventory(this);
    const errors: string[] = [];
    const svc = services.find((s) => s.name === r.service && s.namespace === r.namespace);
    const outside = 'set servicesOutsideApp: true if it is managed outside this app';
    if (!svc) return [`service: missing Service '${r.service}' in namespace '${r.namespace}': no such Service is defined in this app (${outside})`];
    if (!svc.ports.includes(r.port)) errors.push(`port: Service '${r.service}' has no port ${r.port} (ports: ${svc.ports.join(', ') || 'none'})`);
    for (const [prop, v] of [['stable', r.stable], ['canary', r.canary]] as const) {
      // A subset is the Service's endpoints that carry its labels (Istio DestinationRule subsets): a version
      // label the Service's selector pins to another value leaves the subset without endpoints, whatever runs.
      const pinned = target._kind === 'istio' ? Object.keys(v.labels).find((k) => k in svc.selector && svc.selector[k] !== v.labels[k]) : undefined;
      if (pinned !== undefined) {
        errors.push(`${prop}.labels: Service '${r.service}' selects ${pinned}=${svc.selector[pinned]} and version '${v.name}' is ${pinned}=`
          + `${v.labels[pinned]}: the subset is the Service's pods with the version's labels, so it has none and its share of the traffic would `
          + `fail with 503. Drop ${pinned} from the Service's selector`);
        continue;
      }
      const podLabels = { ...svc.selector, ...v.labels };
      if (!workloads.some((w) => w.namespace === r.namespace && hasLabels(w.podLabels, podLabels))) {
        errors.push(`${prop}: missing subset '${v.name}': no workload in namespace '${r.namespace}' has pods labelled ${showLabels(podLabels)} `
          + `(Service '${r.service}' selector plus ${prop}.labels), so its share of the traffic would fail with 503 (${outside})`);
      }
      if (target._kind !== 'istio') {
        const own = services.find((s) => s.name === v.serviceName && s.namespace === r.namespace);
        if (!own) {
          errors.push(`${prop}.serviceName: missing Service '${v.serviceName}' in namespace '${r.namespace}': HTTPRoute backends are per-version `
            + `Services; define one selecting ${showLabels(podLabels)} (${outside})`);
        } else {
          if (!hasLabels(podLabels, own.selector) || !hasLabels(own.selector, v.labels)) {
            errors.push(`${prop}.serviceName: Service '${v.serviceName}' selects ${showLabels(own.selector)}, which is not exactly version '${v.name}' `
              + `(${showLabels(podLabels)}): the split would mix versions`);
          }
          if (!own.ports.includes(r.port)) errors.push(`${prop}.serviceName: Service '${v.serviceName}' has no port ${r.port}`);
        }
      }
    }
    return errors;
  }
}

interface Version {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly serviceName: string;
}

interface Routed {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly stable: Version;
  readonly canary: Version;
  readonly stableWeight: number;
  readonly canaryWeight: number;
  readonly pin?: { name: string; value: string };
  readonly protocol: RouteProtocol;
  readonly name: string;
}

function share(part: number, total: number): string {
  return total === 0 ? 'no traffic' : `${(Math.round((part / total) * 1000) / 10).toString()}%`;
}
