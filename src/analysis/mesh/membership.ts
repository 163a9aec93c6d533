/**
 * Which pods are in the mesh, with which data plane, and which of their ports the proxy does not
 * capture (internal). Derived from the labels and annotations of the namespace and the pod template,
 * as the injectors read them:
 *
 * - Istio sidecar (istio.io "Installing the sidecar", "Controlling the injection policy"; istiod's
 *   injection webhooks and injector): the webhook is called for a namespace labelled
 *   `istio-injection=enabled` or `istio.io/rev` (any other `istio-injection` value: never), else only
 *   for a pod labelled `sidecar.istio.io/inject=true` (exactly) or `istio.io/rev`, and never for a
 *   pod labelled `sidecar.istio.io/inject=false`; the injector then injects unless the pod's
 *   `sidecar.istio.io/inject` (the label, else the deprecated annotation) is set to anything but
 *   y, yes, true or on (any case). The annotation alone never calls the webhook. Proxy port
 *   exclusions: `traffic.sidecar.istio.io/includeInboundPorts`, `excludeInboundPorts`,
 *   `excludeOutboundPorts`.
 * - Istio ambient (istio.io "Adding workloads to the mesh" in ambient mode): label
 *   `istio.io/dataplane-mode=ambient` on the namespace or the pod, `none` on the pod opts out; a pod
 *   with a sidecar is never captured by ambient. `istio.io/use-waypoint` names a waypoint. The pod
 *   annotation `ambient.istio.io/bypass-inbound-capture` (true) leaves its inbound uncaptured.
 * - Linkerd (linkerd.io "Automatic proxy injection"): annotation `linkerd.io/inject` (`enabled`,
 *   `ingress`, `disabled`) on the pod template, else on the namespace, as ../../util/linkerd-injection
 *   reads it (an empty value is none, one the injector does not know injects nothing; the webhook never
 *   sees kube-system, cert-manager, namespaces labelled config.linkerd.io/admission-webhooks=disabled); `config.linkerd.io/skip-inbound-ports`
 *   and `skip-outbound-ports` (pod, else namespace); `config.linkerd.io/default-inbound-policy`.
 * - hostNetwork pods are never injected, nodes and external addresses are never meshed.
 */
import { MeshFacts, NamespaceAnnotations } from './facts';
import { goParseBool } from '../../util/go-strconv';
import { linkerdInjection } from '../../util/linkerd-injection';
import { Endpoint, NamespaceIndex, namespaceLabelsOf } from '../model';
import { Labels } from '../selectors';

/** The data plane a pod is in. */
export type DataPlane = 'sidecar' | 'ambient' | 'linkerd';

/** A pod's place in the mesh. */
export interface Membership {
  /** The data plane, or undefined when the endpoint is not in the mesh. */
  readonly dataPlane?: DataPlane;
  /** Why (or why not), for reasons: `namespace shop is labelled istio-injection=enabled`. */
  readonly why: string;
  /** Inbound ports the proxy does not capture (traffic to them bypasses mesh authorization). */
  readonly inboundBypass: PortSet;
  /** Outbound ports the proxy does not capture (traffic to them leaves without the mesh identity). */
  readonly outboundBypass: PortSet;
  /** Linkerd: the pod's or namespace's `config.linkerd.io/default-inbound-policy`, with where it was set. */
  readonly defaultPolicy?: { readonly value: string; readonly source: string };
  /** Istio ambient: the waypoint named by `istio.io/use-waypoint` (pod, else namespace). */
  readonly waypoint?: string;
  /**
   * Istio ambient: why istio-cni does not redirect the pod's inbound traffic to ztunnel (the pod
   * annotation `ambient.istio.io/bypass-inbound-capture`), so plaintext reaches it past every policy.
   */
  readonly inboundCaptureOff?: string;
}

/** A set of ports given as annotation text (`8080,9090`, `4000-5000`, `*`). */
export interface PortSet {
  /** The annotation it came from, for reasons. */
  readonly source?: string;
  has(port: number): boolean;
}

const NO_PORTS: PortSet = { has: () => false };

/** The pod annotation that turns off ambient inbound capture (istio/api annotation AmbientBypassInboundCapture). */
const BYPASS_INBOUND_CAPTURE = 'ambient.istio.io/bypass-inbound-capture';

/** The values of `sidecar.istio.io/inject` the Istio injector reads as true (lower-cased); any other non-empty value is false. */
const TRUE = ['y', 'yes', 'true', 'on'];

/** Parse `8080, 9090`, `4000-5000` or `*`; unparsable entries are ignored. */
export function parsePortSet(text: string | undefined, source: string): PortSet {
  if (text === undefined) return NO_PORTS;
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (part === '*') return { has: () => true, source };
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m) ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return ranges.length === 0 ? NO_PORTS : { has: (port) => ranges.some(([a, b]) => port >= a && port <= b), source };
}

