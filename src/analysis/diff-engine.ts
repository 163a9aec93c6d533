/**
 * Computing a reachability diff (internal): the flow matrices of both manifest sets compared flow by
 * flow, the deciding objects and rules looked up once per class pair and port. Flows between pods
 * and external endpoints are decided once per group of pods of the matrix (pods the same policies
 * select and match), endpoint, direction and port, their deciders looked up only for changed flows,
 * and listed for every pod of the group.
 */
import { EXTERNAL_NAMESPACE, ExternalFacts, ExternalRegion, externalEndpoint, externalRegions } from './external-endpoints';
import { MatrixOptions } from './flow-types';
import { namespaceOfEndpoint } from './inventory';
import { MatrixData } from './matrix-evaluator';
import { Endpoint, L4Protocol } from './model';
import { DiffOptions, FlowChange, FlowDiffEntry, ReachabilityDiff } from './reachability-diff';
import { PairResult } from './reachability-result';
import { Verdict, verdictOf } from './verdict';

/** What the diff reads of each Reachability (which implements it). */
export interface DiffSource {
  readonly notes: string[];
  matrix(options: MatrixOptions): { readonly _data: MatrixData };
  _pairByName(source: string, destination: string, protocol: L4Protocol, port: number): PairResult | undefined;
  _externalFacts(): ExternalFacts;
  _externalPair(pod: string, external: ExternalRegion, podIsSource: boolean, protocol: L4Protocol, port: number): PairResult | undefined;
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
    found = pair ? decidersOf(pair) : [];
    cache.set(key, found);
  }
  return found;
}

/**
 * The deciding objects and rules of one pair, as the diff lists them. They are cached per class pair
 * and port, so they name objects and rules, never a pod: a side denied by a default of the CNI or the
 * mesh (no object decides) says so, and its reason (which names the pods) is left to `check`.
 */
export function decidersOf(pair: PairResult): string[] {
  const found: string[] = [];
  const sides = [['egress', pair.egress], ['ingress', pair.ingress], ...(pair.mesh ? [['mesh', pair.mesh] as const] : [])] as const;
  for (const [name, result] of sides) {
    found.push(...result.decidingRules.map((o) => `${name}: ${o}`));
    found.push(...result.uncertainties.map((u) => `${name}: indeterminate: ${u}`));
    if (result.verdict === Verdict.DENY && result.decidingRules.length === 0) {
      found.push(`${name}: denied by a default of the ${name === 'mesh' ? 'mesh' : 'CNI'}, not by a policy object (check gives the reason)`);
    }
  }
  // The pair's own uncertainties (the CNI seeing the mesh's tunnel port) that no side lists.
  const listed = new Set([...pair.egress.uncertainties, ...pair.ingress.uncertainties, ...(pair.mesh?.uncertainties ?? []).map((u) => `mesh: ${u}`)]);
  found.push(...pair.uncertainties.filter((u) => !listed.has(u)).map((u) => `CNI: indeterminate: ${u}`));
  if (found.length === 0) found.push('no policy decides the flow (allowed by default)');
  return found;
}

/** A verdict between a pod and an external endpoint on one side; its deciders are looked up when a change lists them. */
interface ExternalCell {
  readonly verdict: Verdict;
  /** The pod it was asked for: every pod of its group gets the same verdict and deciders. */
  readonly pod: string;
  deciders?: string[];
}

/**
 * One side's verdicts between pods and external endpoints, asked once per group of pods (the
 * matrix's groups, see MatrixData.externalGroup; the pod class with a mesh), endpoint, direction
 * and port: a cluster of a thousand pods has a few hundred groups.
 */
class ExternalSide {
  private readonly cells = new Map<string, ExternalCell | undefined>();

  constructor(private readonly side: Side) {}

  /** The group of `pod` for one direction, with its ports when it receives; `-` when the pod is not on this side. */
  key(pod: string, podIsSource: boolean): string {
    const i = this.side.index.get(pod);
    if (i === undefined) return '-';
    const c = this.side.data.classOf[i];
    const group = this.side.data.externalGroup(c, podIsSource) ?? `c${c}`;
    return podIsSource ? group : `${group} ${this.side.data.classes[c].ports.map((p) => p.key).join(',')}`;
  }

