/**
 * The flow matrix as table, JSON and Mermaid, written flow by flow to a {@link ReportWriter}: a
 * matrix of millions of flows is never held as one string, and the table summarizes above a row
 * limit. Every writer reads the flows through {@link flowsOf}. In an analysis with a mesh, each
 * shows which layer denies (flows carry `cniVerdict` and `meshVerdict`).
 */
import { ReportWriter } from './output';
import { FlowMatrix } from '../analysis/flow-matrix';
import { FlowEntry, MatrixSummary } from '../analysis/flow-types';
import { namespaceOfEndpoint } from '../analysis/inventory';
import { Verdict } from '../analysis/verdict';
import { printable } from '../util/printable';

/**
 * The flows of `matrix`, in the matrix's order (source, destination, protocol, port), produced as
 * they are read (nothing is stored). The one place the command line reads them.
 */
export function flowsOf(matrix: FlowMatrix): Iterable<FlowEntry> {
  return matrix._flows();
}

/**
 * Numbers the distinct reasons of indeterminate flows in the order they are met, so a table cell
 * says `indeterminate [2]` and the legend below the table gives reason 2 once.
 */
class Reasons {
  public readonly numbers = new Map<string, number>();

  public numberOf(reason: string): number {
    let n = this.numbers.get(reason);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(reason, n);
    }
    return n;
  }
}

/**
 * The VERDICT cell of a flow: `allow`, `allow (L7)`, `deny` or `indeterminate [n]`; with a mesh, a
 * denial names the layers that deny: `deny (CNI)`, `deny (mesh)` or `deny (CNI, mesh)`.
 */
function verdictCell(flow: FlowEntry, reasons: Reasons): string {
  if (flow.verdict === Verdict.DENY) {
    if (flow.meshVerdict === undefined) return 'deny';
    const layers = [...(flow.cniVerdict === Verdict.DENY ? ['CNI'] : []), ...(flow.meshVerdict === Verdict.DENY ? ['mesh'] : [])];
    return `deny (${layers.join(', ')})`;
  }
  if (flow.verdict === Verdict.ALLOW) return flow.l7Constraints?.length ? 'allow (L7)' : 'allow';
  return `indeterminate [${reasons.numberOf(flow.reason ?? 'unknown')}]`;
}

/** Flow counts by verdict; with a mesh, the denials by each layer too (a flow both deny counts in both). */
interface Counts {
  allow: number;
  allowL7: number;
  deny: number;
  denyCni: number;
  denyMesh: number;
  indeterminate: number;
}

const noCounts = (): Counts => ({ allow: 0, allowL7: 0, deny: 0, denyCni: 0, denyMesh: 0, indeterminate: 0 });

function count(counts: Counts, flow: FlowEntry): void {
  if (flow.verdict === Verdict.INDETERMINATE) counts.indeterminate++;
  else if (flow.verdict === Verdict.ALLOW && flow.l7Constraints?.length) counts.allowL7++;
  else if (flow.verdict === Verdict.ALLOW) counts.allow++;
  else countDenial(counts, flow);
}

function countDenial(counts: Counts, flow: FlowEntry): void {
  counts.deny++;
  if (flow.cniVerdict === Verdict.DENY) counts.denyCni++;
  if (flow.meshVerdict === Verdict.DENY) counts.denyMesh++;
}

/** Rows of cells as an aligned text table (two spaces between columns, no trailing blanks). */
function writeAligned(out: ReportWriter, rows: Iterable<string[]>, widths: number[]): void {
  for (const r of rows) out.write(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd() + '\n');
}

function widen(widths: number[], row: string[]): void {
  row.forEach((cell, i) => {
    if (cell.length > widths[i]) widths[i] = cell.length;
  });
}

const HEADER = ['FROM', 'TO', 'PORT', 'VERDICT'];

/** How the table went: how many flows, and whether some are indeterminate. */
export interface TableResult {
  readonly flows: number;
  readonly indeterminate: number;
}

/**
 * The table FROM, TO, PORT, VERDICT, then the reason of each `indeterminate [n]`. Above `maxRows`
 * flows, the allowed, denied and indeterminate flows per namespace pair instead (at most `maxRows`
 * pairs; with `meshName`, the denials by the CNI and by the mesh too); `maxRows` undefined lists every
 * flow (two passes over `flows()`: one for the column widths, one to print).
 */
