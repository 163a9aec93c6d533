/**
 * Computing a reachability diff (internal): the flow matrices of both manifest sets compared flow by
 * flow, the deciding objects and rules looked up once per class pair and port.
 */
import { MatrixOptions } from './flow-types';
import { MatrixData } from './matrix-evaluator';
import { L4Protocol } from './model';
import { FlowChange, FlowDiffEntry, ReachabilityDiff } from './reachability-diff';
import { PairResult } from './reachability-result';
import { Verdict, verdictOf } from './verdict';

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
      const sides = [['egress', pair.egress], ['ingress', pair.ingress], ...(pair.mesh ? [['mesh', pair.mesh] as const] : [])] as const;
      for (const [name, result] of sides) {
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
