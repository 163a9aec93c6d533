/**
 * The public data types of the flow matrix and its renderings (kept apart from ./flow-matrix so the
 * renderers can use them without importing the matrix).
 */
import { Verdict } from './verdict';
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
  /** Allow, deny or indeterminate. */
  readonly verdict: Verdict;
  /** `verdict === Verdict.ALLOW`. */
  readonly allowed: boolean;
  /**
   * Why the flow is indeterminate (the objects and rules it depends on, and what is unknown).
   * @default - the flow is decided
   */
  readonly reason?: string;
  /**
   * L7 constraints on top of the L4 allow (Cilium HTTP rules), e.g. `HTTP GET /api`.
   * @default - none: the allow is plain L3/L4
   */
  readonly l7Constraints?: string[];
  /**
   * The CNI layer's verdict, in an analysis with a mesh (`verdict` is this AND `meshVerdict`).
   * @default - no mesh layer
   */
  readonly cniVerdict?: Verdict;
  /**
   * The mesh authorization verdict at the destination, in an analysis with a mesh.
   * @default - no mesh layer
   */
  readonly meshVerdict?: Verdict;
}

/** Counts of a flow matrix, computed from the class verdicts without listing flows. */
export interface MatrixSummary {
  /** Pod endpoints (workloads and probes). */
  readonly endpoints: number;
  /** Classes of pods with identical policy-relevant attributes (each evaluated once). */
  readonly classes: number;
  /** Flows: every pod to every pod on each of the destination's ports. */
  readonly flows: number;
  /** Allowed flows. */
  readonly allowed: number;
  /** Denied flows. */
  readonly denied: number;
  /** Indeterminate flows. */
  readonly indeterminate: number;
}

/** Limits of the string renderings (the `write*` methods have none). */
export interface RenderOptions {
  /**
   * Most flow rows `toTable` and `toJson` print; above it they print that many rows and say how many
   * were left out (use `writeTable` / `writeJson` for everything). An integer of at least 0, or
   * `Infinity` for no limit. ReachabilityDiff's `toTable` and `toMarkdown` take it too.
   * @default 200000 (ReachabilityDiff: 10000 for `toTable`, 500 for `toMarkdown`)
   */
  readonly maxRows?: number;
  /**
   * Most pod-to-pod edges `toMermaid` draws; above it the diagram has one node per namespace instead.
   * An integer of at least 0, or `Infinity` for no limit.
   * @default 2000
   */
  readonly maxEdges?: number;
}

/** Receives text in chunks, e.g. a file or a stream (`{ write: (chunk) => stream.write(chunk) }`). */
export interface ITextSink {
  /** Write one chunk of the output. */
  write(chunk: string): void;
}
