/**
 * The reachability analyzer: "can A reach B on port P under this CNI, and which object decided?"
 * over synthesized charts or any Kubernetes YAML.
 */
import { App, Chart } from 'cdk8s';
import { modelFor } from './cni-model';
import { FlowMatrix, MatrixOptions } from './flow-matrix';
import { InventoryPod, NAMESPACE_NAME_LABEL, buildInventory, podFromTemplate } from './inventory';
import { AnnotatedCniModel } from './kubernetes/model';
import { loadYamlFiles } from './manifest-loader';
import { computeMatrix } from './matrix-evaluator';
import { DirectionVerdict, Endpoint, L4Protocol, ManifestObject, NodeEndpoints, describeRef } from './model';
import { PairResult, ReachabilityResult, SideResult } from './reachability-result';
import { Labels } from './selectors';
import { Target } from './target';
import { Cni } from '../cluster/cni';
import { Port } from '../policy/port';

/** Options of {@link Reachability}. */
export interface ReachabilityOptions {
  /** The CNI whose policy semantics apply. */
  readonly cni: Cni;
  /**
   * IP address of the nodes (`Target.localNode()`, `Target.remoteNode()`) and therefore of every
   * hostNetwork pod, matched by ipBlock rules. The local node's IP only matters where the CNI
   * evaluates policy for it (the Kubernetes exception for the local node ignores IPs).
   * @default - unknown: ipBlock rules never match the nodes or hostNetwork pods
   */
  readonly nodeIp?: string;
}

/** Options of {@link Reachability.addProbe}. */
export interface ProbeOptions {
  /**
   * Service account of the probe pod.
   * @default 'default'
   */
  readonly serviceAccount?: string;
  /**
   * Pod IP of the probe, so ipBlock rules can match it.
   * @default - unknown: ipBlock rules never match the probe
   */
  readonly ip?: string;
  /**
   * The probe runs in the host network namespace (policies see it as its node).
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Unnamed container ports the probe listens on (single ports, e.g. `Port.tcp(8080)`).
   * @default - none
   */
  readonly ports?: Port[];
  /**
   * Named container ports of the probe: name -> single port, e.g. `{ http: Port.tcp(8080) }`.
   * @default - none
   */
  readonly namedPorts?: { [name: string]: Port };
}

/**
 * Evaluates the policies in a set of manifests for a CNI.
 *
 * ```ts
 * const reach = Reachability.fromChart(chart, { cni: Cni.kubernetes() });
 * reach.check(Target.workload('shop', 'web'), Target.workload('shop', 'db'), Port.tcp(5432)).allowed;
 * ```
 */
export class Reachability {
  /** Analyze plain manifest objects (e.g. the output of `Testing.synth`). */
  public static fromManifests(manifests: any[], options: ReachabilityOptions): Reachability {
    return new Reachability(manifests, options, []);
  }

  /** Analyze the objects of one chart. */
  public static fromChart(chart: Chart, options: ReachabilityOptions): Reachability {
    return new Reachability(chart.toJson(), options, []);
  }

  /** Analyze the objects of every chart of an app. */
  public static fromApp(app: App, options: ReachabilityOptions): Reachability {
    return new Reachability(app.charts.flatMap((c) => c.toJson()), options, []);
  }

  /**
   * Analyze YAML files; directories are searched recursively for `*.yaml` / `*.yml`. Unreadable
   * files and invalid YAML are reported in `problems`, not thrown.
   */
  public static fromYamlFiles(paths: string[], options: ReachabilityOptions): Reachability {
    const loaded = loadYamlFiles(paths);
    return new Reachability(loaded.manifests, options, loaded.problems);
  }

  /** Files or documents that could not be read. */
  public readonly problems: string[];
  /** The CNI whose semantics apply. */
  public readonly cni: Cni;
  private readonly manifests: ManifestObject[];
  private readonly workloads: InventoryPod[];
  private readonly probes: InventoryPod[] = [];
  private readonly namespaces: Map<string, Labels>;
  private readonly nodeIp?: string;
  private cachedModel?: AnnotatedCniModel;

