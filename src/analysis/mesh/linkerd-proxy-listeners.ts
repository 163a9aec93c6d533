/**
 * The listeners of the proxy Linkerd's injector adds to a pod and the port of each (internal), read
 * from the `config.linkerd.io/*-port` annotations of the pod template and of its namespace as the
 * injector reads them (./linkerd-port-override): inbound (./linkerd-inbound-port), admin
 * (./linkerd-admin-port), control and outbound.
 *
 * linkerd/linkerd2 pkg/inject/config_override.go `applyAnnotationOverrides` reads
 * `config.linkerd.io/control-port` and `config.linkerd.io/outbound-port` with the same
 * `strconv.ParseInt(value, 10, 32)` as the admin and inbound ports (pkg/k8s/labels.go names the four
 * keys; pkg/inject `ProxyAnnotations` lists all four, so a namespace's value reaches its pods too).
 * charts/partials/templates/_proxy.tpl turns them into the proxy's listen addresses:
 * `LINKERD2_PROXY_INBOUND_LISTEN_ADDR`, `_ADMIN_LISTEN_ADDR` and `_CONTROL_LISTEN_ADDR` on every address
 * of the pod (`[::]:port`, `0.0.0.0:port` with `disableIPv6`), `LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS` on
 * loopback only (`127.0.0.1:port`, and `[::1]:port`). Only inbound (`linkerd-proxy`) and admin
 * (`linkerd-admin`) are container ports of the proxy. Helm defaults (charts/linkerd-control-plane
 * values `proxy.ports`): inbound 4143, admin 4191, control 4190, outbound 4140.
 *
 * The control listener serves tap, and the proxy binds it only when tap is on: linkerd2-proxy
 * linkerd/app/src/env.rs `parse_tap_config` enables tap only with `LINKERD2_PROXY_TAP_SVC_NAME`, and
 * linkerd/app/src/tap.rs binds nothing for `Config::Disabled`. The control plane's template does not
 * set that variable; linkerd-viz's tap injector adds it (linkerd/linkerd2 viz/tap/injector/webhook.go `Mutate`), except on
 * pods whose own or namespace's annotation `viz.linkerd.io/disable-tap` Go's `strconv.ParseBool` reads
 * as true (viz/pkg/labels `IsTapDisabled`). So the control listener is left out under that annotation,
 * and otherwise carries the condition (`boundOnlyIf`): the manifests do not show whether linkerd-viz is installed.
 */
import { LINKERD_ADMIN_PORT_OVERRIDE, linkerdAdminPort } from './linkerd-admin-port';
import { LINKERD_INBOUND_PORT_OVERRIDE, linkerdInboundPort } from './linkerd-inbound-port';
import { LinkerdPortAnnotation, linkerdPortOverride, LinkerdProxyPort } from './linkerd-port-override';
import { goParseBool } from '../../util/go-strconv';

/** How the injector reads `config.linkerd.io/control-port` (the proxy's control/tap listener). */
export const LINKERD_CONTROL_PORT_OVERRIDE: LinkerdPortAnnotation = {
  key: 'config.linkerd.io/control-port',
  defaultPort: 4190,
  what: 'control',
  installValue: 'proxy.ports.control',
};

/** How the injector reads `config.linkerd.io/outbound-port` (the proxy's loopback listener for the pod's own outbound connections). */
export const LINKERD_OUTBOUND_PORT_OVERRIDE: LinkerdPortAnnotation = {
  key: 'config.linkerd.io/outbound-port',
  defaultPort: 4140,
  what: 'outbound',
  installValue: 'proxy.ports.outbound',
};

/** One listener of the injected proxy. */
export interface LinkerdProxyListener {
  /** The annotation that moves it. */
  readonly annotation: LinkerdPortAnnotation;
  /** Its port as the injector makes it (`port` undefined when not known, e.g. a value no port can be). */
  readonly port: LinkerdProxyPort;
  /** True when it listens on loopback only (outbound); false: on every address of the pod. */
  readonly loopbackOnly: boolean;
  /**
   * When the proxy binds it at all, in a finding's words, if not always (the control listener: only when linkerd-viz enables tap).
   * @default - always bound
   */
  readonly boundOnlyIf?: string;
}

/** The annotation with which linkerd-viz's tap injector leaves a pod's tap off (pod or namespace). */
export const LINKERD_VIZ_DISABLE_TAP_ANNOTATION = 'viz.linkerd.io/disable-tap';

/** When the proxy binds its control listener, in a finding's words (it carries no other listener). */
export const LINKERD_CONTROL_BOUND_ONLY_IF = 'linkerd-viz\'s tap injector enables tap on these pods (the proxy binds its control listener only for tap: not without linkerd-viz, '
  + `nor with ${LINKERD_VIZ_DISABLE_TAP_ANNOTATION}: "true" on the pod template or its namespace)`;

/**
 * True when linkerd-viz's tap injector leaves tap off for a pod whose template has the annotations
 * `pod` in a namespace with the annotations `namespace`: `viz.linkerd.io/disable-tap` on either that
 * Go's `strconv.ParseBool` reads as true (viz/pkg/labels `IsTapDisabled`). Then the proxy binds no
 * control listener. False does not mean tap is on: that needs linkerd-viz, which manifests do not show.
 */
export function linkerdTapDisabled(pod: Readonly<Record<string, unknown>> | undefined,
  namespace: Readonly<Record<string, unknown>> | undefined): boolean {
  return [pod, namespace].some((a) => goParseBool(a?.[LINKERD_VIZ_DISABLE_TAP_ANNOTATION]) === true);
}

/**
 * The injected proxy's listeners, inbound, admin, control and outbound in that order, of a pod whose
 * template has the annotations `pod` in a namespace with the annotations `namespace` (undefined: none
 * known, as for a namespace the manifests do not show); without control when either turns tap off.
 */
export function linkerdProxyListeners(pod: Readonly<Record<string, unknown>> | undefined,
  namespace: Readonly<Record<string, unknown>> | undefined): LinkerdProxyListener[] {
  const read = (a: LinkerdPortAnnotation) => [pod?.[a.key], namespace?.[a.key]] as const;
  const inbound = linkerdInboundPort(...read(LINKERD_INBOUND_PORT_OVERRIDE));
  const admin = linkerdAdminPort(...read(LINKERD_ADMIN_PORT_OVERRIDE));
  const control = linkerdPortOverride(LINKERD_CONTROL_PORT_OVERRIDE, ...read(LINKERD_CONTROL_PORT_OVERRIDE));
  const outbound = linkerdPortOverride(LINKERD_OUTBOUND_PORT_OVERRIDE, ...read(LINKERD_OUTBOUND_PORT_OVERRIDE));
  const tapOff = linkerdTapDisabled(pod, namespace);
  const bound = LINKERD_CONTROL_BOUND_ONLY_IF;
  return [
    { annotation: LINKERD_INBOUND_PORT_OVERRIDE, port: inbound, loopbackOnly: false },
    { annotation: LINKERD_ADMIN_PORT_OVERRIDE, port: admin, loopbackOnly: false },
    ...(tapOff ? [] : [{ annotation: LINKERD_CONTROL_PORT_OVERRIDE, port: control, loopbackOnly: false, boundOnlyIf: bound }]),
    { annotation: LINKERD_OUTBOUND_PORT_OVERRIDE, port: outbound, loopbackOnly: true },
  ];
}
