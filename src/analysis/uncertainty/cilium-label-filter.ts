/**
 * Cilium's identity label filter set in the manifests. The analyzer models the default filter
 * (util/cilium-label-filter): policies select security identities, which leave out the labels the
 * filter drops. The agent option `labels` (Helm value `labels`, rendered into the `cilium-config`
 * ConfigMap; cilium/cilium pkg/labelsfilter `ParseLabelPrefixCfg`) appends prefixes to the default
 * list, and any include among them turns it into an allow-list; `label-prefix-file` replaces the list.
 * Where the manifests set either, a selector key the set filter keeps or drops otherwise than the
 * default selects other pods than the analyzer computes: the sides of the pods such a policy could
 * select (its namespace, or every namespace for a clusterwide policy) are indeterminate; so are they
 * where Cilium Helm values the manifests do not show may set it (../cilium/agent-config: valuesFrom,
 * valueFiles, an unparsable values string). Without the setting in the manifests the default is
 * assumed (the label-filter notes say the option exists).
 */
import { Uncertainty } from './overlay';
import { ciliumLabelKept } from '../../util/cilium-label-filter';
import { isCiliumPolicy, isPlainObject, namespaceOf } from '../../util/vocabulary';
import { ciliumAgentSettings } from '../cilium/agent-config';
import { NAMESPACE_LABELS_PREFIX, parseSelectorKey } from '../cilium/identity';
import { isNetworkPolicy } from '../kubernetes/network-policy';
import { describeRef, isPodNetworkEndpoint, ManifestObject, refOf } from '../model';

/** A setting of the filter: where, and its user prefixes (undefined: not readable from the manifests). */
interface FilterSetting {
  readonly where: string;
  readonly prefixes: readonly string[] | undefined;
}

/** The `labels` option as the agent reads it: whitespace-separated prefixes; undefined when not known. */
function prefixesOf(value: string | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : value.split(/\s+/).filter((p) => p !== '');
}

/**
 * The filter settings of the manifests (../cilium/agent-config: cilium-config ConfigMaps of the agent
 * and the values of Cilium Helm deliveries): `labels` (Helm value `labels` or `extraConfig.labels`),
 * and a `label-prefix-file` the agent reads, which it does only when the option is not empty
 * (cilium/cilium pkg/labelsfilter `ParseLabelPrefixCfg`: an empty file name keeps the default list).
 */
function filterSettings(manifests: readonly ManifestObject[]): FilterSetting[] {
  const labels = ciliumAgentSettings(manifests, { key: 'labels', helmValue: 'labels' })
    .map((s) => ({ where: s.where, prefixes: prefixesOf(s.value) }));
  const files = ciliumAgentSettings(manifests, { key: 'label-prefix-file' })
    .filter((s) => s.value !== '').map((s) => ({ where: s.where, prefixes: undefined }));
  return [...labels, ...files];
}

/** Fields whose selectors select no pod identity (nodes, CIDR groups, Services). */
const NOT_IDENTITY = new Set(['nodeSelector', 'cidrGroupSelector', 'toServices', 'toNodes', 'fromNodes']);

/** Label keys (without source) of the pod identities the selectors under `value` read. */
function selectorKeys(value: unknown, namespaceLabels: boolean, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) selectorKeys(v, namespaceLabels, into);
  } else if (isPlainObject(value)) {
    const add = (raw: unknown) => {
      if (typeof raw !== 'string') return;
      const { source, key } = parseSelectorKey(raw);
      if (source === 'k8s' || source === 'any') into.add(namespaceLabels ? `${NAMESPACE_LABELS_PREFIX}${key}` : key);
    };
    if (isPlainObject(value.matchLabels)) Object.keys(value.matchLabels).forEach(add);
    if (Array.isArray(value.matchExpressions)) value.matchExpressions.forEach((e: any) => add(e?.key));
    for (const [field, inner] of Object.entries(value)) {
      if (field === 'matchLabels' || field === 'matchExpressions' || NOT_IDENTITY.has(field)) continue;
      selectorKeys(inner, namespaceLabels || field === 'namespaceSelector', into);
    }
  }
  return into;
}

/** The uncertainty of a label filter the manifests set otherwise than the default (none when they set none, or one that changes no selector). */
export function ciliumLabelFilterUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const settings = filterSettings(manifests);
  if (settings.length === 0) return [];
  /** Does some setting keep or drop `key` otherwise than the default? */
  const differs = (key: string): boolean => settings.some((s) => s.prefixes === undefined
    || ciliumLabelKept(s.prefixes, 'k8s', key) !== ciliumLabelKept([], 'k8s', key));
  const affected: ManifestObject[] = [];
  const keys = new Set<string>();
  for (const obj of manifests) {
    if (!isNetworkPolicy(obj) && !isCiliumPolicy(obj)) continue;
    const changed = [...selectorKeys(obj.spec, false, new Set())].filter(differs);
    if (changed.length === 0) continue;
    affected.push(obj);
    changed.forEach((k) => keys.add(k));
  }
  if (affected.length === 0) return [];
  const clusterwide = affected.some((o) => o.kind === 'CiliumClusterwideNetworkPolicy');
  const namespaces = new Set(affected.filter((o) => o.kind !== 'CiliumClusterwideNetworkPolicy').map(namespaceOf));
  const wheres = [...new Set(settings.map((s) => s.where))].sort();
  const where = wheres.join(', ');
  const names = affected.map((o) => describeRef(refOf(o))).sort();
  return [{
    id: 'cilium-label-filter',
    note: `${where} set${wheres.length === 1 ? 's' : ''} Cilium's identity label filter (agent option labels or label-prefix-file), which the `
      + `analyzer does not model (it models the default filter): the selectors of ${names.join(', ')} on ${[...keys].sort().join(', ')} select `
      + 'other pods under it, so the flows of the pods these policies could select are indeterminate',
    why: () => `${where} set${wheres.length === 1 ? 's' : ''} Cilium's identity label filter, under which selectors on ${[...keys].sort().join(', ')} `
      + 'select other pods than under the default filter the analyzer models',
    appliesTo: (subject) => isPodNetworkEndpoint(subject) && (clusterwide || namespaces.has(subject.namespace ?? 'default')),
    canAllow: () => true,
    canDeny: () => true,
  }];
}
