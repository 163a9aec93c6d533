/**
 * Kubernetes LabelSelector matching, as defined in
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors :
 * `matchLabels` and `matchExpressions` are ANDed; an empty selector matches everything; a null
 * (absent) selector is handled by the caller because its meaning differs per field.
 */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
}

/** The JSON shape of metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** Labels of an object. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Does `selector` select an object with `labels`? Unknown operators never match (fail closed for
 * allow rules; callers that evaluate deny rules must treat an unknown operator as an error instead).
 */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!matchesRequirement(req, labels)) return false;
  }
  return true;
}

/** One matchExpressions entry. */
export function matchesRequirement(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]);
    case 'NotIn':
      // NotIn matches objects without the key, as in the Kubernetes implementation.
      return !has || !values.includes(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** Is the selector empty (matches everything)? */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