  /** The verdict between `pod` and an external endpoint, or undefined when the pod (or, into the pod, the port) is not there. */
  at(pod: string, external: ExternalRegion, outside: Endpoint, region: number, podIsSource: boolean, port: string): ExternalCell | undefined {
    const i = this.side.index.get(pod);
    if (i === undefined) return undefined;
    const c = this.side.data.classOf[i];
    if (!podIsSource && this.side.portIndex[c].get(port) === undefined) return undefined;
    const group = this.side.data.externalGroup(c, podIsSource);
    const key = `${group ?? `c${c}`} ${region} ${podIsSource ? 'e' : 'i'} ${port}`;
    if (!this.cells.has(key)) {
      const [protocol, number] = port.split('/');
      if (group !== undefined) {
        const verdict = this.side.data.externalVerdict(c, outside, podIsSource, protocol as L4Protocol, Number(number));
        this.cells.set(key, { verdict: verdictOf(verdict), pod });
      } else {
        const pair = this.side.reach._externalPair(pod, external, podIsSource, protocol as L4Protocol, Number(number));
        this.cells.set(key, pair ? { verdict: pair.verdict, pod, deciders: decidersOf(pair) } : undefined);
      }
    }
    return this.cells.get(key);
  }

  /** The deciding objects and rules of a cell (asked of its pod once). */
  deciders(cell: ExternalCell, external: ExternalRegion, podIsSource: boolean, port: string): string[] {
    if (!cell.deciders) {
      const [protocol, number] = port.split('/');
      const pair = this.side.reach._externalPair(cell.pod, external, podIsSource, protocol as L4Protocol, Number(number));
      cell.deciders = pair ? decidersOf(pair) : [];
    }
    return cell.deciders;
  }
}

/** A changed flow between a pod and an external endpoint, for every pod of a pair of groups (before, after). */
interface ExternalChange extends Omit<FlowDiffEntry, 'source' | 'destination'> {
  readonly external: ExternalRegion;
  readonly podIsSource: boolean;
}

/** Ports asked for egress to external endpoints: TCP/443, the policies' numeric ports, the extra single ports. */
function externalEgressPorts(facts: readonly ExternalFacts[], options: MatrixOptions): string[] {
  const extra = (options.ports ?? []).filter((p) => p.number !== undefined && p.endPort === undefined && p.name === undefined)
    .map((p) => `${p.protocol}/${p.number}`);
  return [...new Set(['TCP/443', ...facts.flatMap((f) => f.ports), ...extra])].sort(comparePorts);
}

