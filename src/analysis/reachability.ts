/**
 * The reachability analyzer: "can A reach B on port P under this CNI, and which object decided?"
 * over synthesized charts or any Kubernetes YAML, answered allow, deny or indeterminate.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { podCidrSpace } from './addresses';
import { hostSnatSemantics, l7BlindToMtls, modelFor } from './cni-model';
import { diffReachability } from './diff-engine';
import { ExternalFacts, ExternalRegion, externalEndpoint, externalFactsOf } from './external-endpoints';
import { FlowMatrix } from './flow-matrix';
import { MatrixOptions } from './flow-types';
import { HttpRequestSpec, httpRequestSpec } from './http-request';
import { HttpRequest } from './http-request-types';
import { InventoryPod, NAMESPACE_NAME_LABEL, buildInventory, podFromTemplate } from './inventory';
import { loadYamlFiles } from './manifest-loader';
import { MatrixData } from './matrix-evaluator';
import { MeshFacts, MeshModel, meshModelFor } from './mesh';
import { isMeshAnnotation } from './mesh/membership';
import { AnnotatedCniModel, Endpoint, L4Protocol, ManifestObject, NodeEndpoints } from './model';
import { checkLinkerdValues } from './option-values';
import { evaluatePair, missingNamedPortPair, PairContext } from './pair-evaluator';
import { DiffOptions, ReachabilityDiff } from './reachability-diff';
import {
  checkIp, checkMatrixOptions, checkMesh, checkPodCidrs, DIFF_OPTION_KEYS, isSingleOrNamed, PROBE_OPTION_KEYS, REACHABILITY_OPTION_KEYS, singlePort,
  withClusterFacts,
} from './reachability-option-checks';
import { ProbeOptions, ReachabilityOptions } from './reachability-options';
import { PairResult, ReachabilityResult } from './reachability-result';
import { Labels } from './selectors';
import { Target } from './target';
import { ControllerKeysRead, controllerLabelKeysRead } from './uncertainty/controller-label-reads';
import { Uncertainty } from './uncertainty/overlay';
import { SkippedInput, meshWithSkippedInput, skippedInputUncertainties } from './uncertainty/skipped-input';
import { invalidObjectNote, partitionManifests } from './validation';
import { Cni } from '../cluster/cni';
import { requireMadeCni } from '../cluster/made-by-factories';
import { Port } from '../policy/port';
import { hostCidr, ParsedCidr } from '../util/cidr';
import { propError } from '../util/errors';
import {
  describeValue, requireBoolean, requireInstance, requireOptionalArray, requireOptionalBoolean, requireOptionalObject, requireOptionalString,
  requireKnownKeys, requireOptionalStringMap, requireProps, requireString, requireStringArray, requireStringMap,
} from '../util/guards';
import { validateDnsLabel, validateDnsSubdomain } from '../util/validate';
import { isCalicoStagedPolicy, isPlainObject } from '../util/vocabulary';

/**
 * Evaluates the policies in a set of manifests for a CNI. Every answer is allow, deny or
 * indeterminate: "indeterminate" (with the reason) when it depends on what the manifests do not say,
 * a pod IP or an object the analyzer does not evaluate exactly, never a guessed "deny". Objects the
 * API server or the CNI would reject are left out, with a note naming object and JSON path.
 *
 * ```ts
 * const reach = Reachability.fromChart(chart, { cni: Cni.kubernetes() });
 * reach.check(Target.workload('shop', 'web'), Target.workload('shop', 'db'), Port.tcp(5432)).verdict; // Verdict.ALLOW
 * ```
 */
export class Reachability {
  /** Analyze plain manifest objects (e.g. the output of `Testing.synth`). */
  public static fromManifests(manifests: any[], options: ReachabilityOptions): Reachability {
    return new Reachability('Reachability.fromManifests', manifests, options, []);
  }

