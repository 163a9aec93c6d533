/**
 * The flow matrix as table, JSON and Mermaid, written flow by flow to a {@link ReportWriter}: a
 * matrix of millions of flows is never held as one string, and the table summarizes above a row
 * limit. Every writer reads the flows through {@link flowsOf}.
 */
import { ReportWriter } from './output';
import { FlowEntry, FlowMatrix } from '../analysis/flow-matrix';

/**
 * The flows of `matrix`, in the matrix's order (source, destination, protocol, port). The one place
 * the command line reads them: a lazily generated sequence replaces the array here.
 */
export function flowsOf(matrix: FlowMatrix): Iterable<FlowEntry> {
  return matrix.flows;
}

/** The VERDICT cell of a flow. */
export function verdictLabel(flow: FlowEntry): string {
  if (!flow.allowed) return 'deny';
  return flow.l7Constraints?.length ? 'allow (L7)' : 'allow';
}

/** The namespace of an endpoint name (`namespace/name`). */
function namespaceOf(endpoint: string): string {
  const slash = endpoint.indexOf('/');
  return slash < 0 ? endpoint : endpoint.slice(0, slash);
}

/** Flow counts by verdict. */
interface Counts {
  allow: number;
  allowL7: number;
  deny: number;
}

function count(counts: Counts, flow: FlowEntry): void {
  if (!flow.allowed) counts.deny++;
  else if (flow.l7Constraints?.length) counts.allowL7++;
  else counts.allow++;
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
const flowRow = (f: FlowEntry): string[] => [f.source, f.destination, f.port, verdictLabel(f)];

/**
 * The table FROM, TO, PORT, VERDICT. Above `maxRows` flows, the allowed and denied flows per
 * namespace pair instead (at most `maxRows` pairs); `maxRows` undefined lists every flow (two passes
 * over `flows()`: one for the column widths, one to print).
 * @returns how many flows there are
 */
export function writeTable(out: ReportWriter, flows: () => Iterable<FlowEntry>, maxRows: number | undefined): number {
  if (maxRows === undefined) {
    const widths = HEADER.map((h) => h.length);
    let total = 0;
    for (const f of flows()) {
      widen(widths, flowRow(f));
      total++;
    }
    writeAligned(out, [HEADER], widths);
    writeAligned(out, mapIterable(flows(), flowRow), widths);
    return total;
  }
  const rows: string[][] = [];
  const pairs = new Map<string, Counts>();
  const totals: Counts = { allow: 0, allowL7: 0, deny: 0 };
  let total = 0;
  for (const f of flows()) {
    total++;
    if (total <= maxRows) rows.push(flowRow(f));
    else if (rows.length > 0) rows.length = 0;
    const key = `${namespaceOf(f.source)}\n${namespaceOf(f.destination)}`;
    let counts = pairs.get(key);
    if (counts === undefined) {
      counts = { allow: 0, allowL7: 0, deny: 0 };
      pairs.set(key, counts);
    }
    count(counts, f);
    count(totals, f);
  }
  if (total <= maxRows) {
    const widths = HEADER.map((h) => h.length);
    for (const r of rows) widen(widths, r);
    writeAligned(out, [HEADER, ...rows], widths);
    return total;
  }
  writeSummary(out, total, totals, pairs, maxRows);
  return total;
}

function writeSummary(out: ReportWriter, total: number, totals: Counts, pairs: Map<string, Counts>, maxRows: number): void {
  const l7 = totals.allowL7 > 0 ? ` (${totals.allowL7} of them with L7 constraints)` : '';
  out.write(`${total} flows, more than --max-rows ${maxRows}: ${totals.allow + totals.allowL7} allowed${l7}, `
    + `${totals.deny} denied. Counted per namespace pair; --all lists every flow, --format json too.\n\n`);
  const header = ['FROM NAMESPACE', 'TO NAMESPACE', 'ALLOW', 'ALLOW (L7)', 'DENY'];
  const keys = [...pairs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = keys.slice(0, maxRows).map((key) => {
    const [from, to] = key.split('\n');
    const c = pairs.get(key)!;
    return [from, to, String(c.allow), String(c.allowL7), String(c.deny)];
  });
  const widths = header.map((h) => h.length);
  for (const r of shown) widen(widths, r);
  writeAligned(out, [header, ...shown], widths);
  if (keys.length > shown.length) out.write(`... and ${keys.length - shown.length} more namespace pairs (--all lists every flow)\n`);
}

function* mapIterable<T, U>(items: Iterable<T>, f: (item: T) => U): Iterable<U> {
  for (const item of items) yield f(item);
}

/** The parts of the JSON report besides the matrix, in output order (undefined parts are left out). */
export interface JsonReportParts {
  readonly schemaVersion: number;
  readonly cni: string;
  readonly endpoints: readonly string[];
  readonly [key: string]: unknown;
}

/**
 * One JSON document `{ schemaVersion, cni, endpoints, flows, ...rest }`, 2-space indented, with one
 * flow per line. `rest` keys keep their order; undefined values are left out.
 * @returns how many flows were written
 */
export function writeJsonReport(out: ReportWriter, head: JsonReportParts, flows: Iterable<FlowEntry>,
  rest: Readonly<Record<string, unknown>>): number {
  const member = (key: string, value: unknown) => `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
  out.write('{\n');
  out.write([member('schemaVersion', head.schemaVersion), member('cni', head.cni), member('endpoints', head.endpoints)].join(',\n'));
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
 * A Mermaid `flowchart LR` (https://mermaid.js.org/syntax/flowchart.html) of the allowed flows: one
 * node per endpoint (ids `n0`, `n1`, ... in `endpoints` order), one edge per source/destination pair
 * labelled with its ports. Relies on the flows coming grouped by source and destination.
 * @returns how many edges were written
 */
export function writeMermaid(out: ReportWriter, endpoints: readonly string[], flows: Iterable<FlowEntry>): number {
  const ids = new Map(endpoints.map((name, i) => [name, `n${i}`]));
  out.write('flowchart LR\n');
  endpoints.forEach((name, i) => out.write(`  n${i}["${escapeMermaid(name)}"]\n`));
  let edges = 0;
  let current: { from: string; to: string; ports: string[] } | undefined;
  const flush = () => {
    if (current === undefined) return;
    out.write(`  ${ids.get(current.from)} -->|"${escapeMermaid(current.ports.join(', '))}"| ${ids.get(current.to)}\n`);
    edges++;
  };
  for (const f of flows) {
    if (!f.allowed) continue;
    const port = f.l7Constraints?.length ? `${f.port} (L7)` : f.port;
    if (current?.from === f.source && current.to === f.destination) {
      if (!current.ports.includes(port)) current.ports.push(port);
      continue;
    }
    flush();
    current = { from: f.source, to: f.destination, ports: [port] };
  }
  flush();
  return edges;
}

/** Mermaid entity codes for the characters that would end a quoted label. */
function escapeMermaid(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
