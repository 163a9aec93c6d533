/**
 * Streaming renderings of a flow matrix (table, JSON, Mermaid): they iterate flows lazily and
 * write bounded chunks, so a 5,000-pod matrix renders without holding its flows or one huge string.
 */
import { FlowEntry, ITextSink, MatrixSummary } from './flow-types';
import { MatrixData } from './matrix-evaluator';
import { renderMermaid } from './mermaid';
import { Verdict } from './verdict';

/** What the renderings read of a flow matrix (FlowMatrix implements it). */
export interface MatrixView {
  readonly _data: MatrixData;
  readonly _cniName: string;
  readonly meshName?: string;
  readonly endpoints: string[];
  readonly flowCount: number;
  readonly summary: MatrixSummary;
  _flows(offset?: number): Iterable<FlowEntry>;
}

/** Chunks are flushed at about this many characters. */
const CHUNK = 64 * 1024;

class Buffered {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: ITextSink) {}
  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.sink.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

function maxLength(values: Iterable<string>, floor: number): number {
  let max = floor;
  for (const v of values) if (v.length > max) max = v.length;
  return max;
}

/** Column widths from the endpoints and ports (every pod is a source; destinations are pods with ports). */
function widths(matrix: MatrixView): [number, number, number] {
  const d = matrix._data;
  const hasFlows = d.flowCount > 0;
  const from = hasFlows ? maxLength(matrix.endpoints, 4) : 4;
  const to = maxLength(d.pods.filter((_, i) => d.classes[d.classOf[i]].ports.length > 0).map((p) => p.endpoint.name), 2);
  const port = maxLength(d.classes.flatMap((c) => c.ports.map((p) => p.key)), 4);
  return [from, to, port];
}

function verdictCell(flow: FlowEntry, reasons: Map<string, number>): string {
  if (flow.verdict === Verdict.DENY) {
    if (flow.meshVerdict === undefined) return 'deny';
    const layers = [flow.cniVerdict === Verdict.DENY ? 'CNI' : '', flow.meshVerdict === Verdict.DENY ? 'mesh' : ''].filter((l) => l);
    return `deny (${layers.join(', ')})`;
  }
  if (flow.verdict === Verdict.ALLOW) return flow.l7Constraints?.length ? 'allow (L7)' : 'allow';
  let n = reasons.get(flow.reason ?? '');
  if (n === undefined) reasons.set(flow.reason ?? '', n = reasons.size + 1);
  return `indeterminate [${n}]`;
}

/** The table: FROM, TO, PORT, VERDICT, then `[n] reason` for the indeterminate flows. */
export function writeTable(matrix: MatrixView, sink: ITextSink, maxRows: number): void {
  const out = new Buffered(sink);
  const [from, to, port] = widths(matrix);
  const row = (cells: string[]) => `${cells[0].padEnd(from)}  ${cells[1].padEnd(to)}  ${cells[2].padEnd(port)}  ${cells[3]}`.trimEnd() + '\n';
  out.add(row(['FROM', 'TO', 'PORT', 'VERDICT']));
  const reasons = new Map<string, number>();
  let rows = 0;
  for (const flow of matrix._flows()) {
    if (rows >= maxRows) break;
    out.add(row([flow.source, flow.destination, flow.port, verdictCell(flow, reasons)]));
    rows++;
  }
  if (rows < matrix.flowCount) {
    const s = matrix.summary;
    out.add(`... ${matrix.flowCount - rows} more flows not shown (${s.flows} in all: ${s.allowed} allowed, ${s.denied} denied, `
      + `${s.indeterminate} indeterminate)\n`);
  }
  if (reasons.size > 0) {
    out.add('\n');
    for (const [reason, n] of reasons) out.add(`[${n}] indeterminate: ${reason}\n`);
  }
  out.flush();
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}

/**
 * One flow as `JSON.stringify(flow, null, 2)` indented by four spaces, written by hand: at millions
 * of flows, the generic stringify is most of the cost.
 */
function flowJson(flow: FlowEntry, quoted: Map<string, string>): string {
  const q = (text: string) => {
    let found = quoted.get(text);
    if (found === undefined) {
      found = JSON.stringify(text);
      if (quoted.size < 100_000) quoted.set(text, found);
    }
    return found;
  };
  let text = `    {\n      "source": ${q(flow.source)},\n      "destination": ${q(flow.destination)},\n      "port": ${q(flow.port)},\n`
    + `      "verdict": "${flow.verdict}",\n      "allowed": ${flow.allowed}`;
  if (flow.reason !== undefined) text += `,\n      "reason": ${q(flow.reason)}`;
  if (flow.l7Constraints !== undefined) text += `,\n      "l7Constraints": ${indent(JSON.stringify(flow.l7Constraints, null, 2), '      ').trimStart()}`;
  if (flow.cniVerdict !== undefined) text += `,\n      "cniVerdict": "${flow.cniVerdict}"`;
  if (flow.meshVerdict !== undefined) text += `,\n      "meshVerdict": "${flow.meshVerdict}"`;
  return `${text}\n    }`;
}

