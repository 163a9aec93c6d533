/**
 * Mermaid rendering of flows (https://mermaid.js.org/syntax/flowchart.html), which GitHub renders
 * in Markdown code blocks tagged `mermaid`.
 */

/** A flow to draw. */
export interface MermaidFlow {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  /**
   * Draw a dashed edge (an indeterminate flow).
   * @default false
   */
  readonly dashed?: boolean;
}

/**
 * `flowchart LR` with one node per endpoint (ids `n0`, `n1`, ... in the given order, so output is
 * deterministic) and one edge per source/destination pair and style, labelled with its ports.
 */
export function renderMermaid(endpoints: string[], flows: MermaidFlow[]): string {
  const ids = new Map(endpoints.map((name, i) => [name, `n${i}`]));
  const lines = ['flowchart LR'];
  endpoints.forEach((name) => lines.push(`  ${ids.get(name)}["${escape(name)}"]`));
  const edges = new Map<string, string[]>();
  for (const flow of flows) {
    const key = `${ids.get(flow.from)} ${ids.get(flow.to)} ${flow.dashed ? '-.->' : '-->'}`;
    if (!edges.has(key)) edges.set(key, []);
    if (!edges.get(key)!.includes(flow.port)) edges.get(key)!.push(flow.port);
  }
  for (const [key, ports] of edges) {
    const [from, to, arrow] = key.split(' ');
    lines.push(`  ${from} ${arrow}|"${escape(ports.join(', '))}"| ${to}`);
  }
  return lines.join('\n') + '\n';
}

/** Mermaid entity codes for characters that would end a quoted label. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
