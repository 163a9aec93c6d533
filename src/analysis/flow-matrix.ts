/**
 * The flow matrix: which pod may talk to which pod on which of its ports. Verdicts are kept per pod
 * class pair and port (see ./matrix-evaluator); flows are produced when they are read, so a
 * 5,000-pod matrix costs megabytes, not gigabytes, and its renderings stream.
 */
import { FlowEntry, ITextSink, MatrixSummary, RenderOptions } from './flow-types';
import { MatrixData } from './matrix-evaluator';
import { writeJson, writeMermaid, writeTable } from './matrix-render';
import { renderLimit, requireCount, requireSink } from './render-limits';
import { verdictOf, YES } from './verdict';
import { propError } from '../util/errors';

/** Materializing more flows than this as an array is refused (use `flowsPage` or the `write*` methods). */
const MAX_MATERIALIZED = 5_000_000;

/** The result of {@link Reachability.matrix}. */
export class FlowMatrix {
  /** @internal */
  public static _create(cniName: string, data: MatrixData): FlowMatrix {
    return new FlowMatrix(cniName, data);
  }

  /** The pod endpoints (workloads and probes), sorted. */
  public readonly endpoints: string[];
  /** How many flows the matrix has (every pod to every pod on each of the destination's ports). */
  public readonly flowCount: number;
  /** @internal */
  public readonly _data: MatrixData;
  /** @internal */
  public readonly _cniName: string;
  /**
   * The mesh of the analysis, e.g. `Istio (sidecar)`.
   * @default - no mesh layer
   */
  public readonly meshName?: string;
  private cachedSummary?: MatrixSummary;

  private constructor(cniName: string, data: MatrixData) {
    this._cniName = cniName;
    this._data = data;
    this.meshName = data.mesh?.mesh.facts.displayName;
    this.endpoints = data.pods.map((p) => p.endpoint.name);
    this.flowCount = data.flowCount;
  }

  /** Counts of allowed, denied and indeterminate flows (computed per class pair, without listing flows). */
  public get summary(): MatrixSummary {
    if (!this.cachedSummary) {
      const d = this._data;
      const counts = [0, 0, 0];
      d.classes.forEach((src, s) => d.classes.forEach((dst, t) => dst.ports.forEach((_, k) => {
        counts[d.verdict(s, t, k)] += src.size * dst.size;
      })));
      this.cachedSummary = {
        endpoints: d.pods.length, classes: d.classes.length, flows: d.flowCount, denied: counts[0], allowed: counts[1], indeterminate: counts[2],
      };
    }
    return this.cachedSummary;
  }

  /**
   * Every flow, sorted by source, destination, protocol and port, as one array. Refused above
   * 5,000,000 flows: use {@link flowsPage} or the streaming `write*` renderings.
   */
  public get flows(): FlowEntry[] {
    if (this.flowCount > MAX_MATERIALIZED) {
      throw propError('FlowMatrix', 'flows', `${this.flowCount} flows are too many for one array; use flowsPage(offset, limit), `
        + 'summary, or writeTable/writeJson to stream them');
    }
    return [...this._flows()];
  }

  /**
   * `limit` flows starting at position `offset` of the sorted flow list (for paging through large
   * matrices without holding them).
   * @param offset position of the first flow (0-based)
   * @param limit how many flows at most (at most 5,000,000, as for {@link flows})
   */
  public flowsPage(offset: number, limit: number): FlowEntry[] {
    requireCount('FlowMatrix.flowsPage', 'offset', offset);
    requireCount('FlowMatrix.flowsPage', 'limit', limit);
    if (limit > MAX_MATERIALIZED) {
      throw propError('FlowMatrix.flowsPage', 'limit', `${limit} flows are too many for one page (at most ${MAX_MATERIALIZED}); `
        + 'page through them, or stream them with writeTable/writeJson');
    }
    const out: FlowEntry[] = [];
    for (const flow of this._flows(offset)) {
      if (out.length >= limit) break;
      out.push(flow);
    }
    return out;
  }

