import { LINKERD_ADMIN_PORT_OVERRIDE } from '../../analysis/mesh/linkerd-admin-port';
import { LINKERD_INBOUND_PORT_OVERRIDE } from '../../analysis/mesh/linkerd-inbound-port';
import { parseLinkerdPorts } from '../../analysis/mesh/linkerd-ports';
import { LINKERD_CONTROL_PORT_OVERRIDE, LINKERD_OUTBOUND_PORT_OVERRIDE } from '../../analysis/mesh/linkerd-proxy-listeners';
import { namedContainerPorts } from '../../util/container-ports';
import { isNamespace, podTemplateOf, WORKLOAD_TEMPLATES } from '../../util/vocabulary';
import { isObject, jsonKey, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { proxyPortOnNamespace, proxyPortOnPodTemplate } from './linkerd-proxy-port-value';

/**
 * The Linkerd port-list annotations linkerd2's policy controller reads all or nothing: the pod
 * settings (policy-controller k8s index `inbound/pod.rs`, `Settings::from_metadata`) read both with
 * `ports_annotation`, which logs "Invalid ports list" and takes the empty set when `parse_portset`
 * (`ports.rs`) refuses any entry. `default_inbound_server` then makes a port opaque, or narrows the
 * default policy to authenticated clients, only for ports in these sets. The proxy injector copies a
 * namespace's annotation, verbatim, onto the pods that lack it (controller/proxy-injector webhook.go,
 * `AppendNamespaceAnnotations`) and does not rewrite a pod's own. The injector itself reads
 * opaque-ports leniently (pkg/inject config_override.go `ParseOpaqueOverrides`, pkg/util
 * `ParseContainerOpaquePorts`): an entry equal to a port name of a container or, since
 * linkerd/linkerd2#14767, of a native sidecar becomes that port, an invalid entry is skipped; the
 * policy controller resolves no names. The detection timeout (10 s by default): linkerd.io "TCP
 * Proxying and Protocol Detection".
 *
 * Left out on purpose: `skip-inbound-ports` / `skip-outbound-ports` are handed to proxy-init as given
 * (config_override.go) and read by the destination controller with `util.ParsePorts` (an invalid entry
 * skipped, the rest kept); neither goes through `parse_portset`.
 */
const OPAQUE_PORTS = 'config.linkerd.io/opaque-ports';

/** The proxy port annotations the injector reads with strconv.ParseInt (./linkerd-proxy-port-value). */
const PROXY_PORTS = [LINKERD_ADMIN_PORT_OVERRIDE, LINKERD_INBOUND_PORT_OVERRIDE, LINKERD_CONTROL_PORT_OVERRIDE, LINKERD_OUTBOUND_PORT_OVERRIDE];

const EFFECTS: Readonly<Record<string, (lost: string) => string>> = {
  'config.linkerd.io/opaque-ports': (lost) => `no port of these pods is opaque by it${lost}: the proxy runs protocol detection on every port no Server `
    + 'describes (a server-speaks-first protocol such as MySQL stalls until the detection timeout, 10 seconds by default)',
  'config.linkerd.io/proxy-require-identity-inbound-ports': (lost) => `no port of these pods requires client identity by it${lost}: `
    + 'on every port no Server describes, the default inbound policy is not narrowed to authenticated clients (an *-unauthenticated one still admits unmeshed clients)',
};

/**
 * The container port named `name` on the template's pods as the proxy injector resolves an opaque-ports entry (pkg/util `isNamed`:
 * exact name, any protocol): the containers' ports, then the native sidecars' (init containers with `restartPolicy: Always`, counted
 * since linkerd/linkerd2#14767, "ports exposed in native sidecar containers"). A plain init container's port is not read: that the
 * injector skips it too is read from the PR's wording, not confirmed in its source.
 */
function namedPort(template: Record<string, any> | undefined, name: string): number | undefined {
  return namedContainerPorts(template).find((p) => !p.init && p.name === name)?.port;
}

/** Report each port-list annotation of `annotations` (at `base`) that parse_portset refuses; `template` resolves names as the injector does. */
function check(doc: LintDocument, annotations: unknown, base: string, who: string, template: Record<string, any> | undefined,
  out: RuleReport[]): void {
  if (!isObject(annotations)) return;
  for (const [key, effect] of Object.entries(EFFECTS)) {
    const text = annotations[key];
    if (typeof text !== 'string') continue;
    let error: string | undefined;
    try {
      parseLinkerdPorts(text);
    } catch (e) {
      error = (e as Error).message;
    }
    if (error === undefined) continue;
    // Entry by entry: the ports the list meant (lost with it), and a list Linkerd reads.
    const readable: string[] = [];
    const keep: string[] = [];
    const named: Array<{ readonly entry: string; readonly port: number }> = [];
    for (const entry of text.split(',')) {
      if (entry.trim() === '') continue;
      let ok = true;
      try {
        parseLinkerdPorts(entry);
      } catch {
        ok = false;
      }
      if (ok) {
        readable.push(entry.trim());
        if (!keep.includes(entry.trim())) keep.push(entry.trim());
        continue;
      }
      // A range written backwards (`90-80`) meant the same ports: suggested the right way round.
      const backwards = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(entry);
      if (backwards && Number(backwards[2]) >= 1 && Number(backwards[1]) <= 65535 && Number(backwards[2]) < Number(backwards[1])) {
        const range = `${Number(backwards[2])}-${Number(backwards[1])}`;
        if (!keep.includes(range)) keep.push(range);
        continue;
      }
      const port = namedPort(template, entry.trim());
      if (port !== undefined && port >= 1 && port <= 65535) {
        named.push({ entry: entry.trim(), port });
        if (!keep.includes(String(port))) keep.push(String(port));
      }
    }
    const lost = readable.length > 0 ? `, not even ${readable.join(', ')}` : '';
    // Only opaque-ports goes through the injector's name resolution (pkg/inject ParseContainerOpaquePorts);
    // proxy-require-identity-inbound-ports is copied as given (config_override.go), so no reader resolves a name there.
    const injector = named.length === 0 ? ''
      : key === OPAQUE_PORTS
        ? `; Linkerd's proxy injector resolves container port names such as ${named.map((n) => `'${n.entry}' (container port ${n.port})`).join(', ')} `
          + 'when it reads the annotation, the policy controller does not'
        : '; neither Linkerd\'s proxy injector nor its policy controller resolves container port names in this annotation '
          + `(${named.map((n) => `'${n.entry}' is container port ${n.port}`).join(', ')})`;
    out.push({
      doc,
      severity: LintSeverity.WARNING,
      path: `${base}${jsonKey(key)}`,
      message: `${key}: ${error}, and Linkerd's policy controller reads a list with any invalid entry as no port at all (it ignores the whole `
        + `annotation${who}): ${effect(lost)}${injector}`,
      fix: `write only port numbers and increasing ranges a-b of ports 1-65535, comma-separated${keep.length > 0 ? ` (e.g. "${keep.join(',')}")` : ''}`,
    });
  }
}

/**
 * `config.linkerd.io/opaque-ports` and `proxy-require-identity-inbound-ports` on a Namespace or a
 * workload's pod template that Linkerd's policy controller refuses, and so reads as no port; and
 * `config.linkerd.io/admin-port`, `inbound-port`, `control-port` and `outbound-port` values the proxy
 * injector cannot use, or the proxy refuses (./linkerd-proxy-port-value).
 */
export const linkerdPortAnnotation: LintRule = {
  ids: ['linkerd-port-annotation-invalid'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    // The first Namespace of each name: its annotations, which the injector copies onto pods without them.
    const namespaces = new Map<string, Record<string, unknown>>();
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isNamespace(obj) || typeof obj.metadata?.name !== 'string' || namespaces.has(obj.metadata.name)) continue;
      namespaces.set(obj.metadata.name, isObject(obj.metadata.annotations) ? obj.metadata.annotations : {});
    }
    const push = (report: RuleReport | undefined) => (report ? out.push(report) : undefined);
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (isNamespace(obj)) {
        const given = isObject(obj.metadata) && typeof obj.metadata.name === 'string' && obj.metadata.name !== '' ? obj.metadata.name : undefined;
        const name = given !== undefined ? `namespace ${given}` : 'this namespace';
        check(doc, obj.metadata?.annotations, 'metadata.annotations', `, which the proxy injector copies onto the pods of ${name} that set none`,
          undefined, out);
        for (const a of PROXY_PORTS) push(proxyPortOnNamespace(a, doc, given));
        continue;
      }
      const template = podTemplateOf(obj);
      if (template === undefined) continue;
      const base = [...WORKLOAD_TEMPLATES[obj.kind].path, 'metadata', 'annotations'].join('.');
      const annotations = isObject(template.metadata) ? template.metadata.annotations : undefined;
      check(doc, annotations, base, '', template, out);
      const ns = namespaceOf(obj);
      for (const a of PROXY_PORTS) push(proxyPortOnPodTemplate(a, doc, base, template, ns, namespaces.get(ns)));
    }
    return out;
  },
};
