import { injectedLabels } from './linkerd-admin-ports';
import { LINKERD_DEFAULT_OPAQUE_PORTS } from '../../analysis/mesh/facts';
import { ClusterOpaquePorts, defaultOpaquePortsOf, OPAQUE_PORTS_ANNOTATION, opaquePortsOf } from '../../analysis/mesh/linkerd-opaque';
import { inLinkerdPorts, parseLinkerdPorts } from '../../analysis/mesh/linkerd-ports';
import { LabelSelector, matchesLabelSelector } from '../../analysis/selectors';
import { linkerdServerPortNumbers, serviceTargetPortNumber } from '../../util/container-ports';
import { linkerdInjection } from '../../util/linkerd-injection';
import { apiGroupOf, isNamespace, isPlainObject, podTemplateOf, stringMap } from '../../util/vocabulary';
import { isObject, jsonKey, jsonPath, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * linkerd.io "TCP Proxying and Protocol Detection", Marking ports as opaque: the
 * `config.linkerd.io/opaque-ports` annotation must be set in two places, on the Service receiving the
 * traffic and on the workload (its pod template, or its namespace). The two sides are read apart:
 *
 * - Service side (meshed clients of the Service): linkerd2's destination controller
 *   (controller/api/destination/watcher/opaque_ports_watcher.go) reads the Service's annotation, an entry
 *   naming a Service port standing for that port, any other a port or range (invalid ones skipped), the
 *   list replacing the cluster default `proxy.opaquePorts`. A Service created without the annotation
 *   gets one from the proxy injector (controller/proxy-injector webhook tests, TestGetAnnotationPatch):
 *   its namespace's, else the default list filtered by the Service's numeric target ports;
 *   Services of kube-system are not watched. A Service port with `appProtocol: linkerd.io/opaque` (or its
 *   alias `linkerd.io/tcp`) is opaque too (same page, Declaring a Service port's protocol).
 * - Pod side (the destination's proxy): the pod template's annotation, else its namespace's, else the
 *   cluster default filtered by the container ports the pod declares (analysis/mesh/linkerd-opaque); a
 *   Server describing the port decides by its `proxyProtocol` instead (same page).
 *
 * Reported on the Service, for each port whose target port of a meshed workload it selects is opaque on
 * one side only. A side that rests on the cluster default is assumed to be the install default
 * (the lint does not see the Helm values), and the message says so; when both sides rest on it nothing
 * is reported. Told the cluster's `proxy.opaquePorts` (`PolicyLintOptions.mesh: Mesh.linkerd()` with
 * `linkerdOpaquePorts`), both sides are read with that list, nothing is assumed, and a port that list
 * makes opaque on one side only (the Service's numeric target port kept, the pods declaring no such
 * container port) is reported too. Under another mesh or `Mesh.none()` the rule does not apply.
 */
const APP_PROTOCOLS = ['linkerd.io/opaque', 'linkerd.io/tcp'];
const DEFAULTS = parseLinkerdPorts(LINKERD_DEFAULT_OPAQUE_PORTS);
/** The cluster's `proxy.opaquePorts`: untold, the lint does not see the Helm values, so the install default. */
const CLUSTER_DEFAULTS: ClusterOpaquePorts = { list: DEFAULTS, given: false };
const DEFAULTS_TEXT = `the install default proxy.opaquePorts (${LINKERD_DEFAULT_OPAQUE_PORTS}; the lint does not see the Helm values)`;

/** The cluster default list the sides are read with, how messages name it, and whether it is known. */
interface ClusterDefault {
  readonly ports: ClusterOpaquePorts;
  readonly text: string;
}

/** The cluster's `proxy.opaquePorts`: the one the lint is told, else the install default (assumed). */
function clusterDefaultOf(ctx: LintContext): ClusterDefault {
  const facts = ctx.mesh?.facts;
  if (facts?.linkerdOpaquePortsGiven) {
    return { ports: { list: facts.linkerdOpaquePorts, given: true }, text: `the cluster's proxy.opaquePorts (${facts.linkerdOpaquePorts.text})` };
  }
  return { ports: CLUSTER_DEFAULTS, text: DEFAULTS_TEXT };
}

interface Side {
  readonly opaque: boolean;
  /** Why, for messages. */
  readonly why: string;
  /** Whether the side rests on the cluster default (then only assumed). */
  readonly assumed: boolean;
  /** Whether the Service side is its namespace's annotation (not in the Service's own manifest). */
  readonly inherited?: boolean;
  /** Whether the side is the cluster default list (written by the proxy injector, known or assumed). */
  readonly defaulted?: boolean;
}

/** The Service ports a Service annotation makes opaque, as the destination controller parses it. */
function serviceAnnotationPorts(text: string, ports: readonly any[]): Set<number> {
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const named = ports.find((p) => p?.name === entry && typeof p.port === 'number');
    if (named) {
      out.add(named.port);
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(entry);
    if (!m) continue;
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (from < 1 || to > 65535 || from > to) continue;
    for (let p = from; p <= to; p++) out.add(p);
  }
  return out;
}

function serviceSide(svc: Record<string, any>, port: Record<string, any>, nsAnnotations: Record<string, unknown>, cluster: ClusterDefault): Side {
  if (typeof port.appProtocol === 'string' && APP_PROTOCOLS.includes(port.appProtocol)) {
    return { opaque: true, why: `its appProtocol ${port.appProtocol}`, assumed: false };
  }
  const own = isObject(svc.metadata?.annotations) ? svc.metadata.annotations[OPAQUE_PORTS_ANNOTATION] : undefined;
  // The proxy injector gives a Service without the annotation its namespace's at admission
  // (linkerd2 controller/proxy-injector/webhook_test.go TestGetAnnotationPatch, "service without opaque ports and namespace with").
  const inherited = nsAnnotations[OPAQUE_PORTS_ANNOTATION];
  const text = typeof own === 'string' ? own : typeof inherited === 'string' ? inherited : undefined;
  if (text !== undefined) {
    const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const opaque = serviceAnnotationPorts(text, ports).has(port.port);
    const source = typeof own === 'string' ? 'its' : 'its namespace\'s (the proxy injector copies it onto the Service)';
    return {
      opaque, why: `${source} ${OPAQUE_PORTS_ANNOTATION} '${text}'${opaque ? '' : ', which does not list it'}`, assumed: false, inherited: typeof own !== 'string',
    };
  }
  // Without one, the proxy injector writes the default list filtered by the Service's ports at admission: a port whose
  // targetPort (its port when it has none) is on the list, never one with a named targetPort (controller/proxy-injector
  // fake/data filter-service-opaque-ports.yaml, TestGetAnnotationPatch "service opaque ports are filtered").
  const target = port.targetPort ?? port.port;
  const opaque = typeof target === 'number' && inLinkerdPorts(cluster.ports.list, target);
  return {
    opaque,
    why: `no ${OPAQUE_PORTS_ANNOTATION} of its own, so the proxy injector writes ${cluster.text} filtered by the Service's target ports, which `
      + `${opaque ? 'keeps' : 'does not keep'} it${typeof target === 'number' ? '' : ' (a named targetPort is never kept)'}`,
    assumed: !cluster.ports.given,
    defaulted: true,
  };
}

/** The pod side of target port `target` of a workload's pods, undefined when not known (a list Linkerd refuses). */
function podSide(template: Record<string, any>, nsAnnotations: Record<string, unknown>, target: number,
  server: Record<string, any> | undefined, cluster: ClusterDefault): Side | undefined {
  if (server) {
    const protocol = String(server.spec?.proxyProtocol ?? 'unknown');
    return { opaque: protocol === 'opaque', why: `Server ${server.metadata?.name} describes it with proxyProtocol ${protocol}`, assumed: false };
  }
  const annotations = stringMap(template.metadata?.annotations);
  const namespace = stringMap(nsAnnotations);
  const own = annotations[OPAQUE_PORTS_ANNOTATION];
  const text = own ?? namespace[OPAQUE_PORTS_ANNOTATION];
  if (text !== undefined) {
    try {
      parseLinkerdPorts(text);
    } catch {
      // linkerd-port-annotation-invalid reports the list Linkerd refuses.
      return undefined;
    }
  }
  // The pods' opaque ports as the analyzer reads them (annotation, else namespace, else the declared default ports).
  const endpoint = { kind: 'pod' as const, name: '', labels: {}, namespaceLabels: {}, annotations, hostNetwork: false, namedPorts: [] };
  const ports = opaquePortsOf(endpoint, namespace, defaultOpaquePortsOf(template, cluster.ports.list), cluster.ports);
  if (ports?.unsure?.has(target)) return undefined;
  const opaque = ports?.has(target) ?? false;
  if (text !== undefined) {
    return { opaque, why: `${own !== undefined ? 'their' : 'their namespace\'s'} ${OPAQUE_PORTS_ANNOTATION} '${text}'${opaque ? '' : ', which does not list it'}`, assumed: false };
  }
  return {
    opaque,
    why: `no ${OPAQUE_PORTS_ANNOTATION}, so the proxy injector writes ${cluster.text} filtered by their declared container ports, `
      + `which ${opaque ? 'keeps' : 'does not keep'} it`,
    assumed: !cluster.ports.given,
  };
}

export const linkerdOpaquePorts: LintRule = {
  ids: ['linkerd-opaque-ports-one-side'],
  check(ctx: LintContext): RuleReport[] {
    // Told another mesh (or none): no Linkerd proxy injector, no protocol detection.
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'linkerd') return [];
    const cluster = clusterDefaultOf(ctx);
    const nsAnnotations = new Map<string, Record<string, unknown>>();
    const nsLabels = new Map<string, Record<string, unknown>>();
    for (const doc of ctx.documents) {
      if (isNamespace(doc.obj) && typeof doc.obj.metadata?.name === 'string') {
        nsAnnotations.set(doc.obj.metadata.name, isObject(doc.obj.metadata.annotations) ? doc.obj.metadata.annotations : {});
        if (isObject(doc.obj.metadata.labels)) nsLabels.set(doc.obj.metadata.name, doc.obj.metadata.labels);
      }
    }
    const servers = ctx.documents.filter((d) => isObject(d.obj) && d.obj.kind === 'Server' && apiGroupOf(d.obj) === 'policy.linkerd.io'
      && isObject(d.obj.spec?.podSelector));
    type Workload = { doc: LintDocument; template: Record<string, any> };
    const workloads = ctx.documents.map((doc) => ({ doc, template: podTemplateOf(doc.obj) })).filter((w): w is Workload => {
      if (!w.template) return false;
      // Only pods surely injected (a namespace the manifests do not show injects nothing here).
      return linkerdInjection(isObject(w.template.metadata?.annotations) ? w.template.metadata.annotations : undefined,
        nsAnnotations.get(namespaceOf(w.doc.obj)) ?? {}, isPlainObject(w.template.spec) && w.template.spec.hostNetwork === true,
        {
          namespace: namespaceOf(w.doc.obj),
          namespaceLabels: nsLabels.get(namespaceOf(w.doc.obj)),
          podLabels: isObject(w.template.metadata?.labels) ? w.template.metadata.labels : undefined,
        })
        .injected === true;
    });
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const svc = doc.obj;
      if (!isObject(svc) || svc.kind !== 'Service' || apiGroupOf(svc) !== '') continue;
      if (!isObject(svc.spec?.selector) || Object.keys(svc.spec.selector).length === 0) continue;
      const ns = namespaceOf(svc);
      if (ns === 'kube-system') continue;
      const selected = workloads.filter((w) => namespaceOf(w.doc.obj) === ns
        && matchesLabelSelector({ matchLabels: svc.spec.selector }, isObject(w.template.metadata?.labels) ? w.template.metadata.labels : {}));
      const ports: any[] = Array.isArray(svc.spec.ports) ? svc.spec.ports : [];
      ports.forEach((port, i) => {
        if (!isObject(port) || typeof port.port !== 'number' || (port.protocol !== undefined && port.protocol !== 'TCP')) return;
        const service = serviceSide(svc, port, nsAnnotations.get(ns) ?? {}, cluster);
        for (const w of selected) {
          const targetPort = port.targetPort ?? port.port;
          // A named targetPort as the endpoint controllers resolve it (containers, then native sidecars; TCP here).
          const target = typeof targetPort === 'number' ? targetPort : serviceTargetPortNumber(w.template, String(targetPort), 'TCP');
          if (target === undefined) continue;
          const labels = isObject(w.template.metadata?.labels) ? w.template.metadata.labels : {};
          const server = servers.find((s) => namespaceOf(s.obj) === ns
            // A Server's port name covers that name's TCP ports on containers and init containers (linkerd2 #14144).
            && (s.obj.spec.port === target || (typeof s.obj.spec.port === 'string' && linkerdServerPortNumbers(w.template, s.obj.spec.port).includes(target)))
            && matchesLabelSelector(s.obj.spec.podSelector as LabelSelector,
              { ...labels, ...injectedLabels(w.doc.obj, ns, s.obj.spec.podSelector) }));
          const pod = podSide(w.template, nsAnnotations.get(ns) ?? {}, target, server?.obj, cluster);
          // Nothing to say when both sides agree, when the pod side is unknown, or when both rest on the cluster default the lint is not told.
          if (!pod || pod.opaque === service.opaque || (pod.assumed && service.assumed)) continue;
          const label = `${w.doc.obj.kind} ${ns}/${w.doc.obj.metadata?.name}`;
          const effect = service.opaque
            ? `the pods' proxies still run protocol detection on inbound connections to port ${target} that do not arrive marked opaque`
            : 'meshed clients connecting through the Service run protocol detection on their side';
          out.push({
            doc,
            severity: LintSeverity.WARNING,
            path: service.defaulted || service.inherited || !service.opaque ? jsonPath('spec', 'ports', i) : typeof port.appProtocol === 'string' && APP_PROTOCOLS.includes(port.appProtocol)
              ? jsonPath('spec', 'ports', i, 'appProtocol') : `metadata.annotations${jsonKey(OPAQUE_PORTS_ANNOTATION)}`,
            message: `port ${port.port} of this Service is ${service.opaque ? '' : 'not '}opaque (${service.why}), but target port ${target} of the meshed `
              + `pods of ${label} it selects is ${pod.opaque ? '' : 'not '}opaque (${pod.why}): ${effect} (a server-speaks-first protocol such as `
              + 'NATS or MySQL then stalls until the 10-second detection timeout). linkerd.io "Protocol Detection": the opaque-ports annotation must be '
              + 'set on both the Service and the workload',
            fix: service.opaque
              ? `add ${target} to ${OPAQUE_PORTS_ANNOTATION} on the pod template of ${label} (or its namespace), or describe the port with a Server `
                + 'of proxyProtocol opaque'
              : `add ${port.port} to ${OPAQUE_PORTS_ANNOTATION} on this Service (or set appProtocol: linkerd.io/opaque on the port)`,
          });
        }
      });
    }
    return out;
  },
};
