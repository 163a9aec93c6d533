/**
 * The Cilium agent's `http-normalize-path` flag (default true, cilium/cilium pkg/envoy/cell.go), which
 * decides how the L7 policy listener rewrites request paths (see ../envoy-path CILIUM_L7_PATH). Chart
 * 1.20.0 has no value of its own for it, only `extraConfig` ("additional configuration parameters to
 * be included in the cilium-config configmap", chart values.yaml), and the agent reads its flags from
 * the `cilium-config` ConfigMap its DaemonSet mounts (a configMap volume: the pod's own namespace).
 * So the manifests show it as that ConfigMap's key, or as `extraConfig` in the Helm values a Flux
 * HelmRelease or an Argo CD Application delivers.
 */
import { parse } from 'yaml';
import { isCiliumChart, isPlainObject, namespaceOf } from '../../util/vocabulary';
import { CILIUM_L7_PATH, ENVOY_DEFAULT_PATH, ProxyPathConfig } from '../envoy-path';
import { describeRef, ManifestObject, refOf } from '../model';

const KEY = 'http-normalize-path';

/** The agent's default: normalize, merge slashes, redirect escaped slashes. */
export const CILIUM_DEFAULT_PATH_CONFIG: ProxyPathConfig = { settings: [CILIUM_L7_PATH], source: 'http-normalize-path, on by default' };

/** Go `strconv.ParseBool`, which the agent's flag parsing uses; undefined for anything else. */
function parseBool(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** What a source says of the flag: a value (undefined when unknown), or nothing at all (undefined). */
type Said = { value: boolean | undefined } | undefined;

const hasOwn = (o: unknown, key: string): boolean => isPlainObject(o) && Object.prototype.hasOwnProperty.call(o, key);

/** What one Helm values tree says of the flag: a value, unknown (undefined), or nothing (no entry). */
function fromValues(values: unknown): Said {
  const extra = isPlainObject(values) ? values.extraConfig : undefined;
  // A non-string lands in the ConfigMap's data unquoted, which the API server refuses: unknown.
  return hasOwn(extra, KEY) ? { value: parseBool((extra as Record<string, unknown>)[KEY]) } : undefined;
}

/** A Flux HelmRelease of the Cilium chart: its inline values, or unknown when values also come from valuesFrom. */
function fromHelmRelease(spec: Record<string, any>): Said {
  const inline = fromValues(spec.values);
  if (inline) return inline;
  return Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0 ? { value: undefined } : undefined;
}

/**
 * One Argo CD source of the Cilium chart, by Argo CD's precedence (parameters over valuesObject over
 * values over valueFiles). A `--set`-style parameter is a string only with `forceString` (otherwise Helm
 * reads `false` as a boolean, which the ConfigMap refuses); value files are not in the manifests.
 */
function fromArgoSource(helm: Record<string, any>): Said {
  const params: unknown[] = Array.isArray(helm.parameters) ? helm.parameters : [];
  const param = params.filter((p): p is Record<string, any> => isPlainObject(p) && p.name === `extraConfig.${KEY}`).pop();
  if (param) return { value: param.forceString === true ? parseBool(param.value) : undefined };
  const fromObject = fromValues(helm.valuesObject);
  if (fromObject) return fromObject;
  if (typeof helm.values === 'string') {
    let parsed: unknown;
    try {
      parsed = parse(helm.values);
    } catch {
      return { value: undefined };
    }
    const fromString = fromValues(parsed);
    if (fromString) return fromString;
  }
  return Array.isArray(helm.valueFiles) && helm.valueFiles.length > 0 ? { value: undefined } : undefined;
}

/** The Cilium Helm deliveries in the manifests: [object, namespace the chart installs into, what it says of the flag]. */
function helmDeliveries(manifests: readonly ManifestObject[]): Array<[ManifestObject, string | undefined, Said]> {
  const out: Array<[ManifestObject, string | undefined, Said]> = [];
  for (const obj of manifests) {
    const spec: unknown = obj?.spec;
    if (!isPlainObject(spec) || typeof obj.apiVersion !== 'string') continue;
    if (obj.apiVersion.startsWith('helm.toolkit.fluxcd.io/') && obj.kind === 'HelmRelease') {
      const chart = spec.chart?.spec?.chart ?? spec.chartRef?.name;
      if (!isCiliumChart(chart)) continue;
      out.push([obj, typeof spec.targetNamespace === 'string' && spec.targetNamespace !== '' ? spec.targetNamespace : namespaceOf(obj), fromHelmRelease(spec)]);
    } else if (obj.apiVersion.startsWith('argoproj.io/') && obj.kind === 'Application') {
      const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isPlainObject);
      const cilium = sources.filter((s) => isCiliumChart(s.chart) || isCiliumChart(s.path));
      if (cilium.length === 0) continue;
      const said = cilium.map((s) => (isPlainObject(s.helm) ? fromArgoSource(s.helm) : undefined)).filter((x) => x !== undefined).pop();
      const ns = isPlainObject(spec.destination) && typeof spec.destination.namespace === 'string' ? spec.destination.namespace : undefined;
      out.push([obj, ns, said]);
    }
  }
  return out;
}

