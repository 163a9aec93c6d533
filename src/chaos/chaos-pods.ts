import { ChaosMode } from './chaos-mode';
import { LabelExpression } from '../policy/label-expression';

/**
 * Pods a chaos experiment selects (Chaos Mesh's `selector`): every pod in `namespaces` that carries
 * all `labels` and satisfies all `expressions`.
 */
export interface ChaosPodSelection {
  /**
   * The namespaces, named explicitly (at least one). Chaos Mesh reads a selector without namespaces
   * as the experiment's own namespace (chaos-mesh.org "Define the scope of Chaos experiments"): never
   * implicit here.
   */
  readonly namespaces: string[];
  /**
   * Labels the pods must carry (Chaos Mesh's `labelSelectors`).
   * @default {} - every pod of the namespaces (narrowed by `expressions`)
   */
  readonly labels?: { [key: string]: string };
  /**
   * Set-based label requirements (Chaos Mesh's `expressionSelectors`).
   * @default []
   */
  readonly expressions?: LabelExpression[];
}

/** The peer pods of a NetworkChaos (its `target`): the traffic to and from them is affected. */
export interface ChaosTarget {
  /** The pods. */
  readonly pods: ChaosPodSelection;
  /**
   * Which of them (Chaos Mesh picks them when the experiment starts).
   * @default ChaosMode.all() - the traffic to every selected peer, so the experiment does not depend on which pod answers
   */
  readonly mode?: ChaosMode;
}

