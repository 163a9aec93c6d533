/**
 * Three-valued verdicts. The analyzer answers "allowed" or "denied" only when the manifests decide
 * the flow; when the answer depends on something the manifests do not say (a pod IP, an object
 * whose semantics the analyzer does not evaluate), it answers "indeterminate" with the reason.
 */

/** The answer to one reachability question. */
export enum Verdict {
  /** The manifests allow the flow. */
  ALLOW = 'allow',
  /** The manifests deny the flow. */
  DENY = 'deny',
  /**
   * The answer depends on what the manifests do not say (an address the analysis does not know, an
   * object it cannot evaluate exactly); the reasons say what.
   */
  INDETERMINATE = 'indeterminate',
}

/**
 * Internal three-valued truth: `NO` (0) and `YES` (1) are definite, `MAYBE` (2) is unknown. The same
 * numbers encode verdicts (0 deny, 1 allow, 2 indeterminate) in the flow matrix's typed arrays.
 */
export type Tri = 0 | 1 | 2;
/** Definitely not (or: deny). */
export const NO: Tri = 0;
/** Definitely (or: allow). */
export const YES: Tri = 1;
/** Unknown (or: indeterminate). */
export const MAYBE: Tri = 2;

/** Kleene OR: YES if either is YES, NO if both are NO, else MAYBE. */
export function or3(a: Tri, b: Tri): Tri {
  if (a === YES || b === YES) return YES;
  if (a === NO && b === NO) return NO;
  return MAYBE;
}

/** Kleene AND: NO if either is NO, YES if both are YES, else MAYBE. */
export function and3(a: Tri, b: Tri): Tri {
  if (a === NO || b === NO) return NO;
  if (a === YES && b === YES) return YES;
  return MAYBE;
}

/** Kleene NOT. */
export function not3(a: Tri): Tri {
  return a === MAYBE ? MAYBE : a === YES ? NO : YES;
}

/** YES or NO from a boolean. */
export function tri(value: boolean): Tri {
  return value ? YES : NO;
}

/** The public verdict of an allow-truth. */
export function verdictOf(allow: Tri): Verdict {
  return allow === YES ? Verdict.ALLOW : allow === NO ? Verdict.DENY : Verdict.INDETERMINATE;
}

/** The allow-truth of a public verdict. */
export function codeOf(verdict: Verdict): Tri {
  return verdict === Verdict.ALLOW ? YES : verdict === Verdict.DENY ? NO : MAYBE;
}

/**
 * A flow needs both sides: a definite deny on either side denies it, both allows allow it, anything
 * else is indeterminate.
 */
export function combineSides(egress: Tri, ingress: Tri): Tri {
  return and3(egress, ingress);
}

/**
 * The set of final outcomes an ordered evaluation may reach: none (0), allow only (`ALLOW_BIT`),
 * deny only (`DENY_BIT`) or both (3). For first-match rule lists where some rules only *may*
 * match: such a rule adds its action to the possible outcomes, and evaluation continues as if it had
 * not matched.
 */
export type Outcomes = 0 | 1 | 2 | 3;
/** Allow is a possible outcome. */
export const ALLOW_BIT: Outcomes = 1;
/** Deny is a possible outcome. */
export const DENY_BIT: Outcomes = 2;

/** Both sets of possible outcomes together. */
export function union(a: Outcomes, b: Outcomes): Outcomes {
  if (a === b || b === 0) return a;
  return a === 0 ? b : 3;
}

/** The possible outcomes of an allow-truth (MAYBE: both). */
export function outcomesOf(allow: Tri): Outcomes {
  return allow === YES ? ALLOW_BIT : allow === NO ? DENY_BIT : 3;
}

/** The allow-truth of a set of possible outcomes (both: indeterminate). */
export function fromOutcomes(bits: Outcomes): Tri {
  if (bits === ALLOW_BIT) return YES;
  if (bits === DENY_BIT) return NO;
  return MAYBE;
}
