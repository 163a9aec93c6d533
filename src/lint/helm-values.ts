import { parse } from 'yaml';
import { LintDocument, asArray, isObject, jsonKey } from './document';
import { isArgoApplication, isCiliumChart, isFluxHelmRelease } from '../util/vocabulary';

/** A Cilium Helm values tree found somewhere in the manifests. Internal. */
export interface ValuesSource {
  readonly doc: LintDocument;
  readonly values: Record<string, any>;
  /** JSON path of a top-level values key inside the document. */
  pathOf(key: string): string;
}

/** Keys that mark a plain YAML document (no apiVersion/kind) as Cilium chart values. */
const CILIUM_KEYS = ['kubeProxyReplacement', 'tunnel', 'tunnelProtocol', 'routingMode', 'k8sServiceHost', 'ipv4NativeRoutingCIDR',
  'autoDirectNodeRoutes', 'hubble', 'ipam'];

/** Does a values tree look like the Cilium chart's? */
function looksLikeCiliumValues(values: unknown): values is Record<string, any> {
  return isObject(values) && CILIUM_KEYS.some((k) => k in values);
}

export { isCiliumChart };

/**
 * Cilium values delivered as a Flux HelmRelease (`spec.values`), an Argo CD Application
 * (`spec.source(s).helm.valuesObject`, the `values` string, or `parameters`), a plain values
 * document, or a `--set` command line (see markdown.ts).
 */
export function ciliumValuesSources(docs: readonly LintDocument[]): ValuesSource[] {
  const out: ValuesSource[] = [];
  for (const doc of docs) {
    const obj = doc.obj;
    if (doc.ciliumValues && isObject(obj)) {
      out.push({ doc, values: obj, pathOf: (k) => k });
    } else if (isFluxHelmRelease(obj) && isObject(obj.spec)) {
      const chart = obj.spec.chart?.spec?.chart ?? obj.spec.chartRef?.name;
      if (isObject(obj.spec.values) && (isCiliumChart(chart) || looksLikeCiliumValues(obj.spec.values))) {
        out.push({ doc, values: obj.spec.values, pathOf: (k) => `spec.values${jsonKey(k)}` });
      }
    } else if (isArgoApplication(obj) && isObject(obj.spec)) {
      const sources: Array<[any, string]> = [];
      if (isObject(obj.spec.source)) sources.push([obj.spec.source, 'spec.source']);
      asArray(obj.spec.sources).forEach((s, i) => sources.push([s, `spec.sources[${i}]`]));
      for (const [src, base] of sources) addArgoSource(doc, src, base, out);
    } else if (isObject(obj) && obj.apiVersion === undefined && obj.kind === undefined && looksLikeCiliumValues(obj)) {
      out.push({ doc, values: obj, pathOf: (k) => k });
    }
  }
  return out;
}

function addArgoSource(doc: LintDocument, src: any, base: string, out: ValuesSource[]): void {
  if (!isObject(src) || !isObject(src.helm)) return;
  const cilium = isCiliumChart(src.chart) || isCiliumChart(src.path);
  const helm = src.helm;
  if (isObject(helm.valuesObject) && (cilium || looksLikeCiliumValues(helm.valuesObject))) {
    out.push({ doc, values: helm.valuesObject, pathOf: (k) => `${base}.helm.valuesObject${jsonKey(k)}` });
  }
  if (typeof helm.values === 'string') {
    let values: unknown;
    try {
      values = parse(helm.values);
    } catch {
      values = undefined; // an unparsable values string is Argo CD's error to report, not a policy pitfall
    }
    if (isObject(values) && (cilium || looksLikeCiliumValues(values))) {
      out.push({ doc, values, pathOf: (k) => `${base}.helm.values${jsonKey(k)}` });
    }
  }
  const params = asArray(helm.parameters);
  if (params.length > 0) {
    const values: Record<string, any> = {};
    const index = new Map<string, number>();
    params.forEach((p, i) => {
      if (isObject(p) && typeof p.name === 'string' && !p.name.includes('.')) {
        values[p.name] = p.value;
        index.set(p.name, i);
      }
    });
    if (cilium || looksLikeCiliumValues(values)) out.push({ doc, values, pathOf: (k) => `${base}.helm.parameters[${index.get(k)}]` });
  }
}
