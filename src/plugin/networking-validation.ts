/**
 * A cdk8s validation plugin: `cdk8s synth` lints the synthesized manifests with {@link PolicyLint}
 * and, optionally, checks reachability expectations (the CLI's `--expect` file format), failing
 * the synth on lint errors and failed expectations. Each violation names the finding, the object
 * (with its construct path, which cdk8s-cli adds from the app's construct metadata) and the fix.
 *
 * cdk8s.yaml:
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-networking/lib/plugin
 *     version: 0.1.0
 *     class: NetworkingValidation
 *     properties:
 *       cni: calico
 *       expectations: expectations.yaml   # optional
 *       mesh: linkerd                     # optional: istio, istio-ambient, linkerd or none
 *       linkerdDefaultInboundPolicy: deny # optional, with mesh: linkerd
 * ```
 */
import * as path from 'path';
import { PluginContext, PluginViolation } from './contract';
import { buildInventory } from '../analysis/inventory';
import { Reachability } from '../analysis/reachability';
import { ExpectationOutcome, addProbes, checkExpectations, verdictText } from '../cli/expectation-check';
import { ExpectationFileError, loadExpectations } from '../cli/expectations';
import { SourcedManifest, loadInput } from '../cli/files';
import { lintManifests } from '../cli/lint';
import { IstioFlags, LinkerdFlags, MeshChoice, lintMeshOptions, meshOptions } from '../cli/mesh-choice';
import { MESH_FLAGS, MeshFlag, MeshFlagError, MeshFlagValues, parseMeshFlags } from '../cli/mesh-flags';
import { Cni } from '../cluster/cni';
import { CNI_NAMES, cniByName } from '../cluster/cni-choices';
import { documentLabel } from '../lint/document';
import { LintFinding, LintSeverity } from '../lint/types';
import { ValidationError } from '../util/errors';