  /**
   * The flows, lazily, in sorted order, starting at position `offset` (what the renderings and the
   * CLI iterate: nothing is stored).
   * @internal
   */
  public *_flows(offset: number = 0): Generator<FlowEntry> {
    const d = this._data;
    const perSource = d.flowCount / Math.max(d.pods.length, 1);
    let i = perSource > 0 ? Math.floor(offset / perSource) : d.pods.length;
    let skip = offset - i * perSource;
    for (; i < d.pods.length; i++) {
      const s = d.classOf[i];
      const source = d.pods[i].endpoint.name;
      for (let j = 0; j < d.pods.length; j++) {
        const t = d.classOf[j];
        const ports = d.classes[t].ports;
        if (skip >= ports.length) {
          skip -= ports.length;
          continue;
        }
        for (let k = skip; k < ports.length; k++) yield this._entry(source, d.pods[j].endpoint.name, s, t, k);
        skip = 0;
      }
    }
  }

  /** @internal */
  public _entry(source: string, destination: string, s: number, t: number, k: number): FlowEntry {
    const d = this._data;
    const code = d.verdict(s, t, k);
    let entry: FlowEntry = { source, destination, port: d.classes[t].ports[k].key, verdict: verdictOf(code), allowed: code === YES };
    if (code === YES) {
      const l7 = d.l7(s, t, k);
      if (l7.length > 0) entry = { ...entry, l7Constraints: l7 };
    } else if (code !== 0) {
      entry = { ...entry, reason: d.reason(s, t, k) };
    }
    // The layers last, in the order the JSON rendering writes them.
    return d.mesh ? { ...entry, cniVerdict: verdictOf(d.cniVerdict(s, t, k)), meshVerdict: verdictOf(d.mesh.meshCode(s, t, k)) } : entry;
  }

  /**
   * Aligned text table with columns FROM, TO, PORT, VERDICT (`allow`, `allow (L7)`, `deny`,
   * `indeterminate [n]`), then the reason of each `[n]`. With a mesh, a denial says which layer
   * denies: `deny (CNI)`, `deny (mesh)` or `deny (CNI, mesh)`.
   */
  public toTable(options: RenderOptions = {}): string {
    const maxRows = renderLimit('FlowMatrix.toTable', options, 'maxRows', 200_000);
    return collect((sink) => writeTable(this, sink, maxRows));
  }

  /** {@link toTable} without a row limit, in chunks. */
  public writeTable(sink: ITextSink): void {
    writeTable(this, requireSink('FlowMatrix.writeTable', sink), Number.POSITIVE_INFINITY);
  }

  /**
   * JSON `{ cni, endpoints, summary, flows }` with stable ordering and 2-space indentation; above
   * `maxRows` flows the list is cut and `truncated: true` added. With a mesh, `mesh` names it and
   * every flow has `cniVerdict` and `meshVerdict`.
   */
  public toJson(options: RenderOptions = {}): string {
    const maxRows = renderLimit('FlowMatrix.toJson', options, 'maxRows', 200_000);
    return collect((sink) => writeJson(this, sink, maxRows));
  }

  /** {@link toJson} with every flow, in chunks. */
  public writeJson(sink: ITextSink): void {
    writeJson(this, requireSink('FlowMatrix.writeJson', sink), Number.POSITIVE_INFINITY);
  }

  /**
   * A Mermaid `flowchart LR`: one node per endpoint, allowed flows as edges labelled with their
   * ports, indeterminate ones as dashed edges (`? TCP/80`). Above `maxEdges` pod-to-pod edges, one
   * node per namespace with flow counts instead.
   */
  public toMermaid(options: RenderOptions = {}): string {
    const maxEdges = renderLimit('FlowMatrix.toMermaid', options, 'maxEdges', 2000);
    return collect((sink) => writeMermaid(this, sink, maxEdges));
  }
}

function collect(write: (sink: ITextSink) => void): string {
  const chunks: string[] = [];
  write({ write: (chunk) => chunks.push(chunk) });
  return chunks.join('');
}