export function writeTable(out: ReportWriter, flows: () => Iterable<FlowEntry>, maxRows: number | undefined,
  meshName?: string): TableResult {
  const totals = noCounts();
  if (maxRows === undefined) {
    const widths = HEADER.map((h) => h.length);
    const sizing = new Reasons();
    for (const f of flows()) {
      widen(widths, [printable(f.source), printable(f.destination), printable(f.port), verdictCell(f, sizing)]);
      count(totals, f);
    }
    const reasons = new Reasons();
    writeAligned(out, [HEADER], widths);
    const cells = (f: FlowEntry) => [printable(f.source), printable(f.destination), printable(f.port), verdictCell(f, reasons)];
    writeAligned(out, mapIterable(flows(), cells), widths);
    writeReasons(out, reasons, undefined);
    return { flows: flowCount(totals), indeterminate: totals.indeterminate };
  }
  const rows: string[][] = [];
  const reasons = new Reasons();
  const pairs = new Map<string, Counts>();
  let total = 0;
  for (const f of flows()) {
    total++;
    if (total <= maxRows) rows.push([printable(f.source), printable(f.destination), printable(f.port), verdictCell(f, reasons)]);
    else if (rows.length > 0) rows.length = 0;
    if (total > maxRows && f.verdict === Verdict.INDETERMINATE) reasons.numberOf(f.reason ?? 'unknown');
    // JSON, not a separator character: a namespace may hold any character (the analyzer does not require valid names).
    const key = JSON.stringify([namespaceOfEndpoint(f.source), namespaceOfEndpoint(f.destination)]);
    let counts = pairs.get(key);
    if (counts === undefined) {
      counts = noCounts();
      pairs.set(key, counts);
    }
    count(counts, f);
    count(totals, f);
  }
  if (total <= maxRows) {
    const widths = HEADER.map((h) => h.length);
    for (const r of rows) widen(widths, r);
    writeAligned(out, [HEADER, ...rows], widths);
    writeReasons(out, reasons, undefined);
  } else {
    writeSummary(out, total, totals, pairs, maxRows, meshName);
    writeReasons(out, reasons, maxRows);
  }
  return { flows: total, indeterminate: totals.indeterminate };
}

function flowCount(c: Counts): number {
  return c.allow + c.allowL7 + c.deny + c.indeterminate;
}

/** `[n] indeterminate: reason` for each reason (at most `max`). */
function writeReasons(out: ReportWriter, reasons: Reasons, max: number | undefined): void {
  if (reasons.numbers.size === 0) return;
  out.write('\n');
  let shown = 0;
  for (const [reason, n] of reasons.numbers) {
    if (max !== undefined && shown >= max) break;
    out.write(`[${n}] indeterminate: ${reason}\n`);
    shown++;
  }
  if (shown < reasons.numbers.size) out.write(`... and ${reasons.numbers.size - shown} more reasons (--format json gives each flow's)\n`);
}