  /** Analyze the objects of one chart (pod CIDRs and mesh default to its ClusterNetwork's). */
  public static fromChart(chart: Chart, options: ReachabilityOptions): Reachability {
    const site = 'Reachability.fromChart';
    if (!Chart.isChart(chart)) throw propError(site, 'chart', `must be a cdk8s Chart, got ${describeValue(chart)}`);
    return new Reachability(site, chart.toJson(), withClusterFacts(site, chart, options), []);
  }

  /** Analyze the objects of every chart of an app (pod CIDRs and mesh default to its ClusterNetworks'). */
  public static fromApp(app: App, options: ReachabilityOptions): Reachability {
    const site = 'Reachability.fromApp';
    if (!(app instanceof App)) throw propError(site, 'app', `must be a cdk8s App, got ${describeValue(app)}`);
    return new Reachability(site, app.charts.flatMap((c) => c.toJson()), withClusterFacts(site, app, options), []);
  }

  /**
   * Analyze YAML files; directories are searched recursively for `*.yaml` / `*.yml`. What cannot be
   * read is listed in `problems`, not thrown. A file that cannot be read or a document that is not
   * valid YAML may hold any policy, so it also makes every verdict a policy could change
   * indeterminate (both sides of every pod and node, and the mesh verdict with a mesh), with the
   * file and line as the reason and a note in `notes`. A document that parses but is no Kubernetes
   * object (no `kind`, e.g. a Helm values file) cannot be a policy: it is only a problem.
   */
  public static fromYamlFiles(paths: string[], options: ReachabilityOptions): Reachability {
    const site = 'Reachability.fromYamlFiles';
    const loaded = loadYamlFiles(requireStringArray(site, 'paths', paths, true));
    return new Reachability(site, loaded.manifests, options, loaded.problems, loaded.skipped);
  }

  /**
   * As {@link fromManifests}, for manifests read from files of which some input could not be read
   * (the command line's invalid YAML documents): see {@link fromYamlFiles}.
   * @internal
   */
  public static _fromManifestsWithSkippedInput(manifests: any[], options: ReachabilityOptions, skipped: readonly SkippedInput[]): Reachability {
    return new Reachability('Reachability.fromManifests', manifests, options, [], skipped);
  }

  /**
   * Files or documents that could not be read (`fromYamlFiles`). Those that may hold a policy (an
   * unreadable file, invalid YAML) also make the verdicts indeterminate and are in `notes`.
   */
  public readonly problems: string[];
  /** The CNI whose semantics apply. */
  public readonly cni: Cni;
  /**
   * The mesh whose authorization applies on top of the CNI, e.g. `Istio (sidecar)`, `Linkerd`.
   * @default - no mesh layer
   */
  public readonly meshName?: string;
  private readonly manifests: ManifestObject[];
  private readonly workloads: InventoryPod[];
  private readonly probes: InventoryPod[] = [];
  private readonly namespaces: Map<string, Labels>;
  private readonly namespaceAnnotations: Map<string, Labels>;
  private readonly meshFacts?: MeshFacts;
  private cachedMesh?: MeshModel;
  private readonly nodeIp?: string;
  private readonly podCidrs?: ParsedCidr[];
  private readonly inputNotes: string[];
  /** Files and documents that could not be read, as uncertainties (see ./uncertainty/skipped-input). */
  private readonly skippedInput: Uncertainty[];
  private cachedModel?: AnnotatedCniModel;
  private cachedKeysRead?: ControllerKeysRead;
  private podsByName?: Map<string, InventoryPod>;

