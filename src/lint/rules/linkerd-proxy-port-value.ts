import { LinkerdContainerPortAnnotation, linkerdPortOverride, parseInt32 } from '../../analysis/mesh/linkerd-port-override';
import { linkerdInjection } from '../../util/linkerd-injection';
import { isObject, jsonKey, LintDocument } from '../document';
import { RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * Proxy port annotation values Linkerd's proxy injector cannot use, on a Namespace or a pod template
 * (part of linkerd-port-annotation-invalid), for each port annotation the injector reads alike:
 * `config.linkerd.io/admin-port` and `config.linkerd.io/inbound-port`
 * (../../analysis/mesh/linkerd-admin-port, ../../analysis/mesh/linkerd-inbound-port: the same
 * reader the analyzer uses, so the two agree on which value is valid). linkerd/linkerd2
 * pkg/inject/config_override.go `applyAnnotationOverrides` parses each value with Go's
 * `strconv.ParseInt(value, 10, 32)`:
 *
 * - a number it accepts becomes the proxy's listener and its container port (`linkerd-admin`,
 *   `linkerd-proxy`: charts/partials/templates/_proxy.tpl) as it is, so 0, a negative number or one
 *   above 65535 gives a pod the API server refuses (a container port is 1-65535): an error, as such
 *   pods are never created (the analyzer says indeterminate for them, ../../analysis/mesh/linkerd-port-override);
 * - a value it refuses (a name, a space around the number, a number beyond 32 bits) leaves the
 *   install's port (`proxy.ports.admin` 4191, `proxy.ports.inbound` 4143 by default) without an
 *   error: a warning, the port the value meant is lost. The pod template's own value wins over the
 *   namespace's even then (`AppendNamespaceAnnotations` copies the namespace's only to pods without the key).
 *
 * An empty value is read as nothing set, except beside a namespace value, where which of the two the
 * injector takes is not pinned (../../analysis/mesh/linkerd-port-override).
 */

/** Whom a value reaches, in a finding's words. */
interface Reach {
  /** Completes `...: <refused> never created`. */
  readonly refused: string;
  /** Ends the message of a value the injector does not read. */
  readonly lost: string;
}

/** The finding for one value of annotation `a` reaching `reach`. */
function judge(a: LinkerdContainerPortAnnotation, doc: LintDocument, path: string, value: string, reach: Reach): RuleReport | undefined {
  const n = parseInt32(value);
  if (n !== undefined && n >= 1 && n <= 65535) return undefined;
  if (n !== undefined) {
    return {
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${a.key}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it (Go strconv.ParseInt) as ${n} and makes that the `
        + `injected proxy's ${a.what} listener and its ${a.containerPortName} container port, which the API server refuses (a container port is 1-65535): `
        + `${reach.refused} never created`,
      fix: `set a port 1-65535 that no container of the pods uses (Linkerd's default is ${a.defaultPort}), or remove the annotation`,
    };
  }
  if (value === '') return undefined;
  const trimmed = parseInt32(value.trim());
  const example = trimmed !== undefined && trimmed >= 1 && trimmed <= 65535 ? `e.g. "${trimmed}"` : '1-65535';
  return {
    doc,
    severity: LintSeverity.WARNING,
    path,
    message: `${a.key}: '${value}' is no number Linkerd's proxy injector reads (Go strconv.ParseInt: base-10 digits with an optional sign, no spaces, `
      + `within 32 bits), so it keeps the install's ${a.what} port (${a.installValue}, ${a.defaultPort} by default) without an error: the port this `
      + `value meant is lost${reach.lost}`,
    fix: `write the port as digits only (${example}), or remove the annotation`,
  };
}

/** A Namespace's value of annotation `a`, which the injector copies onto its pods without one. */
export function proxyPortOnNamespace(a: LinkerdContainerPortAnnotation, doc: LintDocument, name: string | undefined): RuleReport | undefined {
  const value = isObject(doc.obj.metadata?.annotations) ? doc.obj.metadata.annotations[a.key] : undefined;
  if (typeof value !== 'string') return undefined;
  const ns = name === undefined ? 'this namespace' : `namespace ${name}`;
  return judge(a, doc, `metadata.annotations${jsonKey(a.key)}`, value, {
    refused: `the pods of ${ns} that Linkerd injects and that set no ${a.what} port of their own are`,
    lost: ` for the pods of ${ns} that set no ${a.what} port of their own`,
  });
}

/**
 * A pod template's own value of annotation `a` (at `base`, its annotations' path); `namespace`: the
 * annotations of its Namespace, undefined when the manifests do not show it. Pods Linkerd surely
 * does not inject are left alone, the value does nothing there (../../util/linkerd-injection:
 * `linkerd.io/inject` of the template and of a shown namespace, or a host-network pod).
 */
export function proxyPortOnPodTemplate(a: LinkerdContainerPortAnnotation, doc: LintDocument, base: string, template: Record<string, unknown>,
  ns: string, namespace: Record<string, unknown> | undefined): RuleReport | undefined {
  const metadata = template.metadata;
  const own = isObject(metadata) && isObject(metadata.annotations) ? metadata.annotations : {};
  const value = own[a.key];
  if (typeof value !== 'string') return undefined;
  if (linkerdInjection(own, namespace, isObject(template.spec) && template.spec.hostNetwork === true).injected === false) return undefined;
  const path = `${base}${jsonKey(a.key)}`;
  const nsValue = namespace?.[a.key];
  if (linkerdPortOverride(a, value, nsValue).unknown !== undefined && value === '') {
    return {
      doc,
      severity: LintSeverity.WARNING,
      path,
      message: `${a.key} is empty on the pod template and '${nsValue}' on namespace ${ns}: whether Linkerd's proxy injector takes the namespace's value `
        + `or keeps its default ${a.what} port ${a.defaultPort} is not known`,
      fix: `write the ${a.what} port these pods should have on the pod template, or remove the empty annotation`,
    };
  }
  return judge(a, doc, path, value, {
    refused: 'the pods Linkerd injects are',
    lost: typeof nsValue === 'string' && nsValue !== ''
      ? `; namespace ${ns}'s value ('${nsValue}') does not apply either: the pod template's own value wins` : '',
  });
}