/** The labels of a namespace and the pod, the annotations of both. */
interface Scopes {
  readonly nsName: string;
  readonly nsLabels: Labels;
  readonly nsAnnotations: Labels;
  readonly podLabels: Labels;
  readonly podAnnotations: Labels;
}

/** The membership of `endpoint` in the mesh described by `facts`. */
export function membershipOf(endpoint: Endpoint, facts: MeshFacts, namespaces: NamespaceIndex, annotations: NamespaceAnnotations): Membership {
  if (endpoint.kind !== 'pod') return notMeshed(`${endpoint.name} is ${endpoint.kind === 'node' ? 'a node' : 'outside the cluster'}, not a meshed pod`);
  if (endpoint.hostNetwork) return notMeshed(`${endpoint.name} runs in the host network, where no proxy is injected`);
  const nsName = endpoint.namespace ?? 'default';
  const scopes: Scopes = {
    nsName,
    nsLabels: namespaceLabelsOf(endpoint, namespaces),
    nsAnnotations: annotations.get(nsName) ?? {},
    podLabels: endpoint.labels,
    podAnnotations: endpoint.annotations ?? {},
  };
  return facts.flavour === 'istio' ? istioMembership(endpoint, facts, scopes) : linkerdMembership(endpoint, scopes);
}

function notMeshed(why: string): Membership {
  return { why, inboundBypass: NO_PORTS, outboundBypass: NO_PORTS };
}

function istioMembership(endpoint: Endpoint, facts: MeshFacts, s: Scopes): Membership {
  const nsInjection = s.nsLabels['istio-injection'];
  const nsRevision = s.nsLabels['istio.io/rev'];
  const podLabel = s.podLabels['sidecar.istio.io/inject'];
  // The injector prefers the label to the (deprecated) annotation when both are set.
  const podInject = podLabel ?? s.podAnnotations['sidecar.istio.io/inject'];
  const podInjectSource = podLabel !== undefined ? 'label' : 'annotation';
  const podRevision = s.podLabels['istio.io/rev'];
  // Which injection webhook the API server calls (istiod's MutatingWebhookConfiguration): by the
  // namespace label istio-injection=enabled or istio.io/rev, unless the pod LABEL is "false"; in a
  // namespace with neither label, only for a pod labelled sidecar.istio.io/inject=true (exactly) or
  // istio.io/rev. Any other istio-injection value matches no webhook.
  let webhook: string | undefined;
  let optOut: string | undefined;
  if (nsInjection !== undefined) {
    const unmatched = nsInjection === 'disabled' ? '' : ', which no injection webhook matches (only enabled)';
    if (nsInjection !== 'enabled') optOut = `namespace ${s.nsName} is labelled istio-injection=${nsInjection}${unmatched}`;
    else if (podLabel !== 'false') webhook = `namespace ${s.nsName} is labelled istio-injection=enabled`;
  } else if (nsRevision !== undefined) {
    if (podLabel !== 'false') webhook = `namespace ${s.nsName} is labelled istio.io/rev=${nsRevision}`;
  } else if (podLabel === 'true') {
    webhook = 'the pod template has the label sidecar.istio.io/inject=true';
  } else if (podRevision !== undefined && podLabel !== 'false') {
    webhook = `the pod template is labelled istio.io/rev=${podRevision}`;
  } else if (podInject !== undefined && podInject !== '') {
    optOut = `the pod template has the ${podInjectSource} sidecar.istio.io/inject=${podInject}`
      + (TRUE.includes(podInject.toLowerCase()) ? ', but in a namespace without injection label only the label sidecar.istio.io/inject=true (or '
        + 'istio.io/rev) calls the injector' : '');
  }
  // The injector then injects unless the pod's value is set and not one of y, yes, true, on (any case).
  let sidecar: string | undefined;
  if (webhook !== undefined) {
    if (podInject === undefined || podInject === '' || TRUE.includes(podInject.toLowerCase())) sidecar = webhook;
    else optOut = `the pod template has the ${podInjectSource} sidecar.istio.io/inject=${podInject}`;
  } else if (optOut === undefined && podLabel === 'false') {
    optOut = 'the pod template has the label sidecar.istio.io/inject=false';
  }
  if (sidecar !== undefined) {
    const include = s.podAnnotations['traffic.sidecar.istio.io/includeInboundPorts'];
    const exclude = parsePortSet(s.podAnnotations['traffic.sidecar.istio.io/excludeInboundPorts'], 'traffic.sidecar.istio.io/excludeInboundPorts');
    const included = include === undefined ? undefined : parsePortSet(include, 'traffic.sidecar.istio.io/includeInboundPorts');
    return {
      dataPlane: 'sidecar',
      why: `${endpoint.name} has an Istio sidecar (${sidecar})`,
      inboundBypass: {
        has: (port) => exclude.has(port) || (included !== undefined && !included.has(port)),
        source: included !== undefined && exclude.source !== undefined ? `${exclude.source} / ${included.source}` : exclude.source ?? included?.source,
      },
      outboundBypass: parsePortSet(s.podAnnotations['traffic.sidecar.istio.io/excludeOutboundPorts'], 'traffic.sidecar.istio.io/excludeOutboundPorts'),
    };
  }
  const podMode = s.podLabels['istio.io/dataplane-mode'];
  const nsMode = s.nsLabels['istio.io/dataplane-mode'];
  if (facts.ambient && podMode !== 'none' && (podMode === 'ambient' || nsMode === 'ambient')) {
    const podWaypoint = s.podLabels['istio.io/use-waypoint'];
    const waypoint = podWaypoint ?? s.nsLabels['istio.io/use-waypoint'];
    // istio-cni reads the annotation with Go's strconv.ParseBool (cni/pkg/util CheckBooleanAnnotation) and
    // then skips the pod's inbound redirection rules (PodLevelOverrides.IngressMode): Istio 1.24 release notes.
    const captureOff = s.podAnnotations[BYPASS_INBOUND_CAPTURE];
    return {
      dataPlane: 'ambient',
      why: `${endpoint.name} is in Istio ambient mode (${podMode === 'ambient' ? 'the pod template is' : `namespace ${s.nsName} is`} labelled `
        + 'istio.io/dataplane-mode=ambient)',
      inboundBypass: NO_PORTS,
      outboundBypass: NO_PORTS,
      ...(waypoint !== undefined && waypoint !== 'none' ? { waypoint } : {}),
      ...(captureOff !== undefined && goParseBool(captureOff) === true
        ? { inboundCaptureOff: `the pod template has the annotation ${BYPASS_INBOUND_CAPTURE}=${captureOff}` } : {}),
    };
  }
  if (optOut !== undefined) return notMeshed(`${endpoint.name} is not in the mesh (${optOut})`);
  const ambientHint = !facts.ambient && (podMode === 'ambient' || nsMode === 'ambient')
    ? '; it is labelled istio.io/dataplane-mode=ambient, but the mesh is not in ambient mode' : '';
  return notMeshed(`${endpoint.name} is not in the mesh (no injection label on namespace ${s.nsName} or the pod template${ambientHint})`);
}

