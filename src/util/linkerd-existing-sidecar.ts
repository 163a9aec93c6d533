/**
 * Whether Linkerd's proxy injector skips a pod because it already carries a proxy (internal): the
 * injector's report flags "pod has a sidecar injected already" (linkerd/linkerd2 pkg/inject/report.go
 * `Injectable`, reason `sidecar_already_exists`) when pkg/healthcheck/sidecar.go `HasExistingSidecars`
 * finds, among the containers, one named `linkerd-proxy` or `istio-proxy` or with an image starting
 * `cr.l5d.io/linkerd/proxy:` or `gcr.io/istio-release/proxyv2:`, or among the init containers one
 * named `linkerd-init` or `istio-init` or with an image starting `cr.l5d.io/linkerd/proxy-init:` or
 * `gcr.io/istio-release/proxy_init:`.
 *
 * Also read as carrying a proxy: an init container named `linkerd-proxy`, the proxy as a native
 * sidecar (`linkerd inject --manual` with `config.alpha.linkerd.io/proxy-enable-native-sidecar`).
 * `HasExistingSidecars` does not look for it, but a second `linkerd-proxy` container is a name the
 * API server refuses twice in one pod, so the injector's own proxy never runs beside it either.
 */
import { isPlainObject } from './vocabulary';

const CONTAINER_NAMES = ['linkerd-proxy', 'istio-proxy'];
const CONTAINER_IMAGES = ['cr.l5d.io/linkerd/proxy:', 'gcr.io/istio-release/proxyv2:'];
const INIT_NAMES = ['linkerd-init', 'istio-init', 'linkerd-proxy'];
const INIT_IMAGES = ['cr.l5d.io/linkerd/proxy-init:', 'gcr.io/istio-release/proxy_init:'];

/** The first container of `list` that a name of `names` or an image prefix of `images` marks, as `containers[i] 'name'`. */
function marked(list: unknown, field: string, names: readonly string[], images: readonly string[]): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const c: unknown = list[i];
    if (!isPlainObject(c)) continue;
    const name = typeof c.name === 'string' ? c.name : undefined;
    const image = typeof c.image === 'string' ? c.image : '';
    if ((name !== undefined && names.includes(name)) || images.some((p) => image.startsWith(p))) {
      return `${field}[${i}] ${name !== undefined ? `'${name}'` : `image '${image}'`}`;
    }
  }
  return undefined;
}

/**
 * The container of pod spec `spec` for which Linkerd's injector reads the pod as injected already
 * (`containers[1] 'istio-proxy'`, `initContainers[0] 'linkerd-init'`); undefined when there is none.
 */
export function linkerdExistingSidecar(spec: unknown): string | undefined {
  if (!isPlainObject(spec)) return undefined;
  return marked(spec.containers, 'containers', CONTAINER_NAMES, CONTAINER_IMAGES)
    ?? marked(spec.initContainers, 'initContainers', INIT_NAMES, INIT_IMAGES);
}