function writeSummary(out: ReportWriter, total: number, totals: Counts, pairs: Map<string, Counts>, maxRows: number,
  meshName: string | undefined): void {
  const l7 = totals.allowL7 > 0 ? ` (${totals.allowL7} of them with L7 constraints)` : '';
  const layers = meshName !== undefined ? ` (${totals.denyCni} by the CNI, ${totals.denyMesh} by the mesh ${meshName})` : '';
  out.write(`${total} flows, more than --max-rows ${maxRows}: ${totals.allow + totals.allowL7} allowed${l7}, `
    + `${totals.deny} denied${layers}, ${totals.indeterminate} indeterminate. Counted per namespace pair; --all lists every flow, --format json too.\n\n`);
  const mesh = meshName !== undefined;
  const header = ['FROM NAMESPACE', 'TO NAMESPACE', 'ALLOW', 'ALLOW (L7)', 'DENY', ...(mesh ? ['DENY (CNI)', 'DENY (MESH)'] : []), 'INDETERMINATE'];
  const keys = [...pairs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = keys.slice(0, maxRows).map((key) => {
    const [from, to] = JSON.parse(key) as [string, string];
    const c = pairs.get(key)!;
    return [printable(from), printable(to), String(c.allow), String(c.allowL7), String(c.deny),
      ...(mesh ? [String(c.denyCni), String(c.denyMesh)] : []),
      String(c.indeterminate)];
  });
  const widths = header.map((h) => h.length);
  for (const r of shown) widen(widths, r);
  writeAligned(out, [header, ...shown], widths);
  if (keys.length > shown.length) out.write(`... and ${keys.length - shown.length} more namespace pairs (--all lists every flow)\n`);
}

function* mapIterable<T, U>(items: Iterable<T>, f: (item: T) => U): Iterable<U> {
  for (const item of items) yield f(item);
}

/** The parts of the JSON report before the flows. */
export interface JsonReportHead {
  readonly schemaVersion: number;
  readonly cni: string;
  /**
   * The mesh of the analysis (`FlowMatrix.meshName`).
   * @default - no mesh layer: the key is left out
   */
  readonly mesh?: string;
  /** The matrix's counts (`FlowMatrix.summary`). */
  readonly summary: MatrixSummary;
  readonly endpoints: readonly string[];
}

/**
 * One JSON document `{ schemaVersion, cni[, mesh], summary, endpoints, flows, ...rest }`, 2-space
 * indented, with one flow per line. Keys keep their order; undefined values are left out.
 * @returns how many flows were written
 */
export function writeJsonReport(out: ReportWriter, head: JsonReportHead, flows: Iterable<FlowEntry>,
  rest: Readonly<Record<string, unknown>>): number {
  const member = (key: string, value: unknown) => `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
  out.write('{\n');
  out.write(Object.entries(head).filter(([, value]) => value !== undefined).map(([key, value]) => member(key, value)).join(',\n'));
  out.write(',\n  "flows": [');
  let n = 0;
  for (const f of flows) {
    out.write(`${n === 0 ? '' : ','}\n    ${JSON.stringify(f)}`);
    n++;
  }
  out.write(n === 0 ? ']' : '\n  ]');
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) out.write(`,\n${member(key, value)}`);
  }
  out.write('\n}\n');
  return n;
}

/**
 * A Mermaid `flowchart LR` (https://mermaid.js.org/syntax/flowchart.html) of the allowed flows and,
 * dashed, the indeterminate ones (`? TCP/80`): one node per endpoint (ids `n0`, `n1`, ... in
 * `endpoints` order), per source/destination pair one edge for its allowed ports and one for its
 * indeterminate ports. With `meshName`, a cross edge (`--x`) per pair for the ports the CNI allows
 * and the mesh denies, and a comment line that says so. Relies on the flows coming grouped by
 * source and destination.
 * @returns how many edges were written
 */
export function writeMermaid(out: ReportWriter, endpoints: readonly string[], flows: Iterable<FlowEntry>, meshName?: string): number {
  const ids = new Map(endpoints.map((name, i) => [name, `n${i}`]));
  out.write('flowchart LR\n');
  if (meshName !== undefined) {
    out.write(`%% mesh ${meshName}: --> allowed by the CNI and the mesh, -.-> indeterminate, --x the CNI allows and the mesh denies\n`);
  }
  endpoints.forEach((name, i) => out.write(`  n${i}["${escapeMermaid(name)}"]\n`));
  let edges = 0;
  let current: { from: string; to: string; allowed: string[]; maybe: string[]; meshDenied: string[] } | undefined;
  const edge = (from: string, to: string, arrow: string, ports: string[]) => {
    if (ports.length === 0) return;
    out.write(`  ${ids.get(from)} ${arrow}|"${escapeMermaid(ports.join(', '))}"| ${ids.get(to)}\n`);
    edges++;
  };
  const flush = () => {
    if (current === undefined) return;
    edge(current.from, current.to, '-->', current.allowed);
    edge(current.from, current.to, '-.->', current.maybe);
    edge(current.from, current.to, '--x', current.meshDenied);
  };
  for (const f of flows) {
    const meshDenied = f.verdict === Verdict.DENY && f.cniVerdict === Verdict.ALLOW && f.meshVerdict === Verdict.DENY;
    if (f.verdict === Verdict.DENY && !meshDenied) continue;
    if (current === undefined || current.from !== f.source || current.to !== f.destination) {
      flush();
      current = { from: f.source, to: f.destination, allowed: [], maybe: [], meshDenied: [] };
    }
    const [list, port] = meshDenied ? [current.meshDenied, `${f.port} (mesh denies)`]
      : f.verdict === Verdict.ALLOW ? [current.allowed, f.l7Constraints?.length ? `${f.port} (L7)` : f.port]
        : [current.maybe, `? ${f.port}`];
    if (!list.includes(port)) list.push(port);
  }
  flush();
  return edges;
}

/** Mermaid entity codes for the characters that would end a quoted label (control characters escaped first). */
function escapeMermaid(text: string): string {
  return printable(text).replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

