/**
 * Evaluation of the flow matrix over pod equivalence classes (internal; see {@link FlowMatrix}).
 *
 * 2,000 pods x 500 policies are millions of flows; the matrix never evaluates them one by one:
 * 1. pods with identical policy-relevant attributes form one class;
 * 2. egress is asked once per (source group, destination group, port): sources with equal subject
 *    keys (the same policies select them) share verdicts, and so do destinations with equal peer keys
 *    (the same policy selectors match them); the empty subject key ("nothing selects it") is
 *    allowed without asking;
 * 3. ingress likewise with the roles swapped;
 * 4. a flow's verdict is looked up from the two sides (0 deny, 1 allow, 2 indeterminate, one byte
 *    per cell) when it is read; flows are never stored.
 */
import { addressKey } from './addresses';
import { ContainerPort, InventoryPod } from './inventory';
import { MeshModel } from './mesh';
import { MeshMatrix } from './mesh/mesh-matrix';
import { AnnotatedCniModel, Direction, Endpoint, L4Protocol } from './model';
import { ControllerKeysRead, withoutUnreadControllerLabels } from './uncertainty/controller-label-reads';
import { and3, combineSides, MAYBE, Tri, YES } from './verdict';
import { Port } from '../policy/port';
import { internalError } from '../util/errors';

/** A destination port of the matrix. */
export interface ResolvedPort {
  readonly protocol: L4Protocol;
  readonly port: number;
  /** `TCP/8080`. */
  readonly key: string;
}

/** Options of the matrix evaluation (see MatrixOptions). */
export interface EvaluationOptions {
  readonly ports?: Port[];
  readonly includeDeclaredPorts?: boolean;
}

/** One class of identical pods. */
export interface PodClass {
  /** The first pod of the class (its endpoint is asked for the whole class). */
  readonly rep: InventoryPod;
  /** The destination ports of the class's pods, sorted by protocol then number. */
  readonly ports: ResolvedPort[];
  /** How many pods are in the class. */
  size: number;
}

interface Groups {
  /** Group index per class. */
  readonly groupOf: Int32Array;
  /** Representative class of each group. */
  readonly reps: number[];
  /** Key of each group. */
  readonly keys: string[];
}

function group(count: number, keyOf: (i: number) => string): Groups {
  const index = new Map<string, number>();
  const groupOf = new Int32Array(count);
  const reps: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    let g = index.get(key);
    if (g === undefined) {
      g = keys.length;
      index.set(key, g);
      keys.push(key);
      reps.push(i);
    }
    groupOf[i] = g;
  }
  return { groupOf, reps, keys };
}

/**
 * Port slots of a set of groups: each group's ports are the union of its members' ports; `slot[c][k]`
 * is the position of class `c`'s port `k` in its group's list.
 */
function portSlots(classes: PodClass[], groups: Groups): { ports: ResolvedPort[][]; slot: Int32Array[] } {
  const ports: ResolvedPort[][] = groups.keys.map(() => []);
  const index: Array<Map<string, number>> = groups.keys.map(() => new Map());
  const slot = classes.map((c, ci) => {
    const g = groups.groupOf[ci];
    return Int32Array.from(c.ports, (p) => {
      let s = index[g].get(p.key);
      if (s === undefined) {
        s = ports[g].push(p) - 1;
        index[g].set(p.key, s);
      }
      return s;
    });
  });
  return { ports, slot };
}

/** The verdicts of every class pair and port, with lazy reasons and L7 constraints. */
export class MatrixData {
  /** Pods, sorted by endpoint name. */
  readonly pods: InventoryPod[];
  /** Class of each pod. */
  readonly classOf: Int32Array;
  readonly classes: PodClass[];
  /** Number of flows: every pod to every pod on each of the destination's ports. */
  readonly flowCount: number;
  private readonly egressSubjects: Groups;
  private readonly egressPeers: Groups;
  private readonly egressSlots: { ports: ResolvedPort[][]; slot: Int32Array[] };
  /** Start of each egress peer group's ports in a row of `egress`. */
  private readonly egressOffset: Int32Array;
  private readonly egressRow: number;
  private readonly egress: Uint8Array;
  private readonly ingressSubjects: Groups;
  private readonly ingressPeers: Groups;
  private readonly ingressSlots: { ports: ResolvedPort[][]; slot: Int32Array[] };
  private readonly ingressBase: Int32Array;
  private readonly ingress: Uint8Array;
  private readonly reasons = new Map<string, string[]>();
  private readonly l7Cache = new Map<string, string[]>();
  /** The mesh layer, in an analysis with a mesh. */
  readonly mesh?: MeshMatrix;