  private constructor(site: string, manifests: any[], options: ReachabilityOptions, problems: string[], skipped: readonly SkippedInput[] = []) {
    if (!isPlainObject(options)) throw propError(site, 'options', `must be an object of options such as { cni: Cni.calico() }, got ${describeValue(options)}`);
    requireKnownKeys(site, 'options', options, REACHABILITY_OPTION_KEYS);
    requireMadeCni(site, 'options.cni', options.cni);
    if (!Array.isArray(manifests)) throw propError(site, 'manifests', 'must be a list of Kubernetes objects');
    // Skipping an entry would analyze the manifests without it (a policy left out allows more).
    manifests.forEach((m, i) => {
      if (ApiObject.isApiObject(m) || Construct.isConstruct(m)) {
        throw propError(site, `manifests[${i}]`, 'must be a plain Kubernetes object, not a cdk8s ApiObject or construct: pass its '
          + 'toJson() (or use Reachability.fromChart / fromApp)');
      }
      if (!isPlainObject(m)) throw propError(site, `manifests[${i}]`, `must be a Kubernetes object (a mapping), got ${describeValue(m)}`);
    });
    this.cni = options.cni;
    this.nodeIp = options.nodeIp === undefined ? undefined : checkIp(site, options.nodeIp, 'options.nodeIp');
    this.podCidrs = checkPodCidrs(site, options.podCidrs);
    this.meshFacts = checkMesh(site, options.mesh, checkLinkerdValues(site, options));
    this.meshName = this.meshFacts?.displayName;
    this.problems = problems;
    this.skippedInput = skippedInputUncertainties(skipped);
    const { valid, invalid } = partitionManifests(manifests as ManifestObject[]);
    this.manifests = valid;
    const staged = valid.filter(isCalicoStagedPolicy).length;
    this.inputNotes = [
      ...invalid.map(invalidObjectNote),
      ...(staged > 0 ? [`${staged} Calico staged polic${staged === 1 ? 'y is' : 'ies are'} not enforced (staged policies only report what they would do)`] : []),
    ];
    const inventory = buildInventory(this.manifests);
    this.namespaces = inventory.namespaces;
    this.namespaceAnnotations = inventory.namespaceAnnotations;
    this.workloads = inventory.pods.map((p) => this.withAddresses(p));
  }

  /** Names of all pod endpoints (workloads and probes), sorted. */
  public get endpoints(): string[] {
    return this.pods().map((p) => p.endpoint.name);
  }

  /**
   * Notes about what the analysis left out or could not evaluate exactly: files and documents that
   * could not be read, invalid objects (with the JSON path of each problem), objects of another CNI,
   * policies the CNI does not enforce, and policies whose rules are evaluated in part (Cilium
   * `toServices`, Calico `services`, ...).
   */
  public get notes(): string[] {
    return [...this.inputNotes, ...this.model().notes, ...(this.meshModel()?.notes ?? [])];
  }