/** Compare the flow matrices of `base` and `head` (see {@link Reachability.diff}). */
export function diffReachability(base: DiffSource, head: DiffSource, options: DiffOptions): ReachabilityDiff {
  // The matrices take the matrix options only (they refuse fields they do not know).
  const matrixOptions: MatrixOptions = { ports: options.ports, includeDeclaredPorts: options.includeDeclaredPorts };
  const before = sideOf(base, matrixOptions);
  const after = sideOf(head, matrixOptions);
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
        addEntry(groups, `${namespaceOfEndpoint(source)}\n${namespaceOfEndpoint(destination)}`, {
          source,
          destination,
          port,
          change,
          ...(b ? { before: b.verdict } : {}),
          ...(a ? { after: a.verdict } : {}),
          decidedBefore: b ? deciders(before, beforeCache, b.key, source, destination, port) : [],
          decidedAfter: a ? deciders(after, afterCache, a.key, source, destination, port) : [],
        });
      }
    }
  }
  // Each side's facts walk all of its manifests: read once.
  const facts = options.externalEndpoints === false ? [] : [base._externalFacts(), head._externalFacts()];
  const externals = facts.length === 0 ? [] : externalRegions(facts);
  if (externals.length > 0) {
    const egressPorts = externalEgressPorts(facts, options);
    const outsides = externals.map(externalEndpoint);
    const beforeExt = new ExternalSide(before);
    const afterExt = new ExternalSide(after);
    /** The changes per endpoint (in the order of `externals`) of one pod, one direction. */
    const changesOf = (pod: string, podIsSource: boolean): ExternalChange[][] => externals.map((external, region) => {
      const found: ExternalChange[] = [];
      // The metadata address is a destination; nothing sends from it to a pod.
      if (!podIsSource && external.metadata) return found;
      for (const port of podIsSource ? egressPorts : destinationPorts.get(pod)!) {
        const b = beforeExt.at(pod, external, outsides[region], region, podIsSource, port);
        const a = afterExt.at(pod, external, outsides[region], region, podIsSource, port);
        const change = changeOf(b?.verdict, a?.verdict);
        if (change === undefined) continue;
        found.push({
          external,
          podIsSource,
          port,
          change,
          ...(b ? { before: b.verdict } : {}),
          ...(a ? { after: a.verdict } : {}),
          decidedBefore: b ? beforeExt.deciders(b, external, podIsSource, port) : [],
          decidedAfter: a ? afterExt.deciders(a, external, podIsSource, port) : [],
        });
      }
      return found;
    });
    // Pods in the same groups on both sides have the same external flows: listed once per pair of groups.
    const listed = [new Map<string, ExternalChange[][]>(), new Map<string, ExternalChange[][]>()];
    const changesOfGroups = (pod: string, podIsSource: boolean): ExternalChange[][] => {
      const cache = listed[podIsSource ? 0 : 1];
      const key = `${beforeExt.key(pod, podIsSource)}\n${afterExt.key(pod, podIsSource)}`;
      let found = cache.get(key);
      if (!found) {
        found = changesOf(pod, podIsSource);
        cache.set(key, found);
      }
      return found;
    };
    for (const pod of names) {
      const egress = changesOfGroups(pod, true);
      const ingress = changesOfGroups(pod, false);
      const namespace = namespaceOfEndpoint(pod);
      for (let region = 0; region < externals.length; region++) {
        for (const c of [...egress[region], ...ingress[region]]) {
          const { external, podIsSource, port, change, before: b, after: a, decidedBefore, decidedAfter } = c;
          addEntry(groups, podIsSource ? `${namespace}\n${EXTERNAL_NAMESPACE}` : `${EXTERNAL_NAMESPACE}\n${namespace}`, {
            source: podIsSource ? pod : external.name,
            destination: podIsSource ? external.name : pod,
            port,
            change,
            ...(b ? { before: b } : {}),
            ...(a ? { after: a } : {}),
            decidedBefore,
            decidedAfter,
          });
        }
      }
    }
  }
  // Pod pairs first, then the flows to and from external endpoints; each part sorted by key.
  const order = entryOrder(externals);
  const rank = (key: string) => (key.includes(EXTERNAL_NAMESPACE) ? 1 : 0);
  const sorted = [...groups.entries()]
    .sort(([x], [y]) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, changes]) => {
      const [sourceNamespace, destinationNamespace] = key.split('\n');
      return { sourceNamespace, destinationNamespace, changes: [...changes].sort(order) };
    });
  const baseNotes = new Set(base.notes);
  return ReachabilityDiff._create(sorted, head.notes.filter((n) => !baseNotes.has(n)), externals.map((e) => e.name));
}

/** Append `entry` to the group `key` (in place: a copy per entry would be quadratic in a group's size). */
function addEntry(groups: Map<string, FlowDiffEntry[]>, key: string, entry: FlowDiffEntry): void {
  const list = groups.get(key);
  if (list) list.push(entry);
  else groups.set(key, [entry]);
}

/** How a flow's verdict changed (a missing flow counts as denied), or undefined when it did not. */
export function changeOf(before: Verdict | undefined, after: Verdict | undefined): FlowChange | undefined {
  const b = before ?? Verdict.DENY;
  const a = after ?? Verdict.DENY;
  if (a === b) return undefined;
  if (a === Verdict.INDETERMINATE || b === Verdict.INDETERMINATE) return FlowChange.UNCERTAIN;
  return a === Verdict.ALLOW ? FlowChange.OPENED : FlowChange.CLOSED;
}

/** By source, destination, port; pods by name, external endpoints in the order of `externals` (by address). */
function entryOrder(externals: readonly ExternalRegion[]): (x: FlowDiffEntry, y: FlowDiffEntry) => number {
  const index = new Map(externals.map((e, i) => [e.name, i]));
  const byName = (a: string, b: string) => {
    const i = index.get(a);
    const j = index.get(b);
    return i !== undefined && j !== undefined ? i - j : a.localeCompare(b);
  };
  return (x, y) => byName(x.source, y.source) || byName(x.destination, y.destination) || comparePorts(x.port, y.port);
}

function comparePorts(x: string, y: string): number {
  const [px, nx] = x.split('/');
  const [py, ny] = y.split('/');
  return px < py ? -1 : px > py ? 1 : Number(nx) - Number(ny);
}