  /**
   * @param keysRead the controller-added label keys the objects may read (./uncertainty/controller-label-reads):
   * pods that differ only in the others share a class, and mesh verdicts
   * @default keysRead - every key is read
   */
  constructor(pods: InventoryPod[], options: EvaluationOptions, private readonly model: AnnotatedCniModel, mesh?: MeshModel, l7BlindToMtls = false,
    keysRead?: ControllerKeysRead) {
    this.pods = pods;
    const view = (e: Endpoint): Endpoint => (keysRead ? withoutUnreadControllerLabels(e, keysRead.any) : e);
    const meshView = (e: Endpoint): Endpoint => (keysRead ? withoutUnreadControllerLabels(e, keysRead.mesh) : e);
    const classIndex = new Map<string, number>();
    this.classOf = new Int32Array(pods.length);
    this.classes = [];
    pods.forEach((pod, i) => {
      // The mesh keys too: a mesh may tell apart pods whose endpoints the CNI sees alike (Linkerd's owner labels).
      let key = classKey(view(pod.endpoint), pod.ports);
      if (mesh) {
        const seen = meshView(pod.endpoint);
        key += `\u0000${mesh.sourceKey(seen)}\u0000${mesh.destinationKey(seen)}`;
      }
      let c = classIndex.get(key);
      if (c === undefined) {
        c = this.classes.length;
        classIndex.set(key, c);
        this.classes.push({ rep: pod, ports: destinationPorts(pod, options), size: 0 });
      }
      this.classes[c].size++;
      this.classOf[i] = c;
    });
    this.flowCount = pods.length * this.classes.reduce((n, c) => n + c.size * c.ports.length, 0);
    const ep = (c: number): Endpoint => this.classes[c].rep.endpoint;
    const count = this.classes.length;
    const ask = (direction: Direction, subject: Endpoint, peer: Endpoint, p: ResolvedPort, destination: Endpoint): Tri =>
      model.decide({ direction, subject, peer, port: p.port, protocol: p.protocol, destination });

    // Egress: rows of source groups, columns of destination peer groups x their ports.
    this.egressSubjects = group(count, (c) => model.subjectKey(ep(c), 'egress'));
    this.egressPeers = group(count, (c) => model.peerKey(ep(c), 'egress'));
    this.egressSlots = portSlots(this.classes, this.egressPeers);
    this.egressOffset = new Int32Array(this.egressPeers.keys.length);
    let row = 0;
    this.egressSlots.ports.forEach((ports, p) => {
      this.egressOffset[p] = row;
      row += ports.length;
    });
    this.egressRow = row;
    this.egress = new Uint8Array(this.egressSubjects.keys.length * row);
    this.egressSubjects.keys.forEach((key, g) => {
      const subject = ep(this.egressSubjects.reps[g]);
      this.egressPeers.reps.forEach((pc, p) => {
        const peer = ep(pc);
        this.egressSlots.ports[p].forEach((port, s) => {
          this.egress[g * row + this.egressOffset[p] + s] = key === '' ? YES : ask('egress', subject, peer, port, peer);
        });
      });
    });

    // Ingress: blocks of destination groups (their ports), rows of source peer groups.
    this.ingressSubjects = group(count, (c) => model.subjectKey(ep(c), 'ingress'));
    this.ingressPeers = group(count, (c) => model.peerKey(ep(c), 'ingress'));
    this.ingressSlots = portSlots(this.classes, this.ingressSubjects);
    this.ingressBase = new Int32Array(this.ingressSubjects.keys.length);
    let size = 0;
    this.ingressSlots.ports.forEach((ports, g) => {
      this.ingressBase[g] = size;
      size += ports.length * this.ingressPeers.keys.length;
    });
    this.ingress = new Uint8Array(size);
    this.ingressSubjects.keys.forEach((key, g) => {
      const subject = ep(this.ingressSubjects.reps[g]);
      const ports = this.ingressSlots.ports[g];
      this.ingressPeers.reps.forEach((pc, p) => {
        const peer = ep(pc);
        ports.forEach((port, s) => {
          this.ingress[this.ingressBase[g] + p * ports.length + s] = key === '' ? YES : ask('ingress', subject, peer, port, subject);
        });
      });
    });
    if (mesh) this.mesh = new MeshMatrix(this.classes, model, mesh, l7BlindToMtls, meshView);
  }

  private egressCell(s: number, d: number, k: number): number {
    return this.egressSubjects.groupOf[s] * this.egressRow + this.egressOffset[this.egressPeers.groupOf[d]] + this.egressSlots.slot[d][k];
  }

