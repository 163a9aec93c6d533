import { LinkerdProxyListener, linkerdProxyListeners } from '../../analysis/mesh/linkerd-proxy-listeners';
import { linkerdExistingSidecar } from '../../util/linkerd-existing-sidecar';
import { linkerdInjection, linkerdWebhookUnseen } from '../../util/linkerd-injection';
import { isNamespace, isPlainObject, podTemplateOf, WORKLOAD_TEMPLATES } from '../../util/vocabulary';
import { isObject, jsonKey, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * Two listeners on one port in a pod Linkerd injects: the proxy's inbound, admin, control and outbound
 * listeners (../../analysis/mesh/linkerd-proxy-listeners: `config.linkerd.io/inbound-port`,
 * `admin-port`, `control-port`, `outbound-port` on the pod template, else on its namespace, else the
 * install's 4143, 4191, 4190, 4140) against each other and against the TCP ports the pod's containers
 * declare, native sidecars (init containers with `restartPolicy: Always`) included: they share the
 * pod's network namespace.
 *
 * Nothing upstream catches it: the injector sets each port as it reads it (linkerd2 pkg/inject
 * config_override.go) and its report checks no port (pkg/inject/report.go: host network, existing
 * sidecar, UDP ports, service account token); the API server accepts a container declaring one port
 * twice (Kubernetes only warns, pkg/api/pod/warnings.go "duplicate port definition"). The proxy binds
 * its listeners when it starts and, when a bind fails (the port is taken: a listener on every address
 * covers loopback, so the outbound listener collides too), exits with "Initialization failure"
 * (linkerd2-proxy linkerd2-proxy/src/main.rs, `Config::build` binding each listener, linkerd/app
 * admin.rs `bind.bind(...)?`): the proxy container restarts over and over. An application that binds
 * a port the proxy holds fails to listen in the same way. Errors: the pods never run as meant. A bind on
 * loopback and one on every address collide even with SO_REUSEADDR on both (Linux refuses a second
 * bind beside a socket in LISTEN unless both set SO_REUSEPORT; the proxy sets SO_REUSEADDR only,
 * linkerd2-proxy linkerd/proxy/transport/src/listen.rs `BindTcp`), and the proxy's `[::]` listeners
 * are dual-stack (it sets no IPV6_V6ONLY), so an application on 0.0.0.0 collides with them too.
 *
 * Warnings instead, when the control listener is one of the two: the proxy binds it only when
 * linkerd-viz turns tap on (../../analysis/mesh/linkerd-proxy-listeners), which the manifests do not
 * show; under `viz.linkerd.io/disable-tap: "true"` it is not judged at all.
 *
 * Left out: pods Linkerd does not inject (../../util/linkerd-injection, host-network pods and the
 * webhook's excluded namespaces included), templates that already carry a proxy (the injector skips
 * them, ../../util/linkerd-existing-sidecar), Namespaces whose pods are never injected (excluded by the
 * webhook, or an invalid `linkerd.io/inject`), ports whose value the injector cannot use
 * (linkerd-port-annotation-invalid reports those), UDP or SCTP container
 * ports (no TCP listener), and a container port named as the proxy's own port on that listener's port
 * (`linkerd-admin` on the admin port, `linkerd-proxy` on the inbound one: it declares the proxy's
 * listener, no listener of the application). `skip-inbound-ports` and opaque ports change no listener.
 * A namespace's own collision is reported once, on the Namespace, not again on each pod template that
 * inherits it.
 */

/** A TCP port a container of the template declares, with where. */
interface AppPort {
  readonly port: number;
  readonly container: string;
  readonly name?: string;
  readonly path: string;
}

/**
 * The TCP ports the template's containers and native sidecars declare (`protocol` absent means TCP);
 * other init containers have exited before the proxy starts.
 */
function appPorts(template: Record<string, any>, base: string): AppPort[] {
  const spec = isPlainObject(template.spec) ? template.spec : {};
  const out: AppPort[] = [];
  const read = (field: 'containers' | 'initContainers') => (Array.isArray(spec[field]) ? spec[field] : []).forEach((c: unknown, i: number) => {
    if (!isPlainObject(c) || !Array.isArray(c.ports)) return;
    if (field === 'initContainers' && c.restartPolicy !== 'Always') return;
    c.ports.forEach((p: unknown, j: number) => {
      if (!isPlainObject(p) || typeof p.containerPort !== 'number' || (p.protocol !== undefined && p.protocol !== 'TCP')) return;
      out.push({
        port: p.containerPort,
        container: typeof c.name === 'string' ? c.name : `#${i}`,
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        path: `${base}spec.${field}[${i}].ports[${j}].containerPort`,
      });
    });
  });
  read('containers');
  read('initContainers');
  return out;
}

/** A container port that declares listener `l` itself (its container port name on its port), no application listener. */
function declaresProxyPort(l: LinkerdProxyListener, app: AppPort): boolean {
  return app.name !== undefined && app.name === l.annotation.containerPortName && app.port === l.port.port;
}

/** Warning when the proxy may not bind one of `listeners` (the control listener without tap), else error; with the condition to add. */
function judged(...listeners: LinkerdProxyListener[]): { severity: LintSeverity; hedge: string } {
  const only = listeners.find((l) => l.boundOnlyIf !== undefined)?.boundOnlyIf;
  return only === undefined ? { severity: LintSeverity.ERROR, hedge: '' } : { severity: LintSeverity.WARNING, hedge: ` (if ${only})` };
}

/** Where a listener's port comes from, in a finding's words. */
function source(l: LinkerdProxyListener, ns: string): string {
  const a = l.annotation;
  switch (l.port.from) {
    case 'pod': return `${a.key} on the pod template`;
    case 'namespace': return `${a.key} on namespace ${ns}`;
    default: return `Linkerd's default, Helm value ${a.installValue}`;
  }
}

/** `the inbound listener (port 4191, config.linkerd.io/inbound-port on the pod template)`. */
function listener(l: LinkerdProxyListener, ns: string): string {
  return `${l.annotation.what} listener (port ${l.port.port}${l.loopbackOnly ? ' on loopback' : ''}, ${source(l, ns)})`;
}

const PROXY_FAILS = 'the proxy binds each listener when it starts, fails on the second (the port is taken), exits with "Initialization failure" '
  + 'and is restarted over and over: the pods crash-loop and never become ready';

/** The fix for moving listener `l`: its default port when nothing else of the pod takes it. */
function moveFix(l: LinkerdProxyListener, taken: ReadonlySet<number>): string {
  const a = l.annotation;
  const free = taken.has(a.defaultPort) ? '' : ` (Linkerd's default ${a.defaultPort} is free here)`;
  const tap = l.boundOnlyIf !== undefined ? ', or turn tap off with viz.linkerd.io/disable-tap: "true"' : '';
  return `set ${a.key} to a port no other listener or container port of the pod uses${free}, or remove it${tap}`;
}

/** Pairs of the proxy's known listeners on one port, in listener order. */
function proxyPairs(listeners: readonly LinkerdProxyListener[]): Array<[LinkerdProxyListener, LinkerdProxyListener]> {
  const known = listeners.filter((l) => l.port.port !== undefined);
  const pairs: Array<[LinkerdProxyListener, LinkerdProxyListener]> = [];
  known.forEach((a, i) => known.slice(i + 1).forEach((b) => {
    if (a.port.port === b.port.port) pairs.push([a, b]);
  }));
  return pairs;
}

/** The listener of a pair to blame (and move): one the given origin sets, the later one when both do. */
function blamed(pair: readonly [LinkerdProxyListener, LinkerdProxyListener], from: 'pod' | 'namespace'): LinkerdProxyListener | undefined {
  return pair[1].port.from === from ? pair[1] : pair[0].port.from === from ? pair[0] : undefined;
}

/** Collisions among the proxy's own listeners that a Namespace's annotations make, for its pods without their own values. */
function onNamespace(doc: LintDocument, name: string | undefined, annotations: Record<string, unknown>,
  labels: Record<string, unknown>): RuleReport[] {
  const ns = name ?? 'this namespace';
  // No pod of it is injected: the webhook never sees it, or its linkerd.io/inject value is none the injector knows.
  if (name !== undefined && linkerdWebhookUnseen({ namespace: name, namespaceLabels: labels }) !== undefined) return [];
  if (linkerdInjection(undefined, annotations).invalid === true) return [];
  const listeners = linkerdProxyListeners(undefined, annotations);
  const taken = new Set(listeners.map((l) => l.port.port).filter((p): p is number => p !== undefined));
  return proxyPairs(listeners).flatMap((pair) => {
    const moved = blamed(pair, 'namespace');
    if (moved === undefined) return [];
    const port = pair[0].port.port;
    const { severity, hedge } = judged(...pair);
    return [{
      doc,
      severity,
      path: `metadata.annotations${jsonKey(moved.annotation.key)}`,
      message: `${moved.annotation.key}: in the pods Linkerd injects in ${name === undefined ? ns : `namespace ${ns}`} that set neither port themselves, `
        + `the proxy's ${listener(pair[0], ns)} and its ${listener(pair[1], ns)} both take port ${port}${hedge}: ${PROXY_FAILS}`,
      fix: moveFix(moved, taken),
    }];
  });
}

/**
 * Collisions in one pod template: among the proxy's listeners where the template sets one of the two
 * (the namespace's own are its finding), and of a listener with a container port.
 */
function onTemplate(doc: LintDocument, template: Record<string, any>, base: string, ns: string,
  nsAnnotations: Record<string, unknown> | undefined, hedge: string): RuleReport[] {
  const own = isObject(template.metadata) && isObject(template.metadata.annotations) ? template.metadata.annotations : {};
  const listeners = linkerdProxyListeners(own, nsAnnotations);
  const ports = appPorts(template, base);
  const taken = new Set([...listeners.map((l) => l.port.port), ...ports.map((p) => p.port)].filter((p): p is number => p !== undefined));
  const annotationPath = (l: LinkerdProxyListener) => `${base}metadata.annotations${jsonKey(l.annotation.key)}`;
  const out: RuleReport[] = [];
  for (const pair of proxyPairs(listeners)) {
    const moved = blamed(pair, 'pod');
    if (moved === undefined) continue;
    const tap = judged(...pair);
    out.push({
      doc,
      severity: tap.severity,
      path: annotationPath(moved),
      message: `${moved.annotation.key}: the injected Linkerd proxy's ${listener(pair[0], ns)} and its ${listener(pair[1], ns)} both take port `
        + `${pair[0].port.port}${hedge}${tap.hedge}: ${PROXY_FAILS}`,
      fix: moveFix(moved, taken),
    });
  }
  for (const l of listeners) {
    for (const app of ports.filter((p) => p.port === l.port.port && !declaresProxyPort(l, p))) {
      const declared = `container ${app.container} declares port ${app.port}${app.name !== undefined ? ` ('${app.name}')` : ''}`;
      const byPod = l.port.from === 'pod';
      const tap = judged(l);
      out.push({
        doc,
        severity: tap.severity,
        path: byPod ? annotationPath(l) : app.path,
        message: `${byPod ? l.annotation.key : `containerPort ${app.port}`}: the injected Linkerd proxy's ${listener(l, ns)} takes the port `
          + `${declared}, and the containers of a pod share one network namespace${hedge}${tap.hedge}: whichever binds port ${app.port} second fails `
          + '(the proxy exits with "Initialization failure" and restarts; the application cannot listen on its port), so the pods crash-loop or never serve',
        fix: byPod ? moveFix(l, taken)
          : `move the application off port ${app.port}, or set ${l.annotation.key} on the pod template to a port no container of the pod uses`
            + (l.boundOnlyIf !== undefined ? ', or turn tap off with viz.linkerd.io/disable-tap: "true"' : ''),
      });
    }
  }
  return out;
}

/** Proxy listeners of a pod Linkerd injects that share a port with another of its listeners or with a container port. */
export const linkerdProxyPortCollision: LintRule = {
  ids: ['linkerd-proxy-port-collision'],
  check(ctx: LintContext): RuleReport[] {
    if (ctx.mesh !== undefined && ctx.mesh.facts?.flavour !== 'linkerd') return [];
    const out: RuleReport[] = [];
    const namespaces = new Map<string, { annotations: Record<string, unknown>; labels: Record<string, unknown> }>();
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isNamespace(obj)) continue;
      const name = isObject(obj.metadata) && typeof obj.metadata.name === 'string' && obj.metadata.name !== '' ? obj.metadata.name : undefined;
      const annotations = isObject(obj.metadata?.annotations) ? obj.metadata.annotations : {};
      if (name !== undefined && namespaces.has(name)) continue;
      if (name !== undefined) namespaces.set(name, { annotations, labels: isObject(obj.metadata?.labels) ? obj.metadata.labels : {} });
      out.push(...onNamespace(doc, name, annotations, isObject(obj.metadata?.labels) ? obj.metadata.labels : {}));
    }
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      const template = podTemplateOf(obj);
      if (template === undefined) continue;
      const spec = isPlainObject(template.spec) ? template.spec : {};
      if (linkerdExistingSidecar(spec) !== undefined) continue;
      const ns = namespaceOf(obj);
      const namespace = namespaces.get(ns);
      const own = isObject(template.metadata) && isObject(template.metadata.annotations) ? template.metadata.annotations : {};
      const labels = isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {};
      const injection = linkerdInjection(own, namespace?.annotations, spec.hostNetwork === true,
        { namespace: ns, ...(namespace ? { namespaceLabels: namespace.labels } : {}), podLabels: labels });
      if (injection.injected === false) continue;
      // Not known whether Linkerd injects the pods: judged only when the template moves a proxy port itself (it means to be meshed).
      if (injection.injected === undefined && !linkerdProxyListeners(own, undefined).some((l) => l.port.from === 'pod')) continue;
      const hedge = injection.injected === undefined ? ` (if Linkerd injects these pods: namespace ${ns} is not in these manifests)` : '';
      const path = WORKLOAD_TEMPLATES[obj.kind].path;
      out.push(...onTemplate(doc, template, path.length > 0 ? `${path.join('.')}.` : '', ns, namespace?.annotations, hedge));
    }
    return out;
  },
};
