/**
 * The Cilium agent's `http-normalize-path` flag (default true, cilium/cilium pkg/envoy/cell.go), which
 * decides how the L7 policy listener rewrites request paths (see ../envoy-path CILIUM_L7_PATH). Chart
 * 1.20.0 has no value of its own for it (only `extraConfig`, which lands in the `cilium-config`
 * ConfigMap the agent reads its flags from), so the manifests show it only as that ConfigMap's key.
 */
import { CILIUM_L7_PATH, ENVOY_DEFAULT_PATH, ProxyPathConfig } from '../envoy-path';
import { describeRef, ManifestObject, refOf } from '../model';

/** The agent's default: normalize, merge slashes, redirect escaped slashes. */
export const CILIUM_DEFAULT_PATH_CONFIG: ProxyPathConfig = { settings: [CILIUM_L7_PATH], source: 'http-normalize-path, on by default' };

/** Go `strconv.ParseBool`, which the agent's flag parsing uses; undefined for anything else. */
function parseBool(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * The path settings of Cilium's L7 listener as the manifests show them: the `http-normalize-path` key
 * of `cilium-config` ConfigMaps when there is one (several that disagree, or a value the agent would
 * not parse, leave both settings possible), the agent's default otherwise.
 */
export function ciliumPathConfig(manifests: readonly ManifestObject[]): ProxyPathConfig {
  const seen = new Map<string, boolean | undefined>();
  for (const obj of manifests) {
    if (obj?.apiVersion !== 'v1' || obj.kind !== 'ConfigMap' || obj.metadata?.name !== 'cilium-config') continue;
    const data = obj.data;
    if (typeof data !== 'object' || data === null || !Object.prototype.hasOwnProperty.call(data, 'http-normalize-path')) continue;
    seen.set(describeRef(refOf(obj)), parseBool((data as Record<string, unknown>)['http-normalize-path']));
  }
  if (seen.size === 0) return CILIUM_DEFAULT_PATH_CONFIG;
  const where = [...seen.keys()].sort().join(', ');
  const values = new Set(seen.values());
  if (values.size === 1 && !values.has(undefined)) {
    const on = values.has(true);
    return { settings: [on ? CILIUM_L7_PATH : ENVOY_DEFAULT_PATH], source: `http-normalize-path: ${on} in ${where}` };
  }
  return { settings: [CILIUM_L7_PATH, ENVOY_DEFAULT_PATH], source: `http-normalize-path in ${where} is not one readable value, so on or off` };
}
