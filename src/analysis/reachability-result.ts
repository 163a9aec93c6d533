/**
 * The answer to "can A reach B on port P", with the objects that decided it.
 */

/** The verdict of one side of a flow (egress at the source, or ingress at the destination). */
export interface SideResult {
  /** The side allows the flow (for every pod pair the question covered). */
  readonly allowed: boolean;
  /** Why, one line per deciding rule or default. */
  readonly reasons: string[];
  /** The objects that decided, as `Kind namespace/name`. */
  readonly decidingObjects: string[];
}

/** The verdict for one source pod and one destination pod. */
export interface PairResult {
  /** The source endpoint's name (`from` is a reserved word in Python). */
  readonly source: string;
  /** The destination endpoint's name. */
  readonly destination: string;
  /** The resolved destination port, e.g. `TCP/8080`. */
  readonly port: string;
  /** Both sides allow the flow. */
  readonly allowed: boolean;
  /** The egress side, evaluated at the source. */
  readonly egress: SideResult;
  /** The ingress side, evaluated at the destination. */
  readonly ingress: SideResult;
  /** L7 constraints on top of the L4 allow (Cilium HTTP rules, Calico HTTP matches on ingress). */
  readonly l7Constraints: string[];
}

/** The result of {@link Reachability.check}. */
export class ReachabilityResult {
  /**
   * @internal
   */
  public static _create(question: string, cniName: string, pairs: PairResult[], notes: string[]): ReachabilityResult {
    return new ReachabilityResult(question, cniName, pairs, notes);
  }

  /** Every pod pair is allowed on both sides. */
  public readonly allowed: boolean;
  /**
   * No pod pair is allowed: each is denied on at least one side. When a target covers several pods,
   * `allowed` and `denied` can both be false (some pairs allowed, some denied): "A must not reach B"
   * holds only when `denied` is true.
   */
  public readonly denied: boolean;
  /** The egress side over all pairs. */
  public readonly egress: SideResult;
  /** The ingress side over all pairs. */
  public readonly ingress: SideResult;
  /** L7 constraints on top of the L4 allow (Cilium HTTP rules, Calico HTTP matches on ingress), over all pairs. */
  public readonly l7Constraints: string[];
  /** The verdict of each source/destination pod pair. */
  public readonly pairs: PairResult[];
  /** Notes about what the analysis ignored (e.g. policies the CNI does not enforce). */
  public readonly notes: string[];
  /** The question, e.g. `workload shop/web -> workload shop/db on TCP/5432`. */
  public readonly question: string;
  private readonly cniName: string;

  private constructor(question: string, cniName: string, pairs: PairResult[], notes: string[]) {
    this.question = question;
    this.cniName = cniName;
    this.pairs = pairs;
    this.notes = notes;
    this.allowed = pairs.every((p) => p.allowed);
    this.denied = pairs.every((p) => !p.allowed);
    this.egress = mergeSides(pairs.map((p) => p.egress));
    this.ingress = mergeSides(pairs.map((p) => p.ingress));
    this.l7Constraints = unique(pairs.flatMap((p) => p.l7Constraints));
  }

  /** A multi-line explanation: the verdict, then per pod pair each side's deciding objects and rules. */
  public explain(): string {
    const allowedPairs = this.pairs.filter((p) => p.allowed).length;
    const verdict = this.allowed ? 'ALLOWED' : this.denied ? 'DENIED'
      : `PARTLY ALLOWED (${allowedPairs} of ${this.pairs.length} pod pairs)`;
    const lines = [`${verdict}: ${this.question} (CNI: ${this.cniName})`];
    for (const pair of this.pairs) {
      lines.push(`${pair.source} -> ${pair.destination} ${pair.port}: ${pair.allowed ? 'allowed' : 'denied'}`);
      lines.push(...side('egress', pair.source, pair.egress), ...side('ingress', pair.destination, pair.ingress));
      for (const c of pair.l7Constraints) lines.push(`  L7 constraint: ${c}`);
    }
    const objects = unique([...this.egress.decidingObjects, ...this.ingress.decidingObjects]);
    lines.push(`deciding objects: ${objects.length > 0 ? objects.join(', ') : '(none: default behaviour)'}`);
    for (const note of this.notes) lines.push(`note: ${note}`);
    return lines.join('\n');
  }
}

function side(direction: string, endpoint: string, result: SideResult): string[] {
  return [
    `  ${direction} at ${endpoint}: ${result.allowed ? 'allowed' : 'denied'}`,
    ...result.reasons.map((r) => `    - ${r}`),
  ];
}

function mergeSides(sides: SideResult[]): SideResult {
  return {
    allowed: sides.every((s) => s.allowed),
    reasons: unique(sides.flatMap((s) => s.reasons)),
    decidingObjects: unique(sides.flatMap((s) => s.decidingObjects)),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