  private constructor(manifests: any[], options: ReachabilityOptions, problems: string[]) {
    this.manifests = manifests.filter((m) => m && typeof m === 'object' && !Array.isArray(m));
    this.cni = options.cni;
    this.nodeIp = options.nodeIp;
    this.problems = problems;
    const inventory = buildInventory(this.manifests);
    this.namespaces = inventory.namespaces;
    this.workloads = inventory.pods.map((p) => this.withNodeIp(p));
  }

  /** Names of all pod endpoints (workloads and probes), sorted. */
  public get endpoints(): string[] {
    return this.pods().map((p) => p.endpoint.name);
  }

  /** Notes about what the CNI model ignored. */
  public get notes(): string[] {
    return [...this.model().notes];
  }

  /**
   * Add a probe pod (a pod the manifests do not contain, e.g. "a new pod in namespace x").
   * Its endpoint name is `<namespace>/<name>`; `Target.workload(namespace, name)` selects it.
   */
  public addProbe(name: string, namespace: string, labels: { [key: string]: string }, options: ProbeOptions = {}): void {
    const fullName = `${namespace}/${name}`;
    if (this.pods().some((p) => p.endpoint.name === fullName)) {
      throw new Error(`Reachability.addProbe: an endpoint named ${fullName} already exists`);
    }
    if (!this.namespaces.has(namespace)) {
      this.namespaces.set(namespace, { [NAMESPACE_NAME_LABEL]: namespace });
      this.cachedModel = undefined;
    }
    const ports = [
      ...(options.ports ?? []).map((p) => ({ containerPort: singlePort(p, 'ports'), protocol: p.protocol })),
      ...Object.entries(options.namedPorts ?? {})
        .map(([n, p]) => ({ name: n, containerPort: singlePort(p, `namedPorts.${n}`), protocol: p.protocol })),
    ];
    const template = {
      metadata: { labels },
      spec: {
        serviceAccountName: options.serviceAccount,
        hostNetwork: options.hostNetwork,
        containers: [{ name: 'probe', ports }],
      },
    };
    const pod = podFromTemplate(fullName, 'Probe', namespace, template);
    this.probes.push(this.withNodeIp({
      ...pod,
      endpoint: { ...pod.endpoint, ip: options.ip, namespaceLabels: this.namespaces.get(namespace)! },
    }));
  }

  /**
   * Can `from` reach `to` on `port`? A named port is resolved on each destination pod. When a target
   * matches several pods, every pair must be allowed. A named port that no destination pod has is an
   * error (a typo), not a denial.
   */
  public check(source: Target, destination: Target, port: Port): ReachabilityResult {
    if (port.name === undefined && (port.number === undefined || port.endPort !== undefined)) {
      throw new Error(`Reachability.check needs a single port or a named port, got ${port.toString()}`);
    }
    const sources = this.resolve(source);
    const destinations = this.resolve(destination);
    // A named port no destination has is almost always a typo; answering "denied" would let a
    // "must not reach" check pass vacuously.
    const named = (d: Endpoint) => d.namedPorts.some((p) => p.name === port.name && p.protocol === (port.protocol as string));
    if (port.name !== undefined && !destinations.some(named)) {
      throw new Error(`Reachability: no pod of ${destination.description} has a container port named '${port.name}' (${port.protocol})`);
    }
    const pairs: PairResult[] = [];
    for (const s of sources) {
      for (const d of destinations) pairs.push(this.checkPair(s, d, port));
    }
    const question = `${source.description} -> ${destination.description} on ${port.toString()}`;
    return ReachabilityResult._create(question, this.cni.name, pairs, this.notes);
  }

  /** The explanation of {@link check}. */
  public explain(source: Target, destination: Target, port: Port): string {
    return this.check(source, destination, port).explain();
  }