/** Does a DaemonSet's pod template mount a ConfigMap named cilium-config (the agent's)? */
function mountsCiliumConfig(obj: ManifestObject): boolean {
  const volumes: unknown = (obj as any)?.spec?.template?.spec?.volumes;
  return Array.isArray(volumes) && volumes.some((v) => isPlainObject(v) && isPlainObject(v.configMap) && v.configMap.name === 'cilium-config');
}

/**
 * The path settings of Cilium's L7 listener as the manifests show them: the `http-normalize-path` key
 * of `cilium-config` ConfigMaps and of Cilium Helm values' `extraConfig` (several that disagree, or a
 * value the agent would not parse or the manifests do not hold, leave both settings possible), the
 * agent's default otherwise. When the manifests show where the agent runs (a DaemonSet mounting
 * `cilium-config`, the namespace a Cilium HelmRelease or Application installs into), a `cilium-config`
 * in any other namespace is no agent's configuration and is not read.
 */
export function ciliumPathConfig(manifests: readonly ManifestObject[]): ProxyPathConfig {
  const deliveries = helmDeliveries(manifests);
  const agents = new Set<string>();
  for (const obj of manifests) {
    if (obj?.apiVersion === 'apps/v1' && obj.kind === 'DaemonSet' && mountsCiliumConfig(obj)) agents.add(namespaceOf(obj));
  }
  for (const [, ns] of deliveries) if (ns !== undefined) agents.add(ns);
  const seen = new Map<string, boolean | undefined>();
  for (const obj of manifests) {
    if (obj?.apiVersion !== 'v1' || obj.kind !== 'ConfigMap' || obj.metadata?.name !== 'cilium-config') continue;
    if (agents.size > 0 && !agents.has(namespaceOf(obj))) continue;
    const data = obj.data;
    if (!hasOwn(data, KEY)) continue;
    seen.set(describeRef(refOf(obj)), parseBool((data as Record<string, unknown>)[KEY]));
  }
  for (const [obj, , said] of deliveries) if (said) seen.set(describeRef(refOf(obj)), said.value);
  if (seen.size === 0) return CILIUM_DEFAULT_PATH_CONFIG;
  const where = [...seen.keys()].sort().join(', ');
  const values = new Set(seen.values());
  if (values.size === 1 && !values.has(undefined)) {
    const on = values.has(true);
    return { settings: [on ? CILIUM_L7_PATH : ENVOY_DEFAULT_PATH], source: `http-normalize-path: ${on} in ${where}` };
  }
  return { settings: [CILIUM_L7_PATH, ENVOY_DEFAULT_PATH], source: `http-normalize-path in ${where} is not one readable value, so on or off` };
}
