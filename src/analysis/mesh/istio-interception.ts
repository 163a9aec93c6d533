/**
 * A sidecar pod whose traffic is not redirected to its proxy (internal): the pod annotation
 * `sidecar.istio.io/interceptionMode: NONE`. The injector then adds no istio-init container (injection
 * template: `if ne (annotation .ObjectMeta "sidecar.istio.io/interceptionMode" ...) "NONE"`), and
 * istiod builds no inbound chains from the Services (pilot/pkg/networking/core/listener_inbound.go
 * `buildInboundChainConfigs`: "We should not create inbound listeners in NONE mode based on the
 * service instances"); only listeners a Sidecar resource binds to ports take traffic, which the
 * application must address itself. Whether a flow passes the proxy is not in the manifests.
 * The meshConfig default interception mode (defaultConfig.interceptionMode) is not read.
 */
import { Endpoint } from '../model';

/** The pod annotation choosing how the sidecar captures traffic (REDIRECT, TPROXY or NONE). */
export const INTERCEPTION_MODE = 'sidecar.istio.io/interceptionMode';

/** Why `endpoint`'s traffic is not redirected to its sidecar, if its annotation says NONE. */
export function interceptionNone(endpoint: Endpoint): string | undefined {
  return endpoint.annotations?.[INTERCEPTION_MODE] === 'NONE' ? `${endpoint.name} has the annotation ${INTERCEPTION_MODE}=NONE` : undefined;
}