/** The plugin's `properties` in cdk8s.yaml. */
export interface NetworkingValidationProperties {
  /** The CNI of the target cluster, by name: `kubernetes`, `calico`, `cilium` or `flannel`. Required. */
  readonly cni: string;
  /**
   * An expectations file (`expect: [{ from, to, port, allowed }]` and optional `probes`, as
   * `cdk8s-networking analyze --expect` reads it), relative to the directory `cdk8s synth` runs in.
   * An expectation the manifests cannot decide (indeterminate) fails like a failed one.
   * @default - no reachability expectations: lint only
   */
  readonly expectations?: string;
  /**
   * The lowest lint severity that fails the synth: `error` or `warning`. Warnings are always listed.
   * @default 'error'
   */
  readonly failOn?: string;
  /**
   * The cluster's service mesh, as the CLI's `--mesh` names it: `istio` (sidecar), `istio-ambient`,
   * `linkerd`, or `none` (the cluster runs no mesh: the lint rules judging what Istio or Linkerd admits do not apply).
   * The lint's mesh rules judge with it (PolicyLintOptions.mesh), and the expectations are checked
   * with its layer (a flow is allowed when the CNI and the mesh allow it), as `analyze --mesh` does.
   * The trust domain and the namespaces are those `istioTrustDomain`, `istioRootNamespace`, `linkerdTrustDomain` and
   * `linkerdNamespace` declare; one not declared is assumed the install default for the expectations, and the lint
   * hedges over it as without a mesh.
   * @default - not given: the mesh lint rules guess the installation values, and the expectations
   * are checked without a mesh layer (as before)
   */
  readonly mesh?: string;
  /**
   * With `mesh: linkerd` only: `proxy.defaultInboundPolicy` (`--linkerd-default-inbound-policy`).
   * @default - Linkerd's install default for the expectations; unknown to the lint (only policies the manifests annotate are judged)
   */
  readonly linkerdDefaultInboundPolicy?: string;
  /**
   * With `mesh: linkerd` only: `clusterNetworks`, a list of CIDRs or one comma-separated string (`--linkerd-cluster-networks`).
   * @default - Linkerd's install default
   */
  readonly linkerdClusterNetworks?: string | string[];
  /**
   * With `mesh: linkerd` only: `policyController.probeNetworks`, a list of CIDRs (possibly empty) or one
   * comma-separated string (`--linkerd-probe-networks`).
   * @default - Linkerd's install default (every address)
   */
  readonly linkerdProbeNetworks?: string | string[];
  /**
   * With `mesh: linkerd` only: `proxy.opaquePorts` in Linkerd's port-list syntax (`--linkerd-opaque-ports`),
   * e.g. `'25,3306,4000-4100'` (a single port may be a number).
   * @default - Linkerd's install default
   */
  readonly linkerdOpaquePorts?: string;
  /**
   * With `mesh: linkerd` only: the identity trust domain, Helm `identityTrustDomain` (`--linkerd-trust-domain`).
   * @default - assumed `cluster.local` for the expectations; unknown to the lint (it hedges over `cluster.local` and the
   * trust domains the MeshTLSAuthentications name)
   */
  readonly linkerdTrustDomain?: string;
  /**
   * With `mesh: linkerd` only: the control plane's namespace (`--linkerd-namespace`), part of every proxy identity.
   * @default - assumed `linkerd` for the expectations; unknown to the lint (it hedges as for the trust domain)
   */
  readonly linkerdNamespace?: string;
  /**
   * With `mesh: istio` or `istio-ambient`: meshConfig `trustDomain` (`--istio-trust-domain`).
   * @default - assumed `cluster.local` for the expectations; unknown to the lint (it hedges over `cluster.local` and the
   * trust domains the AuthorizationPolicies' principals name)
   */
  readonly istioTrustDomain?: string;
  /**
   * With `mesh: istio` or `istio-ambient`: meshConfig `rootNamespace` (`--istio-root-namespace`), where mesh-wide policies live.
   * @default - `istio-system`, assumed
   */
  readonly istioRootNamespace?: string;
  /**
   * With `mesh: istio-ambient` only: istio-cni `HOST_PROBE_SNAT_IP` (`--istio-host-probe-snat-ip`).
   * @default - istio-cni's default
   */
  readonly istioHostProbeSnatIp?: string;
  /**
   * With `mesh: istio-ambient` only: istio-cni `HOST_PROBE_SNAT_IPV6` (`--istio-host-probe-snat-ipv6`).
   * @default - istio-cni's default
   */
  readonly istioHostProbeSnatIpv6?: string;
}

/** The property of each mesh option (the CLI's flag): the names PolicyLintOptions and ReachabilityOptions use. */
const MESH_PROPERTIES: Record<MeshFlag, string> = {
  'mesh': 'mesh',
  'linkerd-default-inbound-policy': 'linkerdDefaultInboundPolicy',
  'linkerd-cluster-networks': 'linkerdClusterNetworks',
  'linkerd-probe-networks': 'linkerdProbeNetworks',
  'linkerd-opaque-ports': 'linkerdOpaquePorts',
  'linkerd-trust-domain': 'linkerdTrustDomain',
  'linkerd-namespace': 'linkerdNamespace',
  'istio-trust-domain': 'istioTrustDomain',
  'istio-root-namespace': 'istioRootNamespace',
  'istio-host-probe-snat-ip': 'istioHostProbeSnatIp',
  'istio-host-probe-snat-ipv6': 'istioHostProbeSnatIpv6',
};
/** The mesh options that take a list of CIDRs (a YAML list, or the CLI's comma-separated text). */
const CIDR_LISTS: ReadonlySet<MeshFlag> = new Set(['linkerd-cluster-networks', 'linkerd-probe-networks']);

const PROPERTY_KEYS = ['cni', 'expectations', 'failOn', ...MESH_FLAGS.map((f) => MESH_PROPERTIES[f])];
const PREFIX = 'cdk8s-networking validation plugin';

