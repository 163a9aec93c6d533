import { LintDocument } from './document';
import { LintMesh } from './lint-mesh';
import { LintSeverity } from './types';
import { IpFamily } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';

/** What a rule reports; the engine adds object label, source and line. Internal. */
export interface RuleReport {
  readonly doc: LintDocument;
  readonly severity: LintSeverity;
  readonly path?: string;
  readonly message: string;
  readonly fix: string;
  /** Rule id when a module owns several ids (defaults to the module's first id). */
  readonly rule?: string;
}

/** The manifest set as a whole, for rules that correlate objects. Internal. */
export interface LintContext {
  readonly documents: readonly LintDocument[];
  readonly cni?: Cni;
  /** The cluster's IP families, when the caller knows them. */
  readonly ipFamilies?: readonly IpFamily[];
  /** The cluster's mesh, when the caller gives it (`PolicyLintOptions.mesh`): undefined, the mesh rules guess its installation values. */
  readonly mesh?: LintMesh;
}

/**
 * One lint rule module. A module may own a few closely related ids (e.g. a pitfall and its
 * weaker variant); `ids[0]` is the default.
 */
export interface LintRule {
  readonly ids: readonly string[];
  check(ctx: LintContext): RuleReport[];
}