  /**
   * The flow matrix over all pod endpoints x pod endpoints x ports. Pods with identical policy-relevant
   * attributes are evaluated once.
   */
  public matrix(options: MatrixOptions = {}): FlowMatrix {
    const model = this.model();
    // L7 rules only narrow allowed flows: their constraints are looked up only when the CNI model has some.
    const l7Constraints = model.hasL7Rules()
      ? (source: Endpoint, destination: Endpoint, protocol: L4Protocol, port: number): string[] => {
        const base = { port, protocol, destination };
        return [
          ...(model.evaluate({ ...base, direction: 'egress', subject: source, peer: destination }).l7Constraints ?? []),
          ...(model.evaluate({ ...base, direction: 'ingress', subject: destination, peer: source }).l7Constraints ?? []),
        ];
      }
      : undefined;
    return computeMatrix(this.cni.name, this.pods(), options, {
      allows: (q) => model.allows(q),
      subjectKey: (e, d) => model.subjectKey(e, d),
      l7Constraints,
    });
  }

  private checkPair(source: Endpoint, destination: Endpoint, port: Port): PairResult {
    const protocol = port.protocol as unknown as L4Protocol;
    let number = port.number;
    if (port.name !== undefined) {
      number = destination.namedPorts.find((p) => p.name === port.name && p.protocol === protocol)?.port;
      if (number === undefined) {
        const reason = `${destination.name} has no container port named '${port.name}' (${protocol})`;
        const denied: SideResult = { allowed: false, reasons: [reason], decidingObjects: [] };
        return {
          source: source.name,
          destination: destination.name,
          port: port.toString(),
          allowed: false,
          egress: denied,
          ingress: denied,
          l7Constraints: [],
        };
      }
    }
    const model = this.model();
    const base = { port: number!, protocol, destination };
    const egress = model.evaluate({ ...base, direction: 'egress', subject: source, peer: destination });
    const ingress = model.evaluate({ ...base, direction: 'ingress', subject: destination, peer: source });
    return {
      source: source.name,
      destination: destination.name,
      port: `${protocol}/${number}`,
      allowed: egress.allowed && ingress.allowed,
      egress: sideResult(egress),
      ingress: sideResult(ingress),
      l7Constraints: [...(egress.l7Constraints ?? []), ...(ingress.l7Constraints ?? [])],
    };
  }

  private resolve(target: Target): Endpoint[] {
    const endpoints = target._resolve(this.pods().map((p) => p.endpoint), this.nodeEndpoints());
    if (endpoints.length === 0) {
      throw new Error(`Reachability: ${target.description} matches no endpoint (known: ${this.endpoints.join(', ') || 'none'})`);
    }
    return endpoints;
  }

  private pods(): InventoryPod[] {
    return [...this.workloads, ...this.probes].sort((a, b) => a.endpoint.name.localeCompare(b.endpoint.name));
  }

  /**
   * `local-node` is the node of the pod at the other end of each flow, `remote-node` any other node.
   * Both carry `nodeIp`; hostNetwork pods are pods at an unknown node (neither of these).
   */
  private nodeEndpoints(): NodeEndpoints {
    const node = { kind: 'node' as const, labels: {}, namespaceLabels: {}, ip: this.nodeIp, hostNetwork: true, namedPorts: [] };
    return {
      local: { ...node, name: 'local-node', nodeLocality: 'local' },
      remote: { ...node, name: 'remote-node', nodeLocality: 'remote' },
    };
  }

  private withNodeIp(pod: InventoryPod): InventoryPod {
    if (!pod.endpoint.hostNetwork || this.nodeIp === undefined) return pod;
    return { ...pod, endpoint: { ...pod.endpoint, ip: this.nodeIp } };
  }

  private model(): AnnotatedCniModel {
    if (!this.cachedModel) this.cachedModel = modelFor(this.cni, this.manifests, this.namespaces);
    return this.cachedModel;
  }
}

function sideResult(verdict: DirectionVerdict): SideResult {
  return {
    allowed: verdict.allowed,
    reasons: verdict.reasons.map((r) => r.message),
    decidingObjects: [...new Set(verdict.reasons.filter((r) => r.object).map((r) => describeRef(r.object!)))],
  };
}

function singlePort(port: Port, prop: string): number {
  if (port.number === undefined || port.endPort !== undefined || port.name !== undefined) {
    throw new Error(`Reachability.addProbe: ${prop} must be a single port number, got ${port.toString()}`);
  }
  return port.number;
}