  private ingressCell(s: number, d: number, k: number): number {
    const g = this.ingressSubjects.groupOf[d];
    return this.ingressBase[g] + this.ingressPeers.groupOf[s] * this.ingressSlots.ports[g].length + this.ingressSlots.slot[d][k];
  }

  /**
   * Which pods share every verdict with an address outside the cluster, by this matrix's groups:
   * sending to it (`podIsSource`), class `c`'s egress subject group and ingress peer group; receiving
   * from it, its egress peer group and ingress subject group. Undefined with a mesh, whose layer is
   * grouped per class pair (see MeshMatrix): the class is the finest key then.
   */
  externalGroup(c: number, podIsSource: boolean): string | undefined {
    if (this.mesh) return undefined;
    return podIsSource
      ? `${this.egressSubjects.groupOf[c]} ${this.ingressPeers.groupOf[c]}`
      : `${this.egressPeers.groupOf[c]} ${this.ingressSubjects.groupOf[c]}`;
  }

  /**
   * The verdict (0 deny, 1 allow, 2 indeterminate) between class `c`'s pods and `outside` on one
   * port, either way, from the outcomes alone (as the matrix's own cells). Only without a mesh (see
   * {@link externalGroup}).
   */
  externalVerdict(c: number, outside: Endpoint, podIsSource: boolean, protocol: L4Protocol, port: number): Tri {
    if (this.mesh) throw new Error('MatrixData.externalVerdict: the mesh layer is not evaluated here');
    const pod = this.classes[c].rep.endpoint;
    const source = podIsSource ? pod : outside;
    const destination = podIsSource ? outside : pod;
    return combineSides(
      this.model.decide({ direction: 'egress', subject: source, peer: destination, port, protocol, destination }),
      this.model.decide({ direction: 'ingress', subject: destination, peer: source, port, protocol, destination }));
  }

  /** The verdict (0 deny, 1 allow, 2 indeterminate) from source class `s` to destination class `d` on its port `k`. */
  verdict(s: number, d: number, k: number): Tri {
    if (!this.mesh) return combineSides(this.egress[this.egressCell(s, d, k)] as Tri, this.ingress[this.ingressCell(s, d, k)] as Tri);
    return and3(this.cniVerdict(s, d, k), this.mesh.meshCode(s, d, k));
  }

  /** The CNI layer's verdict of a flow (on the tunnel port where the mesh tunnels it). */
  cniVerdict(s: number, d: number, k: number): Tri {
    const cni = combineSides(this.egress[this.egressCell(s, d, k)] as Tri, this.ingress[this.ingressCell(s, d, k)] as Tri);
    if (!this.mesh) return cni;
    const code = this.mesh.cniCode(s, d, k, cni);
    // HTTP rules of the CNI cannot read a flow the mesh encrypts.
    return code === YES && this.mesh.encryption(s, d, k) !== undefined && this.cniL7(s, d, k).length > 0 ? MAYBE : code;
  }

  /**
   * Why an indeterminate flow is indeterminate: the uncertain sides' and the mesh's reasons, which
   * name objects and rules, never pods (so one answer serves every pod of the classes).
   */
  reason(s: number, d: number, k: number): string {
    const out: string[] = [];
    const src = this.classes[s].rep.endpoint;
    const dst = this.classes[d].rep.endpoint;
    const wire = this.mesh?.wire(s, d, k);
    if (wire) {
      if (this.cniVerdict(s, d, k) === MAYBE) {
        const key = `w${s} ${d} ${k}`;
        const port = { protocol: wire.protocol, port: wire.port, key: `${wire.protocol}/${wire.port}` };
        const seen = wire.destination ?? dst;
        out.push(...this.sideReasons(`${key}e`, 'egress', src, seen, port), ...this.sideReasons(`${key}i`, 'ingress', seen, src, port));
        if (wire.uncertain) out.push(`CNI: ${wire.why}`);
        if (wire.unknownPort !== undefined) out.push(`CNI: the port the CNI sees is not known: ${wire.unknownPort}`);
        for (const hop of wire.hops ?? []) out.push(`CNI: ${hop.why}, which may get another verdict than the direct connection`);
        for (const hop of wire.unknownHops ?? []) out.push(`CNI: ${hop}: the CNI sees other connections there, with verdicts not known`);
      }
    } else {
      const port = this.classes[d].ports[k];
      if (this.egress[this.egressCell(s, d, k)] === MAYBE) {
        out.push(...this.sideReasons(`e${this.egressCell(s, d, k)}`, 'egress', src, dst, port));
      }
      if (this.ingress[this.ingressCell(s, d, k)] === MAYBE) {
        out.push(...this.sideReasons(`i${this.ingressCell(s, d, k)}`, 'ingress', dst, src, port));
      }
    }
    const encryption = this.mesh?.encryption(s, d, k);
    if (encryption !== undefined && this.cniVerdict(s, d, k) === MAYBE && this.cniL7(s, d, k).length > 0) {
      out.push(`CNI: its HTTP rules cannot read this flow: ${encryption}, and the CNI documents its HTTP policy as incompatible with mutual TLS`);
    }
    if (this.mesh && this.mesh.meshCode(s, d, k) === MAYBE) out.push(...(this.mesh.meshVerdict(s, d, k).uncertain ?? []).map((u) => `mesh: ${u}`));
    return [...new Set(out)].join('; ');
  }

