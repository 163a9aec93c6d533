/**
 * The Helm values a Flux HelmRelease delivers, as far as the manifests show them (internal).
 *
 * fluxcd/helm-controller (internal/chartutil/values.go `ChartValuesFromReferences`; docs "Values
 * references"): `spec.valuesFrom` entries are read in order from the HelmRelease's own namespace
 * (not `targetNamespace`), each a `ConfigMap` or `Secret` `name` and a `valuesKey` (default
 * `values.yaml`), and merged map by map (a later scalar or list replaces); the inline `values` are
 * merged last, over them. A `targetPath` puts the key's text at that dot path the way `helm --set`
 * does (helm/helm pkg/strvals: typed unless the text is quoted, then a string with the quotes
 * trimmed). A missing object or key fails the reconciliation unless `optional: true`, which skips
 * the entry. Below them, `spec.chart.spec.valuesFiles` replace the chart's values.yaml with files of
 * the chart source, which the manifests do not show.
 *
 * Read here: an object of the manifests (v1, the HelmRelease's namespace; the last one when several
 * match). A Secret's value is `stringData` over base64 `data`, as the API server stores it. What the
 * manifests cannot tell is an {@link UNKNOWN_LAYER}: an object they do not have (the cluster may have
 * it, optional or not), a key the object lacks without `optional` (the release does not reconcile:
 * the cluster keeps what it had), a kind other than ConfigMap or Secret, a SOPS-encrypted Secret
 * (`sops` metadata, decrypted at apply time), invalid base64, text that is not one YAML mapping
 * (read as YAML 1.1, as Helm's sigs.k8s.io/yaml does), a `targetPath` or value using strvals syntax
 * beyond plain dotted keys and a single value (`[i]`, `,`, `\`, `{...}`), and valuesFiles other than
 * `values.yaml`.
 */
import { parse } from 'yaml';
import { ManifestObject } from './model';
import { deepMerge } from '../util/deep-merge';
import { isPlainObject, namespaceOf } from '../util/vocabulary';

/** A layer of values the manifests do not show. */
const UNKNOWN_LAYER = 'unknown';

/** One layer of Helm values, lowest first: a values tree, or {@link UNKNOWN_LAYER}. */
export type ValuesLayer = Record<string, unknown> | typeof UNKNOWN_LAYER;

/** A Helm value written by `--set` (helm/helm pkg/strvals `typedVal`): a string only when Helm does not type it. */
export function setValue(text: unknown, forceString: boolean): unknown {
  if (typeof text !== 'string' || forceString) return text;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (lower === 'null') return null;
  if (text === '0' || (!text.startsWith('0') && /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text)))) return Number(text);
  return text;
}

/** The text at `key` of a ConfigMap or Secret: a string, undefined when absent, UNKNOWN_LAYER when not readable. */
function keyText(obj: ManifestObject, key: string): string | undefined | typeof UNKNOWN_LAYER {
  const own = (map: unknown): boolean => isPlainObject(map) && Object.prototype.hasOwnProperty.call(map, key);
  if (obj.kind === 'ConfigMap') {
    if (!own(obj.data)) return undefined;
    return typeof obj.data[key] === 'string' ? obj.data[key] : UNKNOWN_LAYER;
  }
  if (isPlainObject((obj as any).sops)) return UNKNOWN_LAYER;
  const stringData: unknown = (obj as any).stringData;
  if (own(stringData)) return typeof (stringData as any)[key] === 'string' ? (stringData as any)[key] : UNKNOWN_LAYER;
  if (!own(obj.data)) return undefined;
  const encoded: unknown = obj.data[key];
  if (typeof encoded !== 'string' || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return UNKNOWN_LAYER;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** `{a: {b: value}}` for the strvals path `a.b` (`\.` escapes a dot); undefined for syntax not read here. */
function atPath(path: string, value: unknown): Record<string, unknown> | undefined {
  const keys = path.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
  if (keys.some((k) => k === '' || /[[\]=,\\]/.test(k))) return undefined;
  return keys.reduceRight<Record<string, unknown>>((inner, k) => ({ [k]: inner }), value as any) as Record<string, unknown>;
}

/** What one `valuesFrom` entry contributes: a tree, nothing (undefined: skipped), or UNKNOWN_LAYER. */
function referenceLayer(ref: unknown, namespace: string, manifests: readonly ManifestObject[]): ValuesLayer | undefined {
  if (!isPlainObject(ref) || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') || typeof ref.name !== 'string') return UNKNOWN_LAYER;
  const key = typeof ref.valuesKey === 'string' && ref.valuesKey !== '' ? ref.valuesKey : 'values.yaml';
  const optional = ref.optional === true;
  const obj = manifests.filter((o) => o?.apiVersion === 'v1' && o.kind === ref.kind && o.metadata?.name === ref.name && namespaceOf(o) === namespace).pop();
  if (obj === undefined) return UNKNOWN_LAYER;
  const text = keyText(obj, key);
  if (text === undefined) return optional ? undefined : UNKNOWN_LAYER;
  if (text === UNKNOWN_LAYER) return UNKNOWN_LAYER;
  if (typeof ref.targetPath === 'string' && ref.targetPath !== '') {
    const quoted = ['\'', '"'].some((q) => text.startsWith(q) && text.endsWith(q));
    const value = quoted ? text.replace(/^["']+|["']+$/g, '') : text;
    if (/[,\\]/.test(value) || (!quoted && value.startsWith('{'))) return UNKNOWN_LAYER;
    return atPath(ref.targetPath, quoted ? value : setValue(value, false)) ?? UNKNOWN_LAYER;
  }
  try {
    const values: unknown = parse(text, { version: '1.1' });
    if (values === null || values === undefined) return {};
    return isPlainObject(values) ? values : UNKNOWN_LAYER;
  } catch {
    return UNKNOWN_LAYER;
  }
}

/**
 * The values layers of a Flux HelmRelease, lowest first: its chart's `valuesFiles` (unknown unless
 * only `values.yaml`), its `valuesFrom` entries in order, its inline `values` last.
 */
export function fluxValuesLayers(release: ManifestObject, manifests: readonly ManifestObject[]): ValuesLayer[] {
  const spec: unknown = release?.spec;
  if (!isPlainObject(spec)) return [];
  const layers: ValuesLayer[] = [];
  const files: unknown = spec.chart?.spec?.valuesFiles;
  if (Array.isArray(files) && files.some((f) => f !== 'values.yaml')) layers.push(UNKNOWN_LAYER);
  const namespace = namespaceOf(release);
  for (const ref of Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []) {
    const layer = referenceLayer(ref, namespace, manifests);
    if (layer !== undefined) layers.push(layer);
  }
  if (isPlainObject(spec.values)) layers.push(spec.values);
  return layers;
}

/**
 * The layers above the last unknown one, merged (Helm's map-by-map merge), and whether an unknown
 * layer lies below them: what the manifests show of the merged values.
 */
export function knownTop(layers: readonly ValuesLayer[]): { values: Record<string, unknown>; unknownBelow: boolean } {
  const last = layers.lastIndexOf(UNKNOWN_LAYER);
  const known = layers.slice(last + 1) as Array<Record<string, unknown>>;
  return { values: known.reduce<Record<string, unknown>>((acc, l) => deepMerge(acc, l), {}), unknownBelow: last >= 0 };
}
