/**
 * The pull-request view of reachability: which flows a change of manifests opens and closes, and
 * which objects and rules decide each of them before and after, grouped by namespace pair.
 */
import { MatrixOptions, RenderOptions } from './flow-types';
import { MatrixData } from './matrix-evaluator';
import { L4Protocol } from './model';
import { PairResult, verdictWord } from './reachability-result';
import { Verdict, verdictOf } from './verdict';

/** How a flow changed. */
export enum FlowChange {
  /** Allowed after the change; denied (or not there) before. */
  OPENED = 'opened',
  /** Allowed before the change; denied (or gone) after. */
  CLOSED = 'closed',
  /** Indeterminate before or after (and different): the change may open or close it. */
  UNCERTAIN = 'uncertain',
}

/** One flow whose verdict differs between the two manifest sets. */
export interface FlowDiffEntry {
  /** Source endpoint name. */
  readonly source: string;
  /** Destination endpoint name. */
  readonly destination: string;
  /** Destination port, e.g. `TCP/8080`. */
  readonly port: string;
  /** Opened, closed or uncertain. */
  readonly change: FlowChange;
  /**
   * The verdict before the change.
   * @default - the flow did not exist (no such pod or port)
   */
  readonly before?: Verdict;
  /**
   * The verdict after the change.
   * @default - the flow no longer exists (no such pod or port)
   */
  readonly after?: Verdict;
  /** The objects and rules deciding the flow before, e.g. `egress: NetworkPolicy shop/deny-all (isolate)`. */
  readonly decidedBefore: string[];
  /** The objects and rules deciding the flow after, e.g. `ingress: NetworkPolicy data/db spec.ingress[0] (allow)`. */
  readonly decidedAfter: string[];
}

/** The changes between one source namespace and one destination namespace. */
export interface NamespacePairDiff {
  /** Namespace of the sources. */
  readonly sourceNamespace: string;
  /** Namespace of the destinations. */
  readonly destinationNamespace: string;
  /** The changed flows, sorted by source, destination and port. */
  readonly changes: FlowDiffEntry[];
}

/** The result of {@link Reachability.diff}. */
export class ReachabilityDiff {
  /** @internal */
  public static _create(groups: NamespacePairDiff[], notes: string[]): ReachabilityDiff {
    return new ReachabilityDiff(groups, notes);
  }

  /** The changes grouped by (source namespace, destination namespace), sorted. */
  public readonly groups: NamespacePairDiff[];
  /** Every changed flow. */
  public readonly changes: FlowDiffEntry[];
  /** Flows the change opens. */
  public readonly opened: number;
  /** Flows the change closes. */
  public readonly closed: number;
  /** Flows whose verdict becomes or stops being indeterminate. */
  public readonly uncertain: number;
  /** Notes of the head (after) that the base does not have: new invalid or unevaluated objects. */
  public readonly notes: string[];

  private constructor(groups: NamespacePairDiff[], notes: string[]) {
    this.groups = groups;
    this.changes = groups.flatMap((g) => g.changes);
    this.opened = this.changes.filter((c) => c.change === FlowChange.OPENED).length;
    this.closed = this.changes.filter((c) => c.change === FlowChange.CLOSED).length;
    this.uncertain = this.changes.filter((c) => c.change === FlowChange.UNCERTAIN).length;
    this.notes = notes;
  }

  /** Does the change alter any flow? */
  public get hasChanges(): boolean {
    return this.changes.length > 0;
  }

  /** One line: `3 flows opened, 1 closed, 0 uncertain`. */
  public get summary(): string {
    return `${this.opened} flow${this.opened === 1 ? '' : 's'} opened, ${this.closed} closed, ${this.uncertain} uncertain`;
  }

