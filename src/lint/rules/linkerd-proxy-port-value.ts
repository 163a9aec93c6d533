import { LinkerdPortAnnotation, linkerdPortOverride, parseInt32 } from '../../analysis/mesh/linkerd-port-override';
import { LINKERD_CONTROL_BOUND_ONLY_IF, LINKERD_CONTROL_PORT_OVERRIDE, LINKERD_OUTBOUND_PORT_OVERRIDE, linkerdTapDisabled } from '../../analysis/mesh/linkerd-proxy-listeners';
import { linkerdExistingSidecar } from '../../util/linkerd-existing-sidecar';
import { linkerdInjection } from '../../util/linkerd-injection';
import { isObject, jsonKey, LintDocument } from '../document';
import { RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * Proxy port annotation values Linkerd's proxy injector cannot use, on a Namespace or a pod template
 * (part of linkerd-port-annotation-invalid), for each port annotation the injector reads alike:
 * `config.linkerd.io/admin-port`, `inbound-port`, `control-port` and `outbound-port`
 * (../../analysis/mesh/linkerd-admin-port, linkerd-inbound-port, linkerd-proxy-listeners: the same
 * readers the analyzer and linkerd-proxy-port-collision use, so all agree on which value is valid).
 * linkerd/linkerd2 pkg/inject/config_override.go `applyAnnotationOverrides` parses each value with
 * Go's `strconv.ParseInt(value, 10, 32)`:
 *
 * - a value it refuses (a name, a space around the number, a number beyond 32 bits) leaves the
 *   install's port (`proxy.ports.admin` 4191, `inbound` 4143, `control` 4190, `outbound` 4140 by
 *   default) without an error: a warning, the port the value meant is lost. The pod template's own
 *   value wins over the namespace's even then (`AppendNamespaceAnnotations` copies the namespace's
 *   only to pods without the key).
 * - a number it accepts is used as it is. Admin and inbound are also container ports of the proxy
 *   (`linkerd-admin`, `linkerd-proxy`: charts/partials/templates/_proxy.tpl), so 0, a negative number
 *   or one above 65535 gives a pod the API server refuses (a container port is 1-65535): an error,
 *   such pods are never created (the analyzer says indeterminate for them, ../../analysis/mesh/linkerd-port-override).
 * - control and outbound are no container ports, so the API server creates those pods; the number
 *   only goes into the proxy's listen addresses (_proxy.tpl: `LINKERD2_PROXY_CONTROL_LISTEN_ADDR`
 *   `[::]:port`, `LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS` `127.0.0.1:port,[::1]:port`). A negative
 *   number or one above 65535 makes no socket address: linkerd2-proxy linkerd/app/src/env.rs
 *   `parse_socket_addr` refuses it, `parse_config` fails and linkerd2-proxy/src/main.rs exits with
 *   "Invalid configuration" (exit code 64), so the proxy is restarted over and over: an error, also for
 *   the control port with tap off (`parse_tap_config` reads the control address before it looks at
 *   tap). Port 0 is a socket address, and the proxy binds a port the kernel picks: for outbound, an
 *   error, as linkerd-init is told to redirect the pod's outbound TCP to port 0 (charts/partials
 *   `_proxy-init.tpl` `--outgoing-proxy-port`; linkerd2-proxy-init `util.IsValidPort` accepts 0), where
 *   the proxy does not listen; for control, a warning, tap then has no fixed port.
 *
 * The control listener exists only when linkerd-viz enables tap (../../analysis/mesh/linkerd-proxy-listeners):
 * its warnings say so, and under `viz.linkerd.io/disable-tap: "true"` only a value the proxy refuses is reported.
 * An empty value is read as nothing set, except beside a namespace value, where which of the two the
 * injector takes is not pinned (../../analysis/mesh/linkerd-port-override). Pod templates that
 * already carry a proxy are left alone: the injector skips them (../../util/linkerd-existing-sidecar).
 */