/**
 * The synthesized manifests are the app's own output, not contributed files: no size limits (the
 * CLI's defaults would refuse the one-file synth of a very large platform), regular files only.
 */
const SYNTH_OUTPUT = { maxFileBytes: Number.MAX_SAFE_INTEGER, maxTotalBytes: Number.MAX_SAFE_INTEGER, followExternalSymlinks: true };

/**
 * The validation plugin class cdk8s-cli instantiates with the `properties` of its cdk8s.yaml entry.
 * Bad properties throw at construction, so `cdk8s synth` stops before validating anything.
 */
export class NetworkingValidation {
  private readonly cniName: string;
  private readonly cni: Cni;
  private readonly expectations?: string;
  private readonly failOnWarnings: boolean;
  private readonly mesh?: MeshChoice | 'none';
  private readonly linkerd?: LinkerdFlags;
  private readonly istio?: IstioFlags;

  constructor(properties: NetworkingValidationProperties = {} as NetworkingValidationProperties) {
    const props: Record<string, unknown> = typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? properties as any : invalid('', 'expected a mapping');
    const unknown = Object.keys(props).filter((k) => !PROPERTY_KEYS.includes(k));
    if (unknown.length > 0) invalid(unknown[0], `unknown property (expected ${PROPERTY_KEYS.join(', ')})`);
    if (typeof props.cni !== 'string' || props.cni === '') invalid('cni', `required: one of ${CNI_NAMES.join(', ')}`);
    const cni = cniByName(props.cni as string);
    if (cni === undefined) invalid('cni', `unknown CNI '${props.cni}': expected ${CNI_NAMES.join(', ')}`);
    this.cniName = (props.cni as string).toLowerCase();
    this.cni = cni;
    if (props.expectations !== undefined && (typeof props.expectations !== 'string' || props.expectations === '')) {
      invalid('expectations', 'expected the path of an expectations file');
    }
    this.expectations = props.expectations as string | undefined;
    const failOn = props.failOn ?? 'error';
    if (failOn !== 'error' && failOn !== 'warning') invalid('failOn', `expected error or warning, got ${JSON.stringify(failOn)}`);
    this.failOnWarnings = failOn === 'warning';
    const mesh = meshProperties(props);
    this.mesh = mesh.mesh;
    this.linkerd = mesh.linkerd;
    this.istio = mesh.istio;
  }

