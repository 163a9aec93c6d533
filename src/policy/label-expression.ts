/** Operators of a label expression (Kubernetes `matchExpressions`). */
export enum LabelOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is absent, or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The label is present. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** A set-based label requirement, e.g. `tenant NotIn [acme]`. */
export interface LabelExpression {
  /** Label key. */
  readonly key: string;
  /** Operator. */
  readonly operator: LabelOperator;
  /**
   * Values for `IN` / `NOT_IN` (at least one); must be empty for `EXISTS` / `DOES_NOT_EXIST`.
   * @default []
   */
  readonly values?: string[];
}