/** Whom a value reaches, in a finding's words. */
interface Reach {
  /** The pods that take the value: `the pods Linkerd injects`. */
  readonly pods: string;
  /** Ends the message of a value the injector does not read. */
  readonly lost: string;
  /** True when tap is off for these pods (`viz.linkerd.io/disable-tap`): no control listener. */
  readonly tapOff: boolean;
}

/** The proxy's listen address variable of each listener that is no container port (_proxy.tpl, IPv6 on: the install default). */
const LISTEN_ADDRESS: Readonly<Record<string, (port: number) => string>> = {
  [LINKERD_CONTROL_PORT_OVERRIDE.key]: (p) => `LINKERD2_PROXY_CONTROL_LISTEN_ADDR "[::]:${p}"`,
  [LINKERD_OUTBOUND_PORT_OVERRIDE.key]: (p) => `LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS "127.0.0.1:${p},[::1]:${p}"`,
};

const TAP_OFF_FIX = ', or turn tap off with viz.linkerd.io/disable-tap: "true"';

/** The finding for a number ParseInt accepts that is no port (1-65535), for a listener no container port carries. */
function listenerOnly(a: LinkerdPortAnnotation, doc: LintDocument, path: string, value: string, n: number, reach: Reach): RuleReport | undefined {
  const control = a.key === LINKERD_CONTROL_PORT_OVERRIDE.key;
  const address = LISTEN_ADDRESS[a.key](n);
  const fix = `set a port 1-65535 that no other listener or container port of the pods uses (Linkerd's default is ${a.defaultPort}), or remove the annotation`;
  if (n < 0 || n > 65535) {
    const before = control ? ', even with tap off'
      : ` (without linkerd-cni, the linkerd-init container fails before it: --outgoing-proxy-port ${n} is no port to it)`;
    return {
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${a.key}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it (Go strconv.ParseInt) as ${n} and writes it into the `
        + `injected proxy's ${a.what} listen address (${address}); no container port carries it, so the API server creates the pods, but the proxy `
        + `refuses that address when it starts (no socket address: a port is 0-65535) and exits with "Invalid configuration"${before}: ${reach.pods} `
        + 'restart the proxy over and over and never become ready',
      fix,
    };
  }
  // n is 0: a socket address on which the proxy binds a port the kernel picks.
  if (!control) {
    return {
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${a.key}: '${value}' is no port (1-65535), yet Linkerd's proxy injector takes it: the injected proxy binds its outbound listener on `
        + `a port the kernel picks (${address}), while linkerd-init is told to redirect the pods' outbound TCP to port 0 (--outgoing-proxy-port 0, `
        + `which it accepts): the outbound connections of ${reach.pods} do not reach the proxy`,
      fix,
    };
  }
  if (reach.tapOff) return undefined;
  return {
    doc,
    severity: LintSeverity.WARNING,
    path,
    message: `${a.key}: '${value}' is no port (1-65535), yet Linkerd's proxy injector takes it: the injected proxy binds its control (tap) listener on `
      + `a port the kernel picks at each start (${address}) (if ${LINKERD_CONTROL_BOUND_ONLY_IF}): tap has no fixed port on ${reach.pods}`,
    fix: `${fix}${TAP_OFF_FIX}`,
  };
}

