/**
 * The answer to "can A reach B on port P", with the objects that decided it.
 */
import { Verdict } from './verdict';

/** The verdict of one side of a flow (egress at the source, or ingress at the destination). */
export interface SideResult {
  /** Allow, deny, or indeterminate (see `uncertainties`). */
  readonly verdict: Verdict;
  /** `verdict === Verdict.ALLOW` (for every pod pair the question covered). */
  readonly allowed: boolean;
  /** Why, one line per deciding rule or default. */
  readonly reasons: string[];
  /** The objects that decided, as `Kind namespace/name`. */
  readonly decidingObjects: string[];
  /**
   * The deciding objects with the JSON path of the deciding rule where there is one, e.g.
   * `NetworkPolicy shop/allow-web spec.ingress[0]`, and the effect, e.g. `(allow)`.
   */
  readonly decidingRules: string[];
  /**
   * Why the side is indeterminate: each object or rule the answer depends on and what the manifests
   * do not say (empty when the side is decided).
   */
  readonly uncertainties: string[];
}

/** The verdict for one source pod and one destination pod. */
export interface PairResult {
  /** The source endpoint's name (`from` is a reserved word in Python). */
  readonly source: string;
  /** The destination endpoint's name. */
  readonly destination: string;
  /** The resolved destination port, e.g. `TCP/8080`. */
  readonly port: string;
  /** Allow (both sides allow), deny (a side denies), or indeterminate. */
  readonly verdict: Verdict;
  /** `verdict === Verdict.ALLOW`. */
  readonly allowed: boolean;
  /** `verdict === Verdict.DENY`. */
  readonly denied: boolean;
  /** `verdict === Verdict.INDETERMINATE`. */
  readonly indeterminate: boolean;
  /** The egress side, evaluated at the source. */
  readonly egress: SideResult;
  /** The ingress side, evaluated at the destination. */
  readonly ingress: SideResult;
  /** L7 constraints on top of the L4 allow (Cilium HTTP rules, Calico HTTP matches on ingress). */
  readonly l7Constraints: string[];
  /** Why the pair is indeterminate (the sides' and the mesh's uncertainties; empty when decided). */
  readonly uncertainties: string[];
  /**
   * The CNI layer's verdict (egress and ingress together) in an analysis with a mesh, where
   * `verdict` is this AND the mesh's verdict.
   * @default - no mesh layer: `verdict` is the CNI verdict
   */
  readonly cniVerdict?: Verdict;
  /**
   * The port the CNI layer evaluated when the mesh tunnels the flow: `TCP/15008` (Istio ambient HBONE)
   * or `TCP/4143` (Linkerd's inbound proxy port); the ingress side's first reason says why.
   * @default - the destination port
   */
  readonly cniPort?: string;
  /**
   * The mesh authorization at the destination (Istio AuthorizationPolicy and PeerAuthentication,
   * Linkerd Server and AuthorizationPolicy), with its deciding objects and rules.
   * @default - no mesh layer in the analysis
   */
  readonly mesh?: SideResult;
  /**
   * The HTTP request the question named (`POST /admin`), whose L7 rules were matched against it.
   * @default - an L4 question: L7 rules are reported as `l7Constraints`
   */
  readonly request?: string;
}

/** The result of {@link Reachability.check}. */
export class ReachabilityResult {
  /**
   * @internal
   */
  public static _create(question: string, cniName: string, pairs: PairResult[], notes: string[], meshName?: string): ReachabilityResult {
    return new ReachabilityResult(question, cniName, pairs, notes, meshName);
  }

  /**
   * ALLOW when every pod pair is allowed, DENY when every pair is denied, otherwise INDETERMINATE:
   * some pair is indeterminate, or the pairs disagree (some allowed, some denied: `pairs` tells which).
   */
  public readonly verdict: Verdict;
  /** Every pod pair is allowed on both sides. */
  public readonly allowed: boolean;
  /**
   * Every pod pair is denied on some side: "A must not reach B" holds only when `denied` is true.
   * When a target covers several pods, `allowed` and `denied` can both be false.
   */
  public readonly denied: boolean;
  /** `verdict === Verdict.INDETERMINATE` (some pair is indeterminate, or the pairs disagree). */
  public readonly indeterminate: boolean;
  /** The egress side over all pairs. */
  public readonly egress: SideResult;
  /** The ingress side over all pairs. */
  public readonly ingress: SideResult;
  /** L7 constraints on top of the L4 allow (Cilium HTTP rules, Calico HTTP matches on ingress, mesh HTTP rules), over all pairs. */
  public readonly l7Constraints: string[];
  /**
   * The CNI layer's verdict over all pairs (as `verdict`), in an analysis with a mesh.
   * @default - no mesh layer
   */
  public readonly cniVerdict?: Verdict;
  /**
   * The mesh layer's verdict over all pairs (as `verdict`), in an analysis with a mesh.
   * @default - no mesh layer
   */
  public readonly meshVerdict?: Verdict;
  /**
   * The mesh authorization side over all pairs.
   * @default - no mesh layer
   */
  public readonly mesh?: SideResult;
  /**
   * The mesh of the analysis, e.g. `Istio (sidecar)`.
   * @default - no mesh layer
   */
  public readonly meshName?: string;
  /** Why some pair is indeterminate, over all pairs (empty when every pair is decided). */
  public readonly uncertainties: string[];
  /** The verdict of each source/destination pod pair. */
  public readonly pairs: PairResult[];
  /** Notes about what the analysis ignored or could not evaluate (policies the CNI does not enforce, invalid objects). */
  public readonly notes: string[];
  /** The question, e.g. `workload shop/web -> workload shop/db on TCP/5432`. */
  public readonly question: string;
  private readonly cniName: string;

