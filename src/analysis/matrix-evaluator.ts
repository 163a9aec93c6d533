/**
 * Evaluation of the flow matrix over pod equivalence classes (internal; see {@link FlowMatrix}).
 */
import { FlowEntry, FlowMatrix, MatrixOptions } from './flow-matrix';
import { ContainerPort, InventoryPod } from './inventory';
import { Direction, Endpoint, L4Protocol, SideQuery } from './model';

interface ResolvedPort {
  readonly protocol: L4Protocol;
  readonly port: number;
}

/** What the matrix needs from a CNI model. */
export interface MatrixModel {
  allows(query: SideQuery): boolean;
  subjectKey(subject: Endpoint, direction: Direction): string;
  /**
   * L7 constraints of an allowed flow (Cilium L7 rules, Calico HTTP matches); asked once per class pair and port.
   * @default - none: allows are plain L3/L4
   */
  l7Constraints?(source: Endpoint, destination: Endpoint, protocol: L4Protocol, port: number): string[];
}

/**
 * Evaluate the matrix in three steps, so that 2,000 pods x 500 policies stays fast:
 * 1. pods with identical policy-relevant attributes form one class;
 * 2. per direction, classes whose subject keys are equal (the same policies select them) share
 *    their verdicts, and the empty key ("nothing selects it") is allowed without evaluation;
 * 3. the egress and ingress verdicts are combined per class pair (one byte per port) and only
 *    expanded to pod pairs when the flows are read.
 */
export function computeMatrix(cniName: string, pods: InventoryPod[], options: MatrixOptions, model: MatrixModel): FlowMatrix {
  const classIndex = new Map<string, number>();
  const classOf: number[] = [];
  const reps: InventoryPod[] = [];
  for (const pod of pods) {
    const key = classKey(pod);
    let index = classIndex.get(key);
    if (index === undefined) {
      index = reps.length;
      classIndex.set(key, index);
      reps.push(pod);
    }
    classOf.push(index);
  }
  const endpoints = reps.map((r) => r.endpoint);
  const portsOf = reps.map((rep) => destinationPorts(rep, options));
  const portKey = (p: ResolvedPort) => `${p.protocol}/${p.port}`;
  const ask = (direction: Direction, subject: Endpoint, peer: Endpoint, p: ResolvedPort, destination: Endpoint) =>
    model.allows({ direction, subject, peer, port: p.port, protocol: p.protocol, destination });

  // Egress, per group of source classes: egress[g][d] = verdict per port of destination class d.
  const egressGroups = group(endpoints, (e) => model.subjectKey(e, 'egress'));
  const egress = egressGroups.keys.map((_, g) => endpoints.map((dst, d) => Uint8Array.from(portsOf[d],
    (p) => (egressGroups.keys[g] === '' || ask('egress', endpoints[egressGroups.repIndex[g]], dst, p, dst) ? 1 : 0))));

  // Ingress, per group of destination classes over the union of the group's ports.
  const ingressGroups = group(endpoints, (e) => model.subjectKey(e, 'ingress'));
  const unionPorts: ResolvedPort[][] = ingressGroups.keys.map(() => []);
  const portSlot: number[][] = endpoints.map((_, d) => {
    const g = ingressGroups.groupOf[d];
    return portsOf[d].map((p) => {
      let slot = unionPorts[g].findIndex((u) => portKey(u) === portKey(p));
      if (slot < 0) slot = unionPorts[g].push(p) - 1;
      return slot;
    });
  });
  const ingress = ingressGroups.keys.map((_, g) => {
    const subject = endpoints[ingressGroups.repIndex[g]];
    return endpoints.map((src) => Uint8Array.from(unionPorts[g],
      (p) => (ingressGroups.keys[g] === '' || ask('ingress', subject, src, p, subject) ? 1 : 0)));
  });

  const verdict = (s: number, d: number, k: number): boolean =>
    egress[egressGroups.groupOf[s]][d][k] === 1 && ingress[ingressGroups.groupOf[d]][s][portSlot[d][k]] === 1;
  // L7 constraints name rules, never endpoints: one answer per class pair and port.
  const l7 = new Map<string, string[]>();
  const constraintsOf = (s: number, d: number, k: number): string[] => {
    const key = `${s} ${d} ${k}`;
    let found = l7.get(key);
    if (found === undefined) {
      const p = portsOf[d][k];
      found = model.l7Constraints!(endpoints[s], endpoints[d], p.protocol, p.port);
      l7.set(key, found);
    }
    return found;
  };
  const expand = (): FlowEntry[] => {
    const flows: FlowEntry[] = [];
    pods.forEach((src, i) => pods.forEach((dst, j) => {
      const d = classOf[j];
      portsOf[d].forEach((p, k) => {
        const allowed = verdict(classOf[i], d, k);
        const entry: FlowEntry = { source: src.endpoint.name, destination: dst.endpoint.name, port: portKey(p), allowed };
        const constraints = allowed && model.l7Constraints ? constraintsOf(classOf[i], d, k) : undefined;
        flows.push(constraints?.length ? { ...entry, l7Constraints: constraints } : entry);
      });
    }));
    return flows;
  };
  return FlowMatrix._create(cniName, pods.map((p) => p.endpoint.name), expand);
}

interface Groups {
  /** Group index per item. */
  readonly groupOf: number[];
  /** Index of the first item of each group. */
  readonly repIndex: number[];
  /** Key of each group. */
  readonly keys: string[];
}

function group<T>(items: T[], keyOf: (item: T) => string): Groups {
  const index = new Map<string, number>();
  const groupOf: number[] = [];
  const repIndex: number[] = [];
  const keys: string[] = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    let g = index.get(key);
    if (g === undefined) {
      g = keys.length;
      index.set(key, g);
      keys.push(key);
      repIndex.push(i);
    }
    groupOf.push(g);
  });
  return { groupOf, repIndex, keys };
}

/** Everything the policy semantics can look at, except the display name. */
function classKey(pod: InventoryPod): string {
  const e: Endpoint = pod.endpoint;
  const sorted = (o: Readonly<Record<string, string>>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    e.kind, e.namespace, sorted(e.labels), sorted(e.namespaceLabels), e.serviceAccount, e.hostNetwork, e.ip, e.dnsName,
    pod.ports.map((p) => `${p.name ?? ''}:${p.protocol}/${p.port}`).sort(),
  ]);
}

/** Declared ports plus extra ports, deduplicated, sorted by protocol then number. */
function destinationPorts(pod: InventoryPod, options: MatrixOptions): ResolvedPort[] {
  const result = new Map<string, ResolvedPort>();
  const add = (protocol: L4Protocol, port: number) => result.set(`${protocol}/${port}`, { protocol, port });
  if (options.includeDeclaredPorts ?? true) pod.ports.forEach((p: ContainerPort) => add(p.protocol, p.port));
  for (const port of options.ports ?? []) {
    const protocol = port.protocol as unknown as L4Protocol;
    if (port.name !== undefined) {
      const named = pod.endpoint.namedPorts.find((p) => p.name === port.name && p.protocol === protocol);
      if (named) add(protocol, named.port);
    } else if (port.number !== undefined && port.endPort === undefined) {
      add(protocol, port.number);
    } else {
      throw new Error(`Reachability.matrix: ports must be single or named ports, got ${port.toString()}`);
    }
  }
  return [...result.values()].sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.port - b.port));
}
