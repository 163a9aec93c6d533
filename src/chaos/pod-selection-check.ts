/** Checking {@link ChaosPodSelection} and {@link ChaosTarget} props into the CRD's selector shapes. Internal. */
import { ChaosMode } from './chaos-mode';
import { ChaosPodSelection, ChaosTarget } from './chaos-pods';
import { requireChaosMode } from './made-by-factories';
import { NetworkChaosSpecSelector } from '../imports/chaos-mesh.org';
import { LabelExpression, LabelOperator } from '../policy/label-expression';
import { InputSite, propError } from '../util/errors';
import { StructKeys, requireArrayOf, requireKnownKeys, requireObject, requireOneOf, requireOptionalStringArray, requireString } from '../util/guards';
import { validateDnsLabel, validateLabels } from '../util/validate';

const SELECTION_KEYS: StructKeys<ChaosPodSelection> = { namespaces: true, labels: true, expressions: true };
const TARGET_KEYS: StructKeys<ChaosTarget> = { pods: true, mode: true };
const EXPRESSION_KEYS: StructKeys<LabelExpression> = { key: true, operator: true, values: true };

/** A checked selection: its namespaces (sorted, deduplicated) and the CRD selector. */
export interface ResolvedSelection {
  readonly namespaces: readonly string[];
  readonly selector: NetworkChaosSpecSelector;
}

/** Check a {@link ChaosPodSelection} prop. */
export function resolveSelection(site: InputSite, prop: string, given: ChaosPodSelection): ResolvedSelection {
  const s = requireKnownKeys(site, prop, requireObject(site, prop, given), SELECTION_KEYS);
  if (s.namespaces === undefined) {
    throw propError(site, `${prop}.namespaces`, 'is required: name the namespaces explicitly (Chaos Mesh reads a selector without namespaces '
      + 'as the experiment\'s own namespace: say which)');
  }
  const namespaces = [...new Set(requireArrayOf(site, `${prop}.namespaces`, s.namespaces, (ns, p) => validateDnsLabel(site, p, ns)))].sort();
  if (namespaces.length === 0) {
    throw propError(site, `${prop}.namespaces`, 'must name at least one namespace (Chaos Mesh reads an empty list as the experiment\'s own namespace: say which)');
  }
  const labels = validateLabels(site, `${prop}.labels`, s.labels);
  const expressions = s.expressions === undefined ? [] : requireArrayOf(site, `${prop}.expressions`, s.expressions, (e, p) => expression(site, p, e));
  return {
    namespaces,
    selector: {
      namespaces,
      labelSelectors: Object.keys(labels).length > 0 ? labels : undefined,
      expressionSelectors: expressions.length > 0 ? expressions : undefined,
    },
  };
}

/** A checked target: its selection and mode. */
export interface ResolvedTarget extends ResolvedSelection {
  readonly mode: ChaosMode;
}

/** Check a {@link ChaosTarget} prop. */
export function resolveTarget(site: InputSite, prop: string, given: ChaosTarget): ResolvedTarget {
  const t = requireKnownKeys(site, prop, requireObject(site, prop, given), TARGET_KEYS);
  if (t.pods === undefined) throw propError(site, `${prop}.pods`, 'is required: the peer pods whose traffic is affected');
  return {
    ...resolveSelection(site, `${prop}.pods`, t.pods),
    mode: t.mode === undefined ? ChaosMode.all() : requireChaosMode(site, `${prop}.mode`, t.mode),
  };
}

function expression(site: InputSite, prop: string, given: LabelExpression): { key: string; operator: string; values?: string[] } {
  const e = requireKnownKeys(site, prop, requireObject(site, prop, given), EXPRESSION_KEYS);
  const key = requireString(site, `${prop}.key`, e.key, true);
  validateLabels(site, `${prop}.key`, { [key]: '' });
  const operator = requireOneOf(site, `${prop}.operator`, e.operator, Object.values(LabelOperator), 'a label operator');
  const values = requireOptionalStringArray(site, `${prop}.values`, e.values) ?? [];
  values.forEach((v, i) => validateLabels(site, `${prop}.values[${i}]`, { [key]: v }));
  const setBased = operator === LabelOperator.IN || operator === LabelOperator.NOT_IN;
  if (setBased && values.length === 0) throw propError(site, `${prop}.values`, `must list at least one value for ${operator}`);
  if (!setBased && values.length > 0) throw propError(site, `${prop}.values`, `must be empty for ${operator}`);
  return setBased ? { key, operator, values: [...new Set(values)].sort() } : { key, operator };
}
