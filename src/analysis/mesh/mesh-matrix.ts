/**
 * The mesh layer of the flow matrix (internal): per source class, destination class and port, the
 * mesh verdict and, where the mesh tunnels the flow, the CNI verdict on the tunnel port. Answers are
 * shared between classes with equal mesh keys, so a matrix asks the mesh model once per distinct
 * (source identity, destination workload, port).
 */
import { MeshModel, WirePort } from './mesh-model';
import { AnnotatedCniModel, DirectionVerdict, Endpoint, L4Protocol } from '../model';
import { and3, combineSides, MAYBE, Tri } from '../verdict';

/** What the mesh matrix reads of a pod class. */
export interface MeshMatrixClass {
  readonly rep: { readonly endpoint: Endpoint };
  readonly ports: ReadonlyArray<{ readonly protocol: L4Protocol; readonly port: number }>;
}

const NO_WIRE = 3;

/** Mesh verdicts of every class pair and port. */
export class MeshMatrix {
  private readonly offsets: Int32Array;
  private readonly row: number;
  /** Index into `verdicts` per cell. */
  private readonly cells: Int32Array;
  /** CNI code on the tunnel port per cell, NO_WIRE when the CNI sees the application port. */
  private readonly wireCodes: Uint8Array;
  private readonly wires: Array<WirePort | undefined> = [];
  private readonly wireIndex: Int32Array;
  private readonly verdicts: DirectionVerdict[] = [];
  /** Why the mesh encrypts the cell's flow, per cell (only when the CNI's HTTP rules cannot read mutual TLS). */
  private readonly encryptions?: Array<string | undefined>;

  /**
   * @param keyView the endpoint as the mesh keys see it (the matrix's class view: without the
   * controller-added labels nothing reads, see ../uncertainty/controller-label-reads)
   * @default keyView - the endpoint itself
   */
  constructor(classes: readonly MeshMatrixClass[], cni: AnnotatedCniModel, readonly mesh: MeshModel, l7BlindToMtls = false,
    keyView: (e: Endpoint) => Endpoint = (e) => e) {
    this.offsets = new Int32Array(classes.length);
    let row = 0;
    classes.forEach((c, t) => {
      this.offsets[t] = row;
      row += c.ports.length;
    });
    this.row = row;
    this.cells = new Int32Array(classes.length * row);
    this.wireCodes = new Uint8Array(classes.length * row);
    this.wireIndex = new Int32Array(classes.length * row);
    if (l7BlindToMtls) this.encryptions = [];
    const ep = (c: number) => classes[c].rep.endpoint;
    const sourceKeys = classes.map((_, c) => mesh.sourceKey(keyView(ep(c))));
    const destinationKeys = classes.map((_, c) => mesh.destinationKey(keyView(ep(c))));
    const memo = new Map<string, number>();
    const wireMemo = new Map<string, number>();
    const cniMemo = new Map<string, Tri>();
    const direct = (source: Endpoint, destination: Endpoint, wire: WirePort): Tri => {
      const key = [cni.subjectKey(source, 'egress'), cni.peerKey(destination, 'egress'), cni.subjectKey(destination, 'ingress'),
        cni.peerKey(source, 'ingress'), wire.protocol, wire.port].join('\u0000');
      let code = cniMemo.get(key);
      if (code === undefined) {
        const base = { port: wire.port, protocol: wire.protocol, destination };
        code = combineSides(cni.decide({ ...base, direction: 'egress', subject: source, peer: destination }),
          cni.decide({ ...base, direction: 'ingress', subject: destination, peer: source }));
        cniMemo.set(key, code);
      }
      return code;
    };
    // Through a proxy (a waypoint) the CNI sees two connections; the verdict is exact when every way agrees.
    const decide = (source: Endpoint, destination: Endpoint, wire: WirePort): Tri => {
      const seen = wire.destination ?? destination;
      const code = direct(source, seen, wire);
      const viaProxies = (wire.hops ?? []).map((h) => and3(direct(source, h.proxy, wire), direct(h.proxy, seen, wire)));
      return (wire.unknownHops?.length ?? 0) > 0 || wire.unknownPort !== undefined || viaProxies.some((v) => v !== code) ? MAYBE : code;
    };
    for (let s = 0; s < classes.length; s++) {
      for (let t = 0; t < classes.length; t++) {
        classes[t].ports.forEach((p, k) => {
          const cell = s * row + this.offsets[t] + k;
          const key = `${sourceKeys[s]}\u0000${destinationKeys[t]}\u0000${p.protocol}/${p.port}`;
          let index = memo.get(key);
          if (index === undefined) {
            index = this.verdicts.push(mesh.evaluate({ source: ep(s), destination: ep(t), port: p.port, protocol: p.protocol })) - 1;
            memo.set(key, index);
          }
          this.cells[cell] = index;
          let w = wireMemo.get(key);
          if (w === undefined) {
            w = this.wires.push(mesh.wirePort(ep(s), ep(t), p.port, p.protocol)) - 1;
            wireMemo.set(key, w);
          }
          this.wireIndex[cell] = w;
          const wire = this.wires[w];
          this.wireCodes[cell] = wire ? decide(ep(s), ep(t), wire) : NO_WIRE;
          if (this.encryptions) this.encryptions[cell] = mesh.encryption(ep(s), ep(t), wire?.port ?? p.port, wire?.protocol ?? p.protocol);
        });
      }
    }
  }

  private cell(s: number, t: number, k: number): number {
    return s * this.row + this.offsets[t] + k;
  }

  /** The CNI verdict of the cell, given its verdict on the application port. */
  cniCode(s: number, t: number, k: number, base: Tri): Tri {
    const cell = this.cell(s, t, k);
    const code = this.wireCodes[cell];
    if (code === NO_WIRE) return base;
    const wire = this.wires[this.wireIndex[cell]]!;
    return wire.uncertain && code !== base ? MAYBE : code as Tri;
  }

  /** Why the mesh encrypts the cell's flow, when the CNI's HTTP rules cannot read it. */
  encryption(s: number, t: number, k: number): string | undefined {
    return this.encryptions?.[this.cell(s, t, k)];
  }

  /** The tunnel port of the cell, if any. */
  wire(s: number, t: number, k: number): WirePort | undefined {
    const cell = this.cell(s, t, k);
    return this.wireCodes[cell] === NO_WIRE ? undefined : this.wires[this.wireIndex[cell]];
  }

  /** The mesh verdict of the cell. */
  meshVerdict(s: number, t: number, k: number): DirectionVerdict {
    return this.verdicts[this.cells[this.cell(s, t, k)]];
  }

  /** The mesh outcome of the cell. */
  meshCode(s: number, t: number, k: number): Tri {
    return this.meshVerdict(s, t, k).outcome;
  }
}
