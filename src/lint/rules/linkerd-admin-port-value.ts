import { linkerdAdminPort, parseInt32 } from '../../analysis/mesh/linkerd-admin-port';
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION } from '../../analysis/mesh/linkerd-probes';
import { linkerdInjection } from '../../util/linkerd-injection';
import { isObject, jsonKey, LintDocument } from '../document';
import { RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * `config.linkerd.io/admin-port` values Linkerd's proxy injector cannot use, on a Namespace or a pod
 * template (part of linkerd-port-annotation-invalid). linkerd/linkerd2 pkg/inject/config_override.go
 * `applyAnnotationOverrides` parses the value with Go's `strconv.ParseInt(value, 10, 32)`:
 *
 * - a number it accepts becomes the proxy's admin listener and its `linkerd-admin` container port as
 *   it is, so 0, a negative number or one above 65535 gives a pod the API server refuses (a container
 *   port is 1-65535): an error, as such pods are never created (the analyzer says indeterminate for
 *   them, ../../analysis/mesh/linkerd-admin-port);
 * - a value it refuses (a name, a space around the number, a number beyond 32 bits) leaves the
 *   install's `proxy.ports.admin` (4191 by default) without an error: a warning, the port the value
 *   meant is lost. The pod template's own value wins over the namespace's even then
 *   (`AppendNamespaceAnnotations` copies the namespace's only to pods without the key).
 *
 * An empty value is read as nothing set, except beside a namespace value, where which of the two the
 * injector takes is not pinned (../../analysis/mesh/linkerd-admin-port).
 */
const KEY = LINKERD_ADMIN_PORT_ANNOTATION;

/** Whom a value reaches, in a finding's words. */
interface Reach {
  /** Completes `...: <refused> never created`. */
  readonly refused: string;
  /** Ends the message of a value the injector does not read. */
  readonly lost: string;
}

/** The finding for one value reaching `reach`. */
function judge(doc: LintDocument, path: string, value: string, reach: Reach): RuleReport | undefined {
  const n = parseInt32(value);
  if (n !== undefined && n >= 1 && n <= 65535) return undefined;
  if (n !== undefined) {
    return {
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${KEY}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it (Go strconv.ParseInt) as ${n} and makes that the `
        + `injected proxy's admin listener and its linkerd-admin container port, which the API server refuses (a container port is 1-65535): ${reach.refused} never created`,
      fix: `set a port 1-65535 that no container of the pods uses (Linkerd's default is ${LINKERD_ADMIN_PORT}), or remove the annotation`,
    };
  }
  if (value === '') return undefined;
  const trimmed = parseInt32(value.trim());
  const example = trimmed !== undefined && trimmed >= 1 && trimmed <= 65535 ? `e.g. "${trimmed}"` : '1-65535';
  return {
    doc,
    severity: LintSeverity.WARNING,
    path,
    message: `${KEY}: '${value}' is no number Linkerd's proxy injector reads (Go strconv.ParseInt: base-10 digits with an optional sign, no spaces, `
      + `within 32 bits), so it keeps the install's admin port (proxy.ports.admin, ${LINKERD_ADMIN_PORT} by default) without an error: the port this `
      + `value meant is lost${reach.lost}`,
    fix: `write the port as digits only (${example}), or remove the annotation`,
  };
}

/** A Namespace's `config.linkerd.io/admin-port`, which the injector copies onto its pods without one. */
export function adminPortOnNamespace(doc: LintDocument, name: string | undefined): RuleReport | undefined {
  const value = isObject(doc.obj.metadata?.annotations) ? doc.obj.metadata.annotations[KEY] : undefined;
  if (typeof value !== 'string') return undefined;
  const ns = name === undefined ? 'this namespace' : `namespace ${name}`;
  return judge(doc, `metadata.annotations${jsonKey(KEY)}`, value, {
    refused: `the pods of ${ns} that Linkerd injects and that set no admin port of their own are`,
    lost: ` for the pods of ${ns} that set no admin port of their own`,
  });
}

/**
 * A pod template's own `config.linkerd.io/admin-port` (at `base`, its annotations' path); `namespace`:
 * the annotations of its Namespace, undefined when the manifests do not show it. Pods Linkerd surely
 * does not inject are left alone, the value does nothing there (../../util/linkerd-injection:
 * `linkerd.io/inject` of the template and of a shown namespace, or a host-network pod).
 */
export function adminPortOnPodTemplate(doc: LintDocument, base: string, template: Record<string, unknown>, ns: string,
  namespace: Record<string, unknown> | undefined): RuleReport | undefined {
  const metadata = template.metadata;
  const own = isObject(metadata) && isObject(metadata.annotations) ? metadata.annotations : {};
  const value = own[KEY];
  if (typeof value !== 'string') return undefined;
  if (linkerdInjection(own, namespace, isObject(template.spec) && template.spec.hostNetwork === true).injected === false) return undefined;
  const path = `${base}${jsonKey(KEY)}`;
  const nsValue = namespace?.[KEY];
  if (linkerdAdminPort(value, nsValue).unknown !== undefined && value === '') {
    return {
      doc,
      severity: LintSeverity.WARNING,
      path,
      message: `${KEY} is empty on the pod template and '${nsValue}' on namespace ${ns}: whether Linkerd's proxy injector takes the namespace's value `
        + `or keeps its default admin port ${LINKERD_ADMIN_PORT} is not known`,
      fix: 'write the admin port these pods should have on the pod template, or remove the empty annotation',
    };
  }
  return judge(doc, path, value, {
    refused: 'the pods Linkerd injects are',
    lost: typeof nsValue === 'string' && nsValue !== ''
      ? `; namespace ${ns}'s value ('${nsValue}') does not apply either: the pod template's own value wins` : '',
  });
}
