/**
 * Input the analysis could not read: a file that cannot be read, or a YAML document the parser
 * refuses. Either may hold any object, a NetworkPolicy (a deny or an allow), a cluster-wide policy,
 * a second copy of a policy the analysis reads, or a mesh authorization. Answering without it would
 * be a quiet, possibly wrong verdict, so each such input is an uncertainty that applies to every pod
 * and node side in both directions and can allow and deny there: every verdict a policy could
 * change is indeterminate, with the file and line as the reason. (A document that parses but is no
 * Kubernetes object cannot be applied, so it is no uncertainty.) External addresses are no subject
 * of any policy, so their own side keeps its verdict.
 */
import { sideName, Uncertainty } from './overlay';
import { printable } from '../../util/printable';
import { MeshModel } from '../mesh';
import { DirectionVerdict, sideVerdict } from '../model';
import { MAYBE } from '../verdict';

/** A file that could not be read, or a document of a readable file that is not valid YAML. */
export interface SkippedInput {
  /** The file, as given (joined with the directory entries below it). */
  readonly file: string;
  /**
   * 1-based line of the syntax error (or where the document starts).
   * @default - the whole file could not be read
   */
  readonly line?: number;
  /** Why it could not be read or parsed. */
  readonly error: string;
}

/** The skipped input as uncertainties, one each, in input order. */
export function skippedInputUncertainties(skipped: readonly SkippedInput[]): Uncertainty[] {
  return skipped.map((s, i) => {
    const file = printable(s.file);
    const what = s.line === undefined ? `${file} could not be read` : `${file}: line ${s.line} is not valid YAML`;
    return {
      id: `skipped input ${i + 1}: ${JSON.stringify([s.file, s.line ?? null])}`,
      note: `${what} (${printable(s.error)}), so it was skipped: it may hold any policy (a NetworkPolicy, a cluster-wide `
        + 'or mesh policy), so every verdict a policy could change is indeterminate',
      why: (direction) => `${what} and was skipped: it may hold a policy that selects ${sideName(direction)}`,
      appliesTo: (subject) => subject.kind !== 'external',
      canAllow: () => true,
      canDeny: () => true,
    };
  });
}

/**
 * Wrap a mesh model so that every mesh verdict is indeterminate while input was skipped (it may hold
 * an authorization policy, or the Namespace that puts the destination in the mesh); returns `mesh`
 * itself when there is none. The notes are the CNI overlay's (see skippedInputUncertainties).
 */
export function meshWithSkippedInput(mesh: MeshModel, uncertainties: readonly Uncertainty[]): MeshModel {
  if (uncertainties.length === 0) return mesh;
  const whys = uncertainties.map((u) => u.why('ingress'));
  return {
    facts: mesh.facts,
    notes: mesh.notes,
    evaluate(query): DirectionVerdict {
      const verdict = mesh.evaluate(query);
      return sideVerdict(MAYBE, [...verdict.reasons, ...whys.map((message) => ({ effect: 'uncertain' as const, message }))],
        [...(verdict.outcome === MAYBE ? verdict.uncertain ?? [] : []), ...whys]);
    },
    sourceKey: (endpoint) => mesh.sourceKey(endpoint),
    destinationKey: (endpoint) => mesh.destinationKey(endpoint),
    wirePort: (source, destination, port, protocol) => mesh.wirePort(source, destination, port, protocol),
    hostSnat: (source, destination, port, protocol) => mesh.hostSnat?.(source, destination, port, protocol),
    membership: (endpoint) => mesh.membership(endpoint),
    encryption: (source, destination, port, protocol) => mesh.encryption(source, destination, port, protocol),
  };
}
