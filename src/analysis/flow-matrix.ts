/**
 * The flow matrix: which pod may talk to which pod on which of its ports.
 */
import { renderMermaid } from './mermaid';
import { Port } from '../policy/port';

/** Options of {@link Reachability.matrix}. */
export interface MatrixOptions {
  /**
   * Extra destination ports evaluated for every destination (named ports are resolved on each
   * destination and skipped where it has no such port).
   * @default - none
   */
  readonly ports?: Port[];
  /**
   * Evaluate each destination's declared container ports.
   * @default true
   */
  readonly includeDeclaredPorts?: boolean;
}

/** One cell of the flow matrix. */
export interface FlowEntry {
  /** Source endpoint name (`from` is a reserved word in Python). */
  readonly source: string;
  /** Destination endpoint name. */
  readonly destination: string;
  /** Destination port, e.g. `TCP/8080`. */
  readonly port: string;
  /** The flow is allowed on both sides. */
  readonly allowed: boolean;
  /**
   * L7 constraints on top of the L4 allow (Cilium HTTP rules), e.g. `HTTP GET /api`.
   * @default - none: the allow is plain L3/L4
   */
  readonly l7Constraints?: string[];
}

/** The result of {@link Reachability.matrix}. */
export class FlowMatrix {
  /** @internal */
  public static _create(cniName: string, endpoints: string[], expand: () => FlowEntry[]): FlowMatrix {
    return new FlowMatrix(cniName, endpoints, expand);
  }

  /** The pod endpoints (workloads and probes), sorted. */
  public readonly endpoints: string[];
  private readonly cniName: string;
  private readonly expand: () => FlowEntry[];
  private expanded?: FlowEntry[];

  private constructor(cniName: string, endpoints: string[], expand: () => FlowEntry[]) {
    this.cniName = cniName;
    this.endpoints = endpoints;
    this.expand = expand;
  }

  /**
   * Every evaluated flow, sorted by source, destination, protocol and port. Expanded from the
   * per-class verdicts on first access (a 2,000-pod matrix has millions of entries).
   */
  public get flows(): FlowEntry[] {
    if (!this.expanded) this.expanded = this.expand();
    return this.expanded;
  }

  /** Aligned text table with columns FROM, TO, PORT, VERDICT. */
  public toTable(): string {
    const rows = [
      ['FROM', 'TO', 'PORT', 'VERDICT'],
      ...this.flows.map((f) => [f.source, f.destination, f.port, !f.allowed ? 'deny' : f.l7Constraints?.length ? 'allow (L7)' : 'allow']),
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
  }

  /** JSON `{ cni, endpoints, flows }` with stable ordering and 2-space indentation. */
  public toJson(): string {
    return JSON.stringify({ cni: this.cniName, endpoints: this.endpoints, flows: this.flows }, null, 2) + '\n';
  }

  /** A Mermaid `flowchart LR` of the allowed flows: one node per endpoint, ports on the edges. */
  public toMermaid(): string {
    const allowed = this.flows.filter((f) => f.allowed);
    return renderMermaid(this.endpoints, allowed.map((f) => ({
      from: f.source, to: f.destination, port: f.l7Constraints?.length ? `${f.port} (L7)` : f.port,
    })));
  }
}
