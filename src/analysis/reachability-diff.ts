/**
 * The pull-request view of reachability: which flows a change of manifests opens and closes, and
 * which objects and rules decide each of them before and after, grouped by namespace pair. Besides
 * pod-to-pod flows, the diff compares each pod's egress to and ingress from external endpoints: one
 * per region of the address space the CIDRs of either side's policies carve out (see
 * ./external-endpoints), named by that region, e.g. `external 0.0.0.0/0 except 10.0.0.0/8`.
 */
import { MatrixOptions, RenderOptions } from './flow-types';
import { verdictWord } from './reachability-result';
import { renderLimit } from './render-limits';
import { Verdict } from './verdict';

/** Options of {@link Reachability.diff}. */
export interface DiffOptions extends MatrixOptions {
  /**
   * Also compare each pod's egress to and ingress from external endpoints: one address per region
   * the CIDRs of either side's policies carve out (`external 10.0.0.0/8 except 10.1.0.0/16`; the
   * region outside them all is `external 0.0.0.0/0 except ...`, the internet; IPv6 `::/0` only when
   * a policy names an IPv6 block), plus the cloud metadata address `external 169.254.169.254/32`
   * (egress only). Regions inside the pod CIDRs or at the node IP are left out. Egress to them is
   * compared on TCP/443, every numeric port the policies name and the single ports of `ports`;
   * ingress from them on the pod's ports, as for pod flows.
   * @default true
   */
  readonly externalEndpoints?: boolean;
}

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
  /** Source endpoint name: a pod `namespace/name` or an external endpoint `external 0.0.0.0/0 except 10.0.0.0/8`. */
  readonly source: string;
  /** Destination endpoint name (as `source`). */
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
  /** Namespace of the sources, `(external)` for external endpoints. */
  readonly sourceNamespace: string;
  /** Namespace of the destinations, `(external)` for external endpoints. */
  readonly destinationNamespace: string;
  /** The changed flows, sorted by source, destination and port. */
  readonly changes: FlowDiffEntry[];
}

/** The result of {@link Reachability.diff}. */
export class ReachabilityDiff {
  /** @internal */
  public static _create(groups: NamespacePairDiff[], notes: string[], externalEndpoints: string[]): ReachabilityDiff {
    return new ReachabilityDiff(groups, notes, externalEndpoints);
  }

  /** The changes grouped by (source namespace, destination namespace), sorted: pod pairs first, then those with external endpoints. */
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
  /** The external endpoints compared (see DiffOptions.externalEndpoints), by address. */
  public readonly externalEndpoints: string[];

  private constructor(groups: NamespacePairDiff[], notes: string[], externalEndpoints: string[]) {
    this.externalEndpoints = externalEndpoints;
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
    const max = renderLimit('ReachabilityDiff.toTable', options, 'maxRows', 10_000);
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

  /** JSON `{ summary: {opened, closed, uncertain}, groups: [...], notes, externalEndpoints }`, 2-space indentation. */
  public toJson(): string {
    return JSON.stringify({
      summary: { opened: this.opened, closed: this.closed, uncertain: this.uncertain },
      groups: this.groups,
      notes: this.notes,
      externalEndpoints: this.externalEndpoints,
    }, null, 2) + '\n';
  }

  /** Markdown for a pull-request comment: the summary, then a table per namespace pair. */
  public toMarkdown(options: RenderOptions = {}): string {
    const max = renderLimit('ReachabilityDiff.toMarkdown', options, 'maxRows', 500);
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