  private sideReasons(key: string, direction: Direction, subject: Endpoint, peer: Endpoint, port: ResolvedPort): string[] {
    let found = this.reasons.get(key);
    if (!found) {
      const destination = direction === 'egress' ? peer : subject;
      const verdict = this.model.evaluate({ direction, subject, peer, port: port.port, protocol: port.protocol, destination });
      found = (verdict.uncertain ?? []).map((u) => `${direction}: ${u}`);
      this.reasons.set(key, found);
    }
    return found;
  }

  /** L7 constraints of an allowed flow (empty for a plain L3/L4 allow). */
  l7(s: number, d: number, k: number): string[] {
    const mesh = this.mesh ? this.mesh.meshVerdict(s, d, k).l7Constraints ?? [] : [];
    return [...this.cniL7(s, d, k), ...mesh];
  }

  /** The CNI's L7 constraints of a flow allowed at L4. */
  private cniL7(s: number, d: number, k: number): string[] {
    if (!this.model.hasL7Rules()) return [];
    const key = `${s} ${d} ${k}`;
    let found = this.l7Cache.get(key);
    if (found === undefined) {
      const wire = this.mesh?.wire(s, d, k);
      const p = wire ?? this.classes[d].ports[k];
      const source = this.classes[s].rep.endpoint;
      const destination = wire?.destination ?? this.classes[d].rep.endpoint;
      const base = { port: p.port, protocol: p.protocol, destination };
      found = [
        ...(this.model.evaluate({ ...base, direction: 'egress', subject: source, peer: destination }).l7Constraints ?? []),
        ...(this.model.evaluate({ ...base, direction: 'ingress', subject: destination, peer: source }).l7Constraints ?? []),
      ];
      this.l7Cache.set(key, found);
    }
    return found;
  }
}

/**
 * Everything the policy semantics can look at, except the display name (and the controller-added
 * labels nothing reads: the caller passes the endpoint without them).
 */
function classKey(e: Endpoint, ports: readonly ContainerPort[]): string {
  const sorted = (o: Readonly<Record<string, string>>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    e.kind, e.namespace, sorted(e.labels), sorted(e.namespaceLabels), e.serviceAccount, e.hostNetwork, addressKey(e), e.dnsName,
    sorted(e.annotations ?? {}),
    ports.map((p) => `${p.name ?? ''}:${p.protocol}/${p.port}`).sort(),
    // Labels only known at runtime: a selector may read them undecidably (./uncertainty/controller-labels).
    (e.runtimeLabels ?? []).map((r) => [r.key, r.values ?? null, r.digitsAfter ?? null, r.mayBeAbsent === true]),
  ]);
}

/** Declared ports plus extra ports, deduplicated, sorted by protocol then number. */
function destinationPorts(pod: InventoryPod, options: EvaluationOptions): ResolvedPort[] {
  const result = new Map<string, ResolvedPort>();
  const add = (protocol: L4Protocol, port: number) => result.set(`${protocol}/${port}`, { protocol, port, key: `${protocol}/${port}` });
  if (options.includeDeclaredPorts ?? true) pod.ports.forEach((p: ContainerPort) => add(p.protocol, p.port));
  for (const port of options.ports ?? []) {
    const protocol = port.protocol as unknown as L4Protocol;
    if (port.name !== undefined) {
      const named = pod.endpoint.namedPorts.find((p) => p.name === port.name && p.protocol === protocol);
      if (named) add(protocol, named.port);
    } else if (port.number !== undefined && port.endPort === undefined) {
      add(protocol, port.number);
    } else {
      // checkMatrixOptions refused anything else for matrix() and diff() already.
      throw internalError(`Reachability.matrix: ports must be single or named ports, got ${port.toString()}`);
    }
  }
  return [...result.values()].sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.port - b.port));
}
