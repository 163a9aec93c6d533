import { Construct } from 'constructs';
import { CILIUM_EMPTY_MAP_DEFAULT_KEYS, CILIUM_FREE_FORM_KEYS, CILIUM_NULL_DEFAULT_KEYS, CILIUM_VALUE_KEYS } from './chart-values-keys';
import { propError } from '../../util/errors';
import { requireOptionalObject } from '../../util/guards';
import { JsonShapeError, toJson } from '../../util/json-shape';

const VALUE_KEYS: ReadonlySet<string> = new Set(CILIUM_VALUE_KEYS);
const NULL_DEFAULT_KEYS: ReadonlySet<string> = new Set(CILIUM_NULL_DEFAULT_KEYS);
const EMPTY_MAP_DEFAULT_KEYS: ReadonlySet<string> = new Set(CILIUM_EMPTY_MAP_DEFAULT_KEYS);

/**
 * `extraValues` as plain JSON: a map of values whose keys and values survive YAML and cdk8s as given
 * (no `__proto__` or `constructor` key, which would be lost or break synthesis, or reach the merged
 * values' prototype; no functions, dates or NaN; no null where the chart's default is not null).
 */
export function extraValues(scope: Construct, given: { [key: string]: any } | undefined): Record<string, any> {
  const map = requireOptionalObject<Record<string, any>>(scope, 'extraValues', given) ?? {};
  let json: Record<string, any>;
  try {
    json = toJson(map, 'extraValues') as Record<string, any>;
  } catch (e) {
    if (e instanceof JsonShapeError) throw propError(scope, e.path, e.reason);
    throw e;
  }
  const nullAt = nullThatMatters(json, '', 'extraValues');
  if (nullAt !== undefined) {
    // Helm deletes a chart default given null, but the null never reaches Helm from here: cdk8s drops
    // null values from every manifest it writes, and where a null does reach the cluster, Flux's
    // server-side apply drops one added in a later commit (fluxcd/kustomize-controller#372).
    throw propError(scope, nullAt, 'null cannot be delivered: cdk8s drops null values from the manifests it writes (and Flux drops '
      + 'nulls added by later changes), so the chart default would stay in place silently; set the value you want instead '
      + '(false, an empty string, map or list)');
  }
  // The nulls left change nothing; dropped here as cdk8s drops them, so `values` and `valuesYaml()`
  // say what the HelmRelease or Application says.
  return withoutNulls(json) as Record<string, any>;
}

/** A copy of a JSON value without its null map entries (lists hold none by now). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null) out[key] = withoutNulls(v);
  }
  return out;
}

/**
 * The path of the first null in `extraValues` whose loss would change the release: one where the chart
 * has a default that is not null. A null where the default is null, below a map whose default is empty,
 * or at a key the chart only documents in comments is dropped without effect. Nulls in lists, and below
 * maps with default entries (`nodeSelector`), are always reported.
 */
function nullThatMatters(value: unknown, chartPath: string | undefined, path: string): string | undefined {
  if (value === null) return chartPath !== undefined && nullChangesNothing(chartPath) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nullThatMatters(value[i], undefined, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const found = nullThatMatters(v, chartPath === undefined ? undefined : chartPath ? `${chartPath}.${key}` : key, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The chart's default at this dotted key path is null or absent, so dropping a null there is harmless. */
function nullChangesNothing(chartPath: string): boolean {
  if (NULL_DEFAULT_KEYS.has(chartPath)) return true;
  if (VALUE_KEYS.has(chartPath)) return false;
  const freeFormParent = CILIUM_FREE_FORM_KEYS.find((k) => chartPath.startsWith(`${k}.`));
  if (freeFormParent !== undefined) return EMPTY_MAP_DEFAULT_KEYS.has(freeFormParent) || !VALUE_KEYS.has(freeFormParent);
  return true;
}