function linkerdMembership(endpoint: Endpoint, s: Scopes): Membership {
  const { injected, at, value: inject, invalid, unseen } = linkerdInjection(s.podAnnotations, s.nsAnnotations, false,
    { namespace: s.nsName, namespaceLabels: s.nsLabels, podLabels: s.podLabels });
  const where = at === 'pod' ? 'the pod template is' : `namespace ${s.nsName} is`;
  if (unseen !== undefined) return notMeshed(`${endpoint.name} is not in the mesh (the proxy injector's webhook leaves out ${unseen})`);
  if (injected !== true) {
    return notMeshed(at === undefined
      ? `${endpoint.name} is not in the mesh (no linkerd.io/inject annotation on namespace ${s.nsName} or the pod template)`
      : `${endpoint.name} is not in the mesh (${where} annotated linkerd.io/inject=${inject}${invalid ? ', which the proxy injector refuses' : ''})`);
  }
  const config = (key: string): { value: string; source: string } | undefined => {
    const value = s.podAnnotations[key] ?? s.nsAnnotations[key];
    if (value === undefined) return undefined;
    return { value, source: `${s.podAnnotations[key] !== undefined ? 'the pod template' : `namespace ${s.nsName}`} annotation ${key}` };
  };
  const skipIn = config('config.linkerd.io/skip-inbound-ports');
  const skipOut = config('config.linkerd.io/skip-outbound-ports');
  const policy = config('config.linkerd.io/default-inbound-policy');
  return {
    dataPlane: 'linkerd',
    why: `${endpoint.name} has a Linkerd proxy (${where} annotated linkerd.io/inject=${inject})`,
    inboundBypass: parsePortSet(skipIn?.value, skipIn?.source ?? ''),
    outboundBypass: parsePortSet(skipOut?.value, skipOut?.source ?? ''),
    ...(policy ? { defaultPolicy: policy } : {}),
  };
}

/**
 * The mesh-relevant annotation keys (the part of a pod's annotations that can change a verdict);
 * `inject.istio.io/templates: gateway` marks an Istio gateway (./istio-remote-address).
 */
export function isMeshAnnotation(key: string): boolean {
  return key.startsWith('sidecar.istio.io/') || key.startsWith('traffic.sidecar.istio.io/') || key.startsWith('linkerd.io/')
    || key.startsWith('config.linkerd.io/') || key === 'inject.istio.io/templates' || key === BYPASS_INBOUND_CAPTURE;
}