  /** Lint the manifests, check the expectations, and submit the report (status `failure` fails the synth). */
  public async validate(context: PluginContext): Promise<void> {
    const cwd = process.cwd();
    const shown = context.manifests.map((m) => displayPath(m, cwd));
    const loaded = loadInput(shown, cwd, SYNTH_OUTPUT, 'named');
    // A manifest that cannot be read (missing, not a regular file) or a document that cannot be parsed
    // (invalid YAML, no kind) would leave part of the app unchecked: each fails the synth.
    const fileFix = 'Check the synthesized output directory: every manifest must be a regular file.';
    const unchecked = [
      ...loaded.missing.map((m) => ({ path: m, message: `${m}: no such file`, fix: fileFix })),
      ...loaded.unreadable.map((u) => ({ ...u, fix: fileFix })),
      ...loaded.skipped.map(({ file, message }) => ({
        path: file,
        message,
        fix: 'Every synthesized document must be a Kubernetes object (a mapping with a kind) in valid YAML: correct the object '
          + 'that writes it (an Include, a hand-written ApiObject or a post-synthesis step).',
      })),
    ];
    for (const { path: file, message, fix } of unchecked) {
      context.report.addViolation({
        ruleName: 'manifest-unreadable',
        recommendation: `cannot read ${message}, so it is neither linted nor analyzed`,
        fix,
        violatingResources: [{ resourceName: file, locations: [message], manifestPath: file }],
      });
    }
    const resources = new ResourceNames(loaded.manifests);

    // The mesh, when given: the lint's fact (`none`: the rules judging what a mesh admits do not apply) and the expectations' mesh layer.
    const findings = lintManifests(loaded.manifests, {
      cni: this.cni,
      ...(this.mesh !== undefined ? lintMeshOptions(this.mesh, this.linkerd, this.istio) : {}),
    });
    const count = (s: LintSeverity) => findings.filter((f) => f.severity === s).length;
    for (const f of findings.filter((x) => x.severity !== LintSeverity.INFO)) {
      context.report.addViolation(lintViolation(f, resources));
    }

    let outcomes: ExpectationOutcome[] | undefined;
    let expectationFileFailed = false;
    if (this.expectations !== undefined) {
      try {
        const file = loadExpectations(this.expectations, cwd);
        const objects = loaded.manifests.map((m) => m.obj);
        const reach = Reachability.fromManifests(objects, {
          cni: this.cni,
          ...(this.mesh !== undefined && this.mesh !== 'none' ? meshOptions(this.mesh, this.linkerd, this.istio) : {}),
        });
        const namespaces = buildInventory(objects).namespaces;
        addProbes(reach, file.probes, namespaces);
        outcomes = checkExpectations(reach, file.expectations, namespaces);
        for (const note of reach.notes) context.logger.log(`${PREFIX}: note: ${note}`);
        outcomes.forEach((o, i) => {
          if (!o.pass) context.report.addViolation(expectationViolation(o, i, this.expectations!));
        });
      } catch (e) {
        if (!(e instanceof ExpectationFileError)) throw e;
        expectationFileFailed = true;
        context.report.addViolation({
          ruleName: 'expectations-file',
          recommendation: e.message,
          fix: `Correct ${this.expectations} (expect: [{ from, to, port, allowed }]) or the plugin's expectations property in cdk8s.yaml.`,
          violatingResources: [{ resourceName: this.expectations, locations: [e.message], manifestPath: this.expectations }],
        });
      }
    }

    const failedExpectations = (outcomes ?? []).filter((o) => !o.pass).length;
    const failed = count(LintSeverity.ERROR) > 0 || failedExpectations > 0 || expectationFileFailed || unchecked.length > 0
      || (this.failOnWarnings && count(LintSeverity.WARNING) > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      CNI: this.cniName,
      ...(this.mesh !== undefined ? { Mesh: this.mesh } : {}),
      Objects: String(loaded.manifests.length),
      Lint: `${count(LintSeverity.ERROR)} error(s), ${count(LintSeverity.WARNING)} warning(s), ${count(LintSeverity.INFO)} info`,
      ...(this.expectations === undefined ? {} : {
        Expectations: outcomes === undefined ? `${this.expectations} unreadable`
          : `${outcomes.length - failedExpectations} of ${outcomes.length} passed (${this.expectations})`,
      }),
    });
  }
}

/** Bad input in cdk8s.yaml: a ValidationError (`[cdk8s-networking validation plugin] properties.cni: ...`), not a bug. */
function invalid(property: string, message: string): never {
  throw new ValidationError(PREFIX, property === '' ? 'properties' : `properties.${property}`, message);
}

/**
 * The mesh properties, checked as the CLI checks its flags (one parser: ../cli/mesh-flags), each error
 * naming the property: `properties.linkerdOpaquePorts: ...`.
 */
function meshProperties(props: Record<string, unknown>): { mesh?: MeshChoice | 'none'; linkerd?: LinkerdFlags; istio?: IstioFlags } {
  const values: Record<string, string> = {};
  for (const flag of MESH_FLAGS) {
    const value = props[MESH_PROPERTIES[flag]];
    if (value === undefined) continue;
    values[flag] = propertyText(flag, value);
  }
  try {
    return parseMeshFlags(values as MeshFlagValues, {
      name: (flag) => MESH_PROPERTIES[flag],
      askMesh: (choice) => `set mesh: ${choice}`,
      unknownMesh: (value) => `unknown mesh '${value}'`,
    });
  } catch (e) {
    if (e instanceof MeshFlagError) invalid(MESH_PROPERTIES[e.option], e.reason);
    throw e;
  }
}