  private constructor(question: string, cniName: string, pairs: PairResult[], notes: string[], meshName?: string) {
    this.question = question;
    this.cniName = cniName;
    this.meshName = meshName;
    this.pairs = pairs;
    this.notes = notes;
    this.allowed = pairs.every((p) => p.allowed);
    this.denied = pairs.every((p) => p.denied);
    this.verdict = this.allowed ? Verdict.ALLOW : this.denied ? Verdict.DENY : Verdict.INDETERMINATE;
    this.indeterminate = this.verdict === Verdict.INDETERMINATE;
    this.egress = mergeSides(pairs.map((p) => p.egress));
    this.ingress = mergeSides(pairs.map((p) => p.ingress));
    this.l7Constraints = unique(pairs.flatMap((p) => p.l7Constraints));
    this.uncertainties = unique(pairs.flatMap((p) => p.uncertainties));
    if (meshName !== undefined) {
      this.cniVerdict = overall(pairs.map((p) => p.cniVerdict ?? p.verdict));
      const meshSides = pairs.map((p) => p.mesh).filter((m): m is SideResult => m !== undefined);
      // A pair without a mesh side never reached the mesh (a named port the destination lacks).
      this.meshVerdict = meshSides.length === 0 ? Verdict.DENY : overall(meshSides.map((m) => m.verdict));
      if (meshSides.length > 0) this.mesh = mergeSides(meshSides);
    }
  }

  /** The first line of {@link explain}: `ALLOWED`, `DENIED`, `INDETERMINATE` or `PARTLY ALLOWED (n of m pod pairs)`. */
  public get summary(): string {
    const allowedPairs = this.pairs.filter((p) => p.allowed).length;
    const undecided = this.pairs.filter((p) => p.indeterminate).length;
    if (this.allowed) return 'ALLOWED';
    if (this.denied) return 'DENIED';
    if (undecided > 0) {
      return this.pairs.length === 1 ? 'INDETERMINATE' : `INDETERMINATE (${undecided} of ${this.pairs.length} pod pairs; ${allowedPairs} allowed)`;
    }
    return `PARTLY ALLOWED (${allowedPairs} of ${this.pairs.length} pod pairs)`;
  }

  /** A multi-line explanation: the verdict, then per pod pair each side's deciding objects and rules, and why it is undecided. */
  public explain(): string {
    const lines = [`${this.summary}: ${this.question} (CNI: ${this.cniName}${this.meshName !== undefined ? `; mesh: ${this.meshName}` : ''})`];
    for (const pair of this.pairs) {
      const layers = pair.cniVerdict !== undefined
        ? ` (CNI${pair.cniPort !== undefined ? ` on ${pair.cniPort}` : ''}: ${verdictWord(pair.cniVerdict)}; mesh: ${pair.mesh ? verdictWord(pair.mesh.verdict) : 'not reached'})`
        : '';
      lines.push(`${pair.source} -> ${pair.destination} ${pair.port}${pair.request !== undefined ? ` ${pair.request}` : ''}: ${verdictWord(pair.verdict)}${layers}`);
      lines.push(...side('egress', pair.source, pair.egress), ...side('ingress', pair.destination, pair.ingress));
      if (pair.mesh) lines.push(...side('mesh', pair.destination, pair.mesh));
      for (const c of pair.l7Constraints) lines.push(`  L7 constraint: ${c}`);
    }
    const objects = unique([...this.egress.decidingObjects, ...this.ingress.decidingObjects, ...(this.mesh?.decidingObjects ?? [])]);
    lines.push(`deciding objects: ${objects.length > 0 ? objects.join(', ') : '(none: default behaviour)'}`);
    for (const u of this.uncertainties) lines.push(`indeterminate because: ${u}`);
    for (const note of this.notes) lines.push(`note: ${note}`);
    return lines.join('\n');
  }
}

/** `allowed`, `denied` or `indeterminate`. */
export function verdictWord(verdict: Verdict): string {
  return verdict === Verdict.ALLOW ? 'allowed' : verdict === Verdict.DENY ? 'denied' : 'indeterminate';
}

function side(direction: string, endpoint: string, result: SideResult): string[] {
  return [
    `  ${direction} ${direction === 'mesh' ? 'authorization ' : ''}at ${endpoint}: ${verdictWord(result.verdict)}`,
    ...result.reasons.map((r) => `    - ${r}`),
    ...result.uncertainties.map((u) => `    ? ${u}`),
  ];
}

function mergeSides(sides: SideResult[]): SideResult {
  const allowed = sides.every((s) => s.allowed);
  const denied = sides.every((s) => s.verdict === Verdict.DENY);
  return {
    verdict: allowed ? Verdict.ALLOW : denied ? Verdict.DENY : Verdict.INDETERMINATE,
    allowed,
    reasons: unique(sides.flatMap((s) => s.reasons)),
    decidingObjects: unique(sides.flatMap((s) => s.decidingObjects)),
    decidingRules: unique(sides.flatMap((s) => s.decidingRules)),
    uncertainties: unique(sides.flatMap((s) => s.uncertainties)),
  };
}

/** ALLOW when every verdict allows, DENY when every one denies, else INDETERMINATE. */
function overall(verdicts: Verdict[]): Verdict {
  if (verdicts.every((v) => v === Verdict.ALLOW)) return Verdict.ALLOW;
  if (verdicts.every((v) => v === Verdict.DENY)) return Verdict.DENY;
  return Verdict.INDETERMINATE;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
