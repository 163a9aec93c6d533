/**
 * Runs the analyzer for the command line so that one malformed object cannot stop it: when the
 * analysis throws (a field of the wrong type, `nets: "10.0.0.0/8"` where Calico expects a list),
 * the objects whose presence makes it throw are found by bisection, left out with a warning each,
 * and the rest is analyzed. The API server rejects such objects, so the cluster will not have them
 * either. Only when the analysis of no object at all fails is it an internal error.
 */
import { ClusterFacts } from './args';
import { addProbes, checkExpectations, ExpectationOutcome, Namespaces } from './expectation-check';
import { ExpectationFile, ExpectationFileError } from './expectations';
import { SourcedManifest } from './files';
import { flowsOf } from './flow-writers';
import { InvalidDocument } from './input';
import { meshOptions } from './mesh-choice';
import { FlowMatrix } from '../analysis/flow-matrix';
import { buildInventory } from '../analysis/inventory';
import { Reachability } from '../analysis/reachability';
import { documentLabel } from '../lint/document';
import { Port } from '../policy/port';

/** What the analysis needs. */
export interface AnalysisInput extends ClusterFacts {
  readonly manifests: readonly SourcedManifest[];
  /** Extra destination ports of the matrix. */
  readonly ports: Port[];
  /**
   * Documents skipped as invalid YAML: each may hold a policy, so every verdict a policy could change
   * is indeterminate, with the file and line as the reason (as `Reachability.fromYamlFiles` does).
   * @default - none
   */
  readonly invalidDocuments?: readonly InvalidDocument[];
  /** Probes and expectations to check. */
  readonly expectations?: ExpectationFile;
  /**
   * A probe set (`namespaces:`) matching no namespace adds no probe instead of being an error (a
   * side of `analyze --diff`).
   * @default false
   */
  readonly allowEmptyProbeSets?: boolean;
}

/** The analysis of the manifests that could be analyzed. */
export interface Analysis {
  readonly reach: Reachability;
  readonly matrix: FlowMatrix;
  /** What the CNI model ignored or could not evaluate. */
  readonly notes: string[];
  /** One per expectation (with `expectations`). */
  readonly outcomes?: ExpectationOutcome[];
  /** Objects left out because the analysis failed on them: a warning each. */
  readonly leftOut: string[];
  /** The namespaces of the manifests analyzed, with their labels. */
  readonly namespaces: Namespaces;
}

/** Analyze once; every error but an expectations-file error propagates. */
function attempt(input: AnalysisInput, manifests: readonly SourcedManifest[]): Omit<Analysis, 'leftOut'> {
  const objects = manifests.map((m) => m.obj);
  const reach = Reachability._fromManifestsWithSkippedInput(objects, {
    cni: input.cni,
    podCidrs: input.podCidrs,
    nodeIp: input.nodeIp,
    ...(input.mesh !== undefined ? meshOptions(input.mesh, input.linkerd, input.istio) : {}),
  }, input.invalidDocuments ?? []);
  const namespaces = buildInventory(objects).namespaces;
  if (input.expectations) addProbes(reach, input.expectations.probes, namespaces, input.allowEmptyProbeSets ?? false);
  const matrix = reach.matrix({ ports: input.ports });
  // Read every flow once here, so a failure in evaluating one is found before any output is written.
  for (const flow of flowsOf(matrix)) void flow;
  const notes = reach.notes;
  const outcomes = input.expectations ? checkExpectations(reach, input.expectations.expectations, namespaces) : undefined;
  return { reach, matrix, notes, outcomes, namespaces };
}

/**
 * Analyze `input`; objects the analysis fails on are left out (see the module comment).
 * @throws ExpectationFileError when a probe of the expectations file cannot be added
 * @throws the analyzer's error when even no object at all cannot be analyzed (a bug)
 */
export function analyzeManifests(input: AnalysisInput): Analysis {
  let firstError: unknown;
  try {
    return { ...attempt(input, input.manifests), leftOut: [] };
  } catch (e) {
    if (e instanceof ExpectationFileError) throw e;
    firstError = e;
  }
  const all = input.manifests.map((_, i) => i);
  const fails = (indices: readonly number[]): boolean => {
    try {
      attempt(input, indices.map((i) => input.manifests[i]));
      return false;
    } catch (e) {
      if (e instanceof ExpectationFileError) throw e;
      return true;
    }
  };
  if (fails([])) throw firstError;
  const culprits = new Set(findCulprits(all, [], fails));
  const kept = input.manifests.filter((_, i) => !culprits.has(i));
  let analysis;
  try {
    analysis = attempt(input, kept);
  } catch {
    throw firstError;
  }
  const leftOut = [...culprits].sort((a, b) => a - b).map((i) => {
    const m = input.manifests[i];
    // The error this object causes next to the objects kept.
    const message = errorMessage(attemptError(input, all.filter((j) => j === i || !culprits.has(j)).map((j) => input.manifests[j])));
    return `${m.file}: line ${m.line}: ${label(m, i)}: cannot be analyzed (${message}), `
      + 'left out of the analysis (the API server rejects such an object; if it accepts this one, please report it)';
  });
  return { ...analysis, leftOut };
}

/**
 * The indices among `candidates` whose presence (next to `base`) makes `fails` true, by bisection:
 * about 2 k log n calls of `fails` for k culprits among n candidates. Precondition: `fails(base)` is
 * false and `fails(base + candidates)` is true.
 */
export function findCulprits(candidates: readonly number[], base: readonly number[], fails: (indices: readonly number[]) => boolean): number[] {
  if (candidates.length === 1) return [...candidates];
  const half = Math.ceil(candidates.length / 2);
  const a = candidates.slice(0, half);
  const b = candidates.slice(half);
  const inA = fails([...base, ...a]) ? findCulprits(a, base, fails) : [];
  const baseB = [...base, ...a.filter((i) => !inA.includes(i))];
  const inB = fails([...baseB, ...b]) ? findCulprits(b, baseB, fails) : [];
  return [...inA, ...inB];
}

/** The error the analysis of `manifests` throws, if any (for the warning's text). */
function attemptError(input: AnalysisInput, manifests: readonly SourcedManifest[]): unknown {
  try {
    attempt(input, manifests);
    return undefined;
  } catch (e) {
    return e;
  }
}

/** `Kind namespace/name`, or the object's place in the input when even that cannot be read. */
function label(m: SourcedManifest, index: number): string {
  try {
    return documentLabel({ obj: m.obj, index: index + 1 });
  } catch {
    return `document ${index + 1} of the input`;
  }
}

function errorMessage(e: unknown): string {
  if (e === undefined) return 'only together with other objects';
  const err = e as Error;
  return typeof err?.message === 'string' ? `${err.name ?? 'Error'}: ${err.message}` : String(e);
}