/** A mesh property's value as the CLI's flag text; a value of another type is an error naming the property. */
function propertyText(flag: MeshFlag, value: unknown): string {
  const property = MESH_PROPERTIES[flag];
  if (typeof value === 'string') {
    if (value.trim() === '' && !CIDR_LISTS.has(flag)) invalid(property, 'expected a value, got an empty string');
    return value;
  }
  if (CIDR_LISTS.has(flag) && Array.isArray(value)) {
    const bad = value.findIndex((v) => typeof v !== 'string' || v.trim() === '' || v.includes(','));
    if (bad >= 0) invalid(`${property}[${bad}]`, `expected a CIDR (e.g. 10.0.0.0/8), got ${JSON.stringify(value[bad])}`);
    return value.join(',');
  }
  if (flag === 'linkerd-opaque-ports' && Number.isInteger(value)) return String(value);
  const expected = flag === 'mesh' ? 'istio, istio-ambient, linkerd or none'
    : CIDR_LISTS.has(flag) ? 'a list of CIDRs or a comma-separated string of CIDRs'
      : flag === 'linkerd-opaque-ports' ? "a Linkerd port list such as '25,3306,4000-4100'" : 'a string';
  return invalid(property, `expected ${expected}, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
}

/** A manifest path relative to the app directory when it lies inside it (as cdk8s prints `dist/...`). */
function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * The resource names the report uses. cdk8s-cli maps a `resourceName` to its construct path by
 * `metadata.name` alone, so only a name that one object has is passed bare; objects sharing a name
 * (an `allow-dns` per namespace) keep their `Kind namespace/name` label and get no construct path
 * rather than another object's.
 */
class ResourceNames {
  private readonly byLabel = new Map<string, SourcedManifest>();
  private readonly nameCount = new Map<string, number>();

  constructor(manifests: readonly SourcedManifest[]) {
    manifests.forEach((m, i) => {
      const label = documentLabel({ obj: m.obj, index: i + 1 });
      if (!this.byLabel.has(label)) this.byLabel.set(label, m);
      const name = m.obj?.metadata?.name;
      if (typeof name === 'string') this.nameCount.set(name, (this.nameCount.get(name) ?? 0) + 1);
    });
  }

  /** The resource name of the object labelled `label` (`Kind ns/name`). */
  public resourceName(label: string): string {
    const name = this.byLabel.get(label)?.obj?.metadata?.name;
    return typeof name === 'string' && this.nameCount.get(name) === 1 ? name : label;
  }
}

function lintViolation(f: LintFinding, resources: ResourceNames): PluginViolation {
  const where = [f.object, f.path, f.line !== undefined ? `line ${f.line}` : undefined].filter((x) => x !== undefined).join(', ');
  return {
    ruleName: `${f.rule} (${f.severity})`,
    recommendation: f.message,
    fix: f.fix,
    violatingResources: [{ resourceName: resources.resourceName(f.object), locations: [where], manifestPath: f.source ?? 'unknown' }],
  };
}

function expectationViolation(o: ExpectationOutcome, index: number, file: string): PluginViolation {
  const wanted = o.expected ? 'allowed' : 'denied';
  const pairs = o.totalPairs === undefined ? '' : ` (${o.allowedPairs} of ${o.totalPairs} pod pairs allowed)`;
  const got = o.undecided ? `, but the manifests do not decide it (${verdictText(o)})` : pairs;
  return {
    ruleName: 'reachability-expectation',
    recommendation: `expected ${o.question} to be ${wanted}${got}: ${o.explanation ?? 'no explanation'}`,
    fix: o.undecided
      ? `Make the policies decide the flow (the explanation says what the manifests leave open), or correct expect[${index}] in ${file}.`
      : `Change the policies so that the flow is ${wanted}, or correct expect[${index}] in ${file} if the intent changed.`,
    violatingResources: [{ resourceName: file, locations: [`expect[${index}]: ${o.question}`], manifestPath: file }],
  };
}