  /** Aligned text: per namespace pair, CHANGE FROM TO PORT BEFORE AFTER DECIDED-BY (after the change, or before for closed flows). */
  public toTable(options: RenderOptions = {}): string {
    const max = options.maxRows ?? 10_000;
    const lines = [this.summary];
    let shown = 0;
    for (const g of this.groups) {
      lines.push('', `${g.sourceNamespace} -> ${g.destinationNamespace}`);
      const rows = [['CHANGE', 'FROM', 'TO', 'PORT', 'BEFORE', 'AFTER', 'DECIDED BY']];
      for (const c of g.changes) {
        if (shown >= max) break;
        rows.push([c.change, c.source, c.destination, c.port, word(c.before), word(c.after), cause(c).join('; ')]);
        shown++;
      }
      const widths = rows[0].map((_, i) => rows.reduce((m, r) => Math.max(m, r[i].length), 0));
      for (const r of rows) lines.push(`  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}`);
    }
    if (shown < this.changes.length) lines.push('', `... ${this.changes.length - shown} more changed flows not shown`);
    for (const n of this.notes) lines.push('', `note: ${n}`);
    return lines.join('\n') + '\n';
  }

  /** JSON `{ summary: {opened, closed, uncertain}, groups: [...], notes }`, 2-space indentation. */
  public toJson(): string {
    return JSON.stringify({
      summary: { opened: this.opened, closed: this.closed, uncertain: this.uncertain },
      groups: this.groups,
      notes: this.notes,
    }, null, 2) + '\n';
  }

  /** Markdown for a pull-request comment: the summary, then a table per namespace pair. */
  public toMarkdown(options: RenderOptions = {}): string {
    const max = options.maxRows ?? 500;
    const lines = ['### Reachability changes', '', `**${this.summary}**`];
    let shown = 0;
    for (const g of this.groups) {
      lines.push('', `#### \`${g.sourceNamespace}\` → \`${g.destinationNamespace}\``, '',
        '| change | from | to | port | before | after | decided by |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const c of g.changes) {
        if (shown >= max) break;
        lines.push(`| ${c.change} | \`${c.source}\` | \`${c.destination}\` | ${c.port} | ${word(c.before)} | ${word(c.after)} | `
          + `${cause(c).map((x) => md(x)).join('<br>')} |`);
        shown++;
      }
    }
    if (shown < this.changes.length) lines.push('', `_${this.changes.length - shown} more changed flows not shown._`);
    if (this.notes.length > 0) lines.push('', ...this.notes.map((n) => `> note: ${md(n)}`));
    return lines.join('\n') + '\n';
  }
}

function word(verdict: Verdict | undefined): string {
  return verdict === undefined ? '(none)' : verdictWord(verdict);
}