/** The finding for one value of annotation `a` reaching `reach`. */
function judge(a: LinkerdPortAnnotation, doc: LintDocument, path: string, value: string, reach: Reach): RuleReport | undefined {
  const n = parseInt32(value);
  if (n !== undefined && n >= 1 && n <= 65535) return undefined;
  if (n !== undefined && a.containerPortName === undefined) return listenerOnly(a, doc, path, value, n, reach);
  if (n !== undefined) {
    return {
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${a.key}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it (Go strconv.ParseInt) as ${n} and makes that the `
        + `injected proxy's ${a.what} listener and its ${a.containerPortName} container port, which the API server refuses (a container port is 1-65535): `
        + `${reach.pods} are never created`,
      fix: `set a port 1-65535 that no container of the pods uses (Linkerd's default is ${a.defaultPort}), or remove the annotation`,
    };
  }
  if (value === '') return undefined;
  const control = a.key === LINKERD_CONTROL_PORT_OVERRIDE.key;
  // Without tap the proxy binds no control listener: the lost port changes nothing that listens.
  if (control && reach.tapOff) return undefined;
  const trimmed = parseInt32(value.trim());
  const example = trimmed !== undefined && trimmed >= 1 && trimmed <= 65535 ? `e.g. "${trimmed}"` : '1-65535';
  return {
    doc,
    severity: LintSeverity.WARNING,
    path,
    message: `${a.key}: '${value}' is no number Linkerd's proxy injector reads (Go strconv.ParseInt: base-10 digits with an optional sign, no spaces, `
      + `within 32 bits), so it keeps the install's ${a.what} port (${a.installValue}, ${a.defaultPort} by default) without an error: the port this `
      + `value meant is lost${control ? ` (if ${LINKERD_CONTROL_BOUND_ONLY_IF})` : ''}${reach.lost}`,
    fix: `write the port as digits only (${example}), or remove the annotation${control ? TAP_OFF_FIX : ''}`,
  };
}

/** A Namespace's value of annotation `a`, which the injector copies onto its pods without one. */
export function proxyPortOnNamespace(a: LinkerdPortAnnotation, doc: LintDocument, name: string | undefined): RuleReport | undefined {
  const annotations = isObject(doc.obj.metadata?.annotations) ? doc.obj.metadata.annotations : undefined;
  const value = annotations?.[a.key];
  if (typeof value !== 'string') return undefined;
  const ns = name === undefined ? 'this namespace' : `namespace ${name}`;
  return judge(a, doc, `metadata.annotations${jsonKey(a.key)}`, value, {
    pods: `the pods of ${ns} that Linkerd injects and that set no ${a.what} port of their own`,
    lost: ` for the pods of ${ns} that set no ${a.what} port of their own`,
    tapOff: linkerdTapDisabled(undefined, annotations),
  });
}

/**
 * A pod template's own value of annotation `a` (at `base`, its annotations' path); `namespace`: the
 * annotations of its Namespace, undefined when the manifests do not show it. Pods Linkerd surely
 * does not inject are left alone, the value does nothing there (../../util/linkerd-injection:
 * `linkerd.io/inject` of the template and of a shown namespace, or a host-network pod; and a template
 * that already carries a proxy, ../../util/linkerd-existing-sidecar).
 */
export function proxyPortOnPodTemplate(a: LinkerdPortAnnotation, doc: LintDocument, base: string, template: Record<string, unknown>,
  ns: string, namespace: Record<string, unknown> | undefined): RuleReport | undefined {
  const metadata = template.metadata;
  const own = isObject(metadata) && isObject(metadata.annotations) ? metadata.annotations : {};
  const value = own[a.key];
  if (typeof value !== 'string') return undefined;
  if (linkerdInjection(own, namespace, isObject(template.spec) && template.spec.hostNetwork === true).injected === false) return undefined;
  // The injector reports "pod has a sidecar injected already" and leaves the pod as it is: no value of it is read.
  if (linkerdExistingSidecar(template.spec) !== undefined) return undefined;
  const path = `${base}${jsonKey(a.key)}`;
  const nsValue = namespace?.[a.key];
  const tapOff = linkerdTapDisabled(own, namespace);
  if (linkerdPortOverride(a, value, nsValue).unknown !== undefined && value === '') {
    if (a.key === LINKERD_CONTROL_PORT_OVERRIDE.key && tapOff) return undefined;
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
    pods: 'the pods Linkerd injects',
    lost: typeof nsValue === 'string' && nsValue !== ''
      ? `; namespace ${ns}'s value ('${nsValue}') does not apply either: the pod template's own value wins` : '',
    tapOff,
  });
}
