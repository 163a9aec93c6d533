/**
 * The Cilium agent's `http-normalize-path` flag (default true, cilium/cilium pkg/envoy/cell.go), which
 * decides how the L7 policy listener rewrites request paths (see ../envoy-path CILIUM_L7_PATH). Chart
 * 1.20.0 has no value of its own for it, only `extraConfig` ("additional configuration parameters to
 * be included in the cilium-config configmap", chart values.yaml), and the agent reads its flags from
 * the `cilium-config` ConfigMap its DaemonSet mounts (a configMap volume: the pod's own namespace).
 * So the manifests show it as that ConfigMap's key, or as `extraConfig` in the Helm values a Flux
 * HelmRelease or an Argo CD Application delivers, read by ./agent-config as every agent option is.
 */
import { ciliumAgentSettings } from './agent-config';
import { goParseBool } from '../../util/go-strconv';
import { CILIUM_L7_PATH, ENVOY_DEFAULT_PATH, ProxyPathConfig } from '../envoy-path';
import { ManifestObject } from '../model';

const KEY = 'http-normalize-path';

/** The agent's default: normalize, merge slashes, redirect escaped slashes. */
export const CILIUM_DEFAULT_PATH_CONFIG: ProxyPathConfig = { settings: [CILIUM_L7_PATH], source: 'http-normalize-path, on by default' };

/**
 * The path settings of Cilium's L7 listener as the manifests show them: the `http-normalize-path` key
 * of `cilium-config` ConfigMaps and of Cilium Helm values' `extraConfig` (several that disagree, or a
 * value the agent would not parse or the manifests do not hold, leave both settings possible), the
 * agent's default otherwise. When the manifests show where the agent runs (a DaemonSet mounting
 * `cilium-config`, the namespace a Cilium HelmRelease or Application installs into), a `cilium-config`
 * in any other namespace is no agent's configuration and is not read; where a Cilium delivery may
 * install the agent in any namespace, one outside the namespaces known to run it may be read or not
 * (the default, or the value it holds).
 */
export function ciliumPathConfig(manifests: readonly ManifestObject[]): ProxyPathConfig {
  const seen = new Map<string, boolean | undefined>();
  const settings = ciliumAgentSettings(manifests, { key: KEY });
  // The agent's flag parsing reads the value with Go's strconv.ParseBool.
  for (const { where, value } of settings) seen.set(where, goParseBool(value));
  if (seen.size === 0) return CILIUM_DEFAULT_PATH_CONFIG;
  const where = [...seen.keys()].sort().join(', ');
  const values = new Set(seen.values());
  // One the agent may not read (its namespace not known) leaves the agent's default possible too.
  if (settings.some((s) => s.mayBeUnread === true)) values.add(true);
  if (values.size === 1 && !values.has(undefined)) {
    const on = values.has(true);
    return { settings: [on ? CILIUM_L7_PATH : ENVOY_DEFAULT_PATH], source: `http-normalize-path: ${on} in ${where}` };
  }
  return { settings: [CILIUM_L7_PATH, ENVOY_DEFAULT_PATH], source: `http-normalize-path in ${where} is not one readable value, so on or off` };
}