/** JSON `{ cni, endpoints, summary, flows[, truncated] }`, formatted like `JSON.stringify(doc, null, 2)`. */
export function writeJson(matrix: MatrixView, sink: ITextSink, maxRows: number): void {
  const out = new Buffered(sink);
  const head = JSON.stringify({
    cni: matrix._cniName, ...(matrix.meshName !== undefined ? { mesh: matrix.meshName } : {}), endpoints: matrix.endpoints, summary: matrix.summary,
  }, null, 2);
  out.add(`${head.slice(0, head.length - 2)},\n  "flows": [`);
  let rows = 0;
  const quoted = new Map<string, string>();
  for (const flow of matrix._flows()) {
    if (rows >= maxRows) break;
    out.add(`${rows === 0 ? '\n' : ',\n'}${flowJson(flow, quoted)}`);
    rows++;
  }
  out.add(rows === 0 ? ']' : '\n  ]');
  if (rows < matrix.flowCount) out.add(',\n  "truncated": true');
  out.add('\n}\n');
  out.flush();
}

/** Mermaid: pod nodes and per-pair edges, or namespace nodes when there are more than `maxEdges` pod edges. */
export function writeMermaid(matrix: MatrixView, sink: ITextSink, maxEdges: number): void {
  const d = matrix._data;
  // Per class pair: the port labels of allowed and of indeterminate flows.
  const labels = new Map<number, { allowed: string[]; maybe: string[] }>();
  const n = d.classes.length;
  let edges = 0;
  d.classes.forEach((src, s) => d.classes.forEach((dst, t) => {
    const allowed: string[] = [];
    const maybe: string[] = [];
    dst.ports.forEach((p, k) => {
      const v = d.verdict(s, t, k);
      if (v === 1) allowed.push(d.l7(s, t, k).length > 0 ? `${p.key} (L7)` : p.key);
      else if (v === 2) maybe.push(`? ${p.key}`);
    });
    if (allowed.length === 0 && maybe.length === 0) return;
    labels.set(s * n + t, { allowed, maybe });
    edges += src.size * dst.size * ((allowed.length > 0 ? 1 : 0) + (maybe.length > 0 ? 1 : 0));
  }));
  if (edges <= maxEdges) {
    const flows: Array<{ from: string; to: string; port: string; dashed?: boolean }> = [];
    d.pods.forEach((a, i) => d.pods.forEach((b, j) => {
      const l = labels.get(d.classOf[i] * n + d.classOf[j]);
      if (!l) return;
      for (const port of l.allowed) flows.push({ from: a.endpoint.name, to: b.endpoint.name, port });
      for (const port of l.maybe) flows.push({ from: a.endpoint.name, to: b.endpoint.name, port, dashed: true });
    }));
    sink.write(renderMermaid(matrix.endpoints, flows));
    return;
  }
  // Namespace level: counts of allowed and indeterminate flows between namespaces (a class lies in one namespace).
  const nsOfClass = (c: number) => d.classes[c].rep.endpoint.namespace ?? '';
  const namespaces = [...new Set(d.classes.map((_, c) => nsOfClass(c)))].sort();
  const counts = new Map<string, { allowed: number; maybe: number }>();
  for (const [key, l] of labels) {
    const s = Math.floor(key / n);
    const t = key % n;
    const pairs = d.classes[s].size * d.classes[t].size;
    const pair = `${nsOfClass(s)}\n${nsOfClass(t)}`;
    const c = counts.get(pair) ?? { allowed: 0, maybe: 0 };
    c.allowed += l.allowed.length * pairs;
    c.maybe += l.maybe.length * pairs;
    counts.set(pair, c);
  }
  const flows: Array<{ from: string; to: string; port: string; dashed?: boolean }> = [];
  for (const [pair, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [from, to] = pair.split('\n');
    if (c.allowed > 0) flows.push({ from, to, port: `${c.allowed} allowed flows` });
    if (c.maybe > 0) flows.push({ from, to, port: `? ${c.maybe} indeterminate flows`, dashed: true });
  }
  sink.write(`%% ${edges} pod-to-pod edges exceed ${maxEdges}: one node per namespace\n`);
  sink.write(renderMermaid(namespaces, flows));
}