/** What to show as the cause: the head's deciders, or the base's for a flow that is gone. */
function cause(c: FlowDiffEntry): string[] {
  return c.after === undefined ? c.decidedBefore : c.decidedAfter;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** What the diff reads of each Reachability (which implements it). */
export interface DiffSource {
  readonly notes: string[];
  matrix(options: MatrixOptions): { readonly _data: MatrixData };
  _pairByName(source: string, destination: string, protocol: L4Protocol, port: number): PairResult | undefined;
}

interface Side {
  readonly reach: DiffSource;
  readonly data: MatrixData;
  readonly index: Map<string, number>;
  readonly portIndex: Array<Map<string, number>>;
}

function sideOf(reach: DiffSource, options: MatrixOptions): Side {
  const data = reach.matrix(options)._data;
  return {
    reach,
    data,
    index: new Map(data.pods.map((p, i) => [p.endpoint.name, i])),
    portIndex: data.classes.map((c) => new Map(c.ports.map((p, k) => [p.key, k]))),
  };
}

/** The verdict of `source -> destination` on `port` on one side, or undefined when the flow does not exist there. */
function verdictAt(side: Side, source: string, destination: string, port: string): { verdict: Verdict; key: string } | undefined {
  const i = side.index.get(source);
  const j = side.index.get(destination);
  if (i === undefined || j === undefined) return undefined;
  const s = side.data.classOf[i];
  const t = side.data.classOf[j];
  const k = side.portIndex[t].get(port);
  if (k === undefined) return undefined;
  return { verdict: verdictOf(side.data.verdict(s, t, k)), key: `${s} ${t} ${k}` };
}

/** The deciding objects and rules of one flow, per side, as readable lines (cached per class pair and port). */
function deciders(side: Side, cache: Map<string, string[]>, key: string, source: string, destination: string, port: string): string[] {
  let found = cache.get(key);
  if (!found) {
    const [protocol, number] = port.split('/');
    const pair = side.reach._pairByName(source, destination, protocol as L4Protocol, Number(number));
    found = [];
    if (pair) {
      for (const [name, result] of [['egress', pair.egress], ['ingress', pair.ingress]] as const) {
        found.push(...result.decidingRules.map((o) => `${name}: ${o}`));
        found.push(...result.uncertainties.map((u) => `${name}: indeterminate: ${u}`));
      }
      if (found.length === 0) found.push('no policy selects either side (default allow)');
    }
    cache.set(key, found);
  }
  return found;
}

/** Compare the flow matrices of `base` and `head` (see {@link Reachability.diff}). */
export function diffReachability(base: DiffSource, head: DiffSource, options: MatrixOptions): ReachabilityDiff {
  const before = sideOf(base, options);
  const after = sideOf(head, options);
  const names = [...new Set([...before.index.keys(), ...after.index.keys()])].sort((a, b) => a.localeCompare(b));
  const portsOf = (name: string): string[] => {
    const ports = new Set<string>();
    for (const side of [before, after]) {
      const j = side.index.get(name);
      if (j !== undefined) for (const p of side.data.classes[side.data.classOf[j]].ports) ports.add(p.key);
    }
    return [...ports].sort(comparePorts);
  };
  const destinationPorts = new Map(names.map((n) => [n, portsOf(n)]));
  const beforeCache = new Map<string, string[]>();
  const afterCache = new Map<string, string[]>();
  const groups = new Map<string, FlowDiffEntry[]>();
  for (const source of names) {
    for (const destination of names) {
      for (const port of destinationPorts.get(destination)!) {
        const b = verdictAt(before, source, destination, port);
        const a = verdictAt(after, source, destination, port);
        const change = changeOf(b?.verdict, a?.verdict);
        if (change === undefined) continue;
        const entry: FlowDiffEntry = {
          source,
          destination,
          port,
          change,
          ...(b ? { before: b.verdict } : {}),
          ...(a ? { after: a.verdict } : {}),
          decidedBefore: b ? deciders(before, beforeCache, b.key, source, destination, port) : [],
          decidedAfter: a ? deciders(after, afterCache, a.key, source, destination, port) : [],
        };
        const key = `${source.split('/')[0]}\n${destination.split('/')[0]}`;
        groups.set(key, [...(groups.get(key) ?? []), entry]);
      }
    }
  }
  const sorted = [...groups.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([key, changes]) => {
    const [sourceNamespace, destinationNamespace] = key.split('\n');
    return { sourceNamespace, destinationNamespace, changes };
  });
  const baseNotes = new Set(base.notes);
  return ReachabilityDiff._create(sorted, head.notes.filter((n) => !baseNotes.has(n)));
}

function changeOf(before: Verdict | undefined, after: Verdict | undefined): FlowChange | undefined {
  const b = before ?? Verdict.DENY;
  const a = after ?? Verdict.DENY;
  if (a === b) return undefined;
  if (a === Verdict.INDETERMINATE || b === Verdict.INDETERMINATE) return FlowChange.UNCERTAIN;
  return a === Verdict.ALLOW ? FlowChange.OPENED : FlowChange.CLOSED;
}

function comparePorts(x: string, y: string): number {
  const [px, nx] = x.split('/');
  const [py, ny] = y.split('/');
  return px < py ? -1 : px > py ? 1 : Number(nx) - Number(ny);
}