  /**
   * Add a probe pod (a pod the manifests do not contain, e.g. "a new pod in namespace x").
   * Its endpoint name is `<namespace>/<name>`; `Target.workload(namespace, name)` selects it.
   */
  public addProbe(name: string, namespace: string, labels: { [key: string]: string }, options: ProbeOptions = {}): void {
    const site = 'Reachability.addProbe';
    // Names of pods the API server would accept: `a/b` would make the endpoint `ns/a/b`.
    validateDnsSubdomain(site, 'name', requireString(site, 'name', name, true));
    validateDnsLabel(site, 'namespace', requireString(site, 'namespace', namespace, true));
    const podLabels = requireStringMap(site, 'labels', labels);
    const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), PROBE_OPTION_KEYS);
    const fullName = `${namespace}/${name}`;
    if (this.pods().some((p) => p.endpoint.name === fullName)) {
      throw propError(site, 'name', `an endpoint named ${fullName} already exists`);
    }
    if (o.ip !== undefined) checkIp(site, o.ip, 'options.ip');
    const serviceAccount = requireOptionalString(site, 'options.serviceAccount', o.serviceAccount, true);
    const hostNetwork = requireOptionalBoolean(site, 'options.hostNetwork', o.hostNetwork, false);
    const unnamed = requireOptionalArray(site, 'options.ports', o.ports) ?? [];
    const named = requireOptionalObject(site, 'options.namedPorts', o.namedPorts) ?? {};
    const annotations = requireOptionalStringMap(site, 'options.annotations', o.annotations) ?? {};
    const ports = [
      ...unnamed.map((p, i) => ({ containerPort: singlePort(p, `options.ports[${i}]`), protocol: p.protocol })),
      ...Object.entries(named).map(([n, p]) => ({ name: n, containerPort: singlePort(p, `options.namedPorts.${n}`), protocol: p.protocol })),
    ];
    if (!this.namespaces.has(namespace)) {
      this.namespaces.set(namespace, { [NAMESPACE_NAME_LABEL]: namespace });
      this.cachedModel = undefined;
    }
    const template = {
      metadata: { labels: podLabels, annotations: Object.fromEntries(Object.entries(annotations).filter(([k]) => isMeshAnnotation(k))) },
      spec: {
        serviceAccountName: serviceAccount,
        hostNetwork,
        containers: [{ name: 'probe', ports }],
      },
    };
    const pod = podFromTemplate(fullName, 'Probe', namespace, template);
    this.podsByName = undefined;
    this.probes.push(this.withAddresses({
      ...pod,
      endpoint: { ...pod.endpoint, ...(options.ip !== undefined ? { ip: options.ip } : {}), namespaceLabels: this.namespaces.get(namespace)! },
    }));
  }

  /**
   * Can `from` reach `to` on `port`? A named port is resolved on each destination pod. When a target
   * matches several pods, every pair must be allowed. A named port that no destination pod has is an
   * error (a typo), not a denial.
   */
  public check(source: Target, destination: Target, port: Port): ReachabilityResult {
    return this.ask('check', source, destination, port);
  }

  /**
   * Can `from` send this HTTP request to `to` on `port` ("can A call B's POST /admin")? As
   * {@link check}, but the L7 rules of both layers (Cilium HTTP rules, Calico HTTP matches, Istio
   * methods, paths, hosts and header conditions) are matched against the request instead of being
   * reported as constraints.
   */
  public checkRequest(source: Target, destination: Target, port: Port, request: HttpRequest): ReachabilityResult {
    return this.ask('checkRequest', source, destination, port, httpRequestSpec(request, 'Reachability.checkRequest'));
  }

  private ask(site: string, source: Target, destination: Target, port: Port, request?: HttpRequestSpec): ReachabilityResult {
    const where = `Reachability.${site}`;
    requireInstance(where, 'source', source, Target, 'a Target (Target.workload(namespace, name), Target.pod(namespace, labels), ...)');
    requireInstance(where, 'destination', destination, Target, 'a Target (Target.workload(namespace, name), Target.pod(namespace, labels), ...)');
    requireInstance(where, 'port', port, Port, "a Port (Port.tcp(443), Port.named('http'), ...)");
    if (!isSingleOrNamed(port)) {
      throw propError(where, 'port', `must be a single port or a named port, got ${port.toString()}`);
    }
    const sources = this.resolve(where, 'source', source);
    const destinations = this.resolve(where, 'destination', destination);
    // A named port no destination has is almost always a typo; answering "denied" would let a
    // "must not reach" check pass vacuously.
    const named = (d: Endpoint) => d.namedPorts.some((p) => p.name === port.name && p.protocol === (port.protocol as string));
    if (port.name !== undefined && !destinations.some(named)) {
      throw propError(where, 'port', `no pod of ${destination.description} has a container port named '${port.name}' (${port.protocol})`);
    }
    const pairs: PairResult[] = [];
    for (const s of sources) {
      for (const d of destinations) pairs.push(this.checkPair(s, d, port, request));
    }
    const question = `${source.description} -> ${destination.description} on ${port.toString()}`
      + (request ? ` (HTTP ${request.method} ${request.path})` : '');
    return ReachabilityResult._create(question, this.cni.name, pairs, this.notes, this.meshName);
  }

  /** The explanation of {@link check}. */
  public explain(source: Target, destination: Target, port: Port): string {
    return this.check(source, destination, port).explain();
  }

  /**
   * The flow matrix over all pod endpoints x pod endpoints x ports, with a verdict per flow. Pods
   * with identical policy-relevant attributes are evaluated once; flows are produced when read.
   */
  public matrix(options: MatrixOptions = {}): FlowMatrix {
    const checked = checkMatrixOptions('Reachability.matrix', options);
    return FlowMatrix._create(this.cni.name, new MatrixData(this.pods(), checked, this.model(), this.meshModel(), l7BlindToMtls(this.cni),
      this.controllerKeysRead()));
  }

  /**
   * What changes from this manifest set (the base) to `other` (the head): the flows the change
   * opens and closes, and those whose verdict becomes or stops being indeterminate, each with the
   * objects and rules deciding it on either side, grouped by namespace pair. Both sides use their
   * own CNI and options.
   * Pods' egress to and ingress from external endpoints (one per region of the CIDRs the policies
   * name, the internet and the metadata address) are compared too (see DiffOptions).
   * @param other the manifests after the change
   * @param options the ports to compare (as for `matrix`) and whether to compare external endpoints
   */
  public diff(other: Reachability, options: DiffOptions = {}): ReachabilityDiff {
    const site = 'Reachability.diff';
    requireInstance(site, 'other', other, Reachability, 'a Reachability (Reachability.fromChart(...), ...)');
    const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), DIFF_OPTION_KEYS);
    const externalEndpoints = o.externalEndpoints === undefined ? undefined
      : requireBoolean(site, 'options.externalEndpoints', o.externalEndpoints);
    const { externalEndpoints: _ignored, ...matrixOptions } = o as DiffOptions;
    return diffReachability(this, other, {
      ...checkMatrixOptions(site, matrixOptions),
      ...(externalEndpoints !== undefined ? { externalEndpoints } : {}),
    });
  }

  /**
   * The verdict of one pod pair on one resolved port (for the diff).
   * @internal
   */
  public _pairByName(source: string, destination: string, protocol: L4Protocol, port: number): PairResult | undefined {
    const s = this.pods().find((p) => p.endpoint.name === source);
    const d = this.pods().find((p) => p.endpoint.name === destination);
    if (!s || !d) return undefined;
    return evaluatePair(this.context(), s.endpoint, d.endpoint, protocol, port);
  }

  /**
   * The CIDRs and ports the policies name, and the addresses that are pods or nodes (for the
   * external endpoints of the diff).
   * @internal
   */
  public _externalFacts(): ExternalFacts {
    return {
      ...externalFactsOf(this.manifests),
      internal: [...(this.podCidrs ?? []).map((c) => c.text), ...(this.nodeIp !== undefined ? [hostCidr(this.nodeIp)] : [])],
    };
  }

  /**
   * The verdict between one pod and an external address, either way (for the diff).
   * @internal
   */
  public _externalPair(pod: string, external: ExternalRegion, podIsSource: boolean, protocol: L4Protocol, port: number): PairResult | undefined {
    if (!this.podsByName) this.podsByName = new Map(this.pods().map((x) => [x.endpoint.name, x]));
    const p = this.podsByName.get(pod);
    if (!p) return undefined;
    const outside = externalEndpoint(external);
    return podIsSource
      ? evaluatePair(this.context(), p.endpoint, outside, protocol, port)
      : evaluatePair(this.context(), outside, p.endpoint, protocol, port);
  }

  private checkPair(source: Endpoint, destination: Endpoint, port: Port, request?: HttpRequestSpec): PairResult {
    const protocol = port.protocol as unknown as L4Protocol;
    let number = port.number;
    if (port.name !== undefined) {
      number = destination.namedPorts.find((p) => p.name === port.name && p.protocol === protocol)?.port;
      if (number === undefined) {
        const reason = `${destination.name} has no container port named '${port.name}' (${protocol})`;
        return missingNamedPortPair(source, destination, port.toString(), reason, this.meshFacts !== undefined);
      }
    }
    return evaluatePair(this.context(), source, destination, protocol, number!, request);
  }

  private context(): PairContext {
    const mesh = this.meshModel();
    return { model: this.model(), ...(mesh ? { mesh, l7BlindToMtls: l7BlindToMtls(this.cni), hostSnat: hostSnatSemantics(this.cni) } : {}) };
  }

  /** The endpoints `target` (the argument `prop` of `site`) selects; none is an error naming the known ones. */
  private resolve(site: string, prop: string, target: Target): Endpoint[] {
    const endpoints = target._resolve(this.pods().map((p) => p.endpoint), this.nodeEndpoints());
    if (endpoints.length === 0) {
      throw propError(site, prop, `${target.description} matches no endpoint (known: ${knownList(this.endpoints)})`);
    }
    return endpoints;
  }

  /** @internal */
  public _pods(): InventoryPod[] {
    return this.pods();
  }

  private pods(): InventoryPod[] {
    return [...this.workloads, ...this.probes].sort((a, b) => a.endpoint.name.localeCompare(b.endpoint.name));
  }

  /**
   * `local-node` is the node of the pod at the other end of each flow, `remote-node` any other node.
   * Both carry `nodeIp`; hostNetwork pods are pods at an unknown node (neither of these).
   */
  private nodeEndpoints(): NodeEndpoints {
    const node = {
      kind: 'node' as const,
      labels: {},
      namespaceLabels: {},
      hostNetwork: true,
      namedPorts: [],
      ...(this.nodeIp !== undefined ? { ip: this.nodeIp } : {}),
    };
    return {
      local: { ...node, name: 'local-node', nodeLocality: 'local' },
      remote: { ...node, name: 'remote-node', nodeLocality: 'remote' },
    };
  }

  /** hostNetwork pods have the node IP; other pods without a known IP are in the pod CIDRs. */
  private withAddresses(pod: InventoryPod): InventoryPod {
    const e = pod.endpoint;
    if (e.hostNetwork) {
      const { ip: _ip, ips: _ips, ...rest } = e;
      return { ...pod, endpoint: this.nodeIp !== undefined ? { ...rest, ip: this.nodeIp } : rest };
    }
    if (e.ip !== undefined || !this.podCidrs) return pod;
    return { ...pod, endpoint: { ...e, addressSpace: podCidrSpace(this.podCidrs) } };
  }

  private model(): AnnotatedCniModel {
    if (!this.cachedModel) this.cachedModel = modelFor(this.cni, this.manifests, this.namespaces, this.skippedInput);
    return this.cachedModel;
  }

  /** The controller-added label keys some object may read (./uncertainty/controller-label-reads). */
  private controllerKeysRead(): ControllerKeysRead {
    if (!this.cachedKeysRead) this.cachedKeysRead = controllerLabelKeysRead(this.manifests);
    return this.cachedKeysRead;
  }

  private meshModel(): MeshModel | undefined {
    if (this.meshFacts && !this.cachedMesh) {
      const podSpace = this.podCidrs ? podCidrSpace(this.podCidrs) : undefined;
      const mesh = meshModelFor(this.meshFacts, this.manifests, this.namespaces, this.namespaceAnnotations, podSpace);
      this.cachedMesh = meshWithSkippedInput(mesh, this.skippedInput);
    }
    return this.cachedMesh;
  }
}

/** Endpoints shown in an error: the first 20, then how many more (one line, even at thousands of pods). */
const KNOWN_SHOWN = 20;

function knownList(endpoints: readonly string[]): string {
  if (endpoints.length === 0) return 'none';
  const first = endpoints.slice(0, KNOWN_SHOWN).join(', ');
  return endpoints.length > KNOWN_SHOWN ? `${first} and ${endpoints.length - KNOWN_SHOWN} more` : first;
}
