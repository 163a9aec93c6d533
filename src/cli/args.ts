/**
 * Command-line parsing with node's built-in `util.parseArgs` (strict: unknown flags are errors).
 */
import { parseArgs } from 'util';
import { IstioFlags, LinkerdFlags, MeshChoice } from './mesh-choice';
import { MeshFlagError, MeshFlagValues, ParsedMeshFlags, commandLineNames, parseCidrList, parseMeshFlags } from './mesh-flags';
import { OpenPattern, parseOpenPattern } from './open-patterns';
import { parsePortList } from './ports';
import { IpFamily } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';
import { CNI_NAMES, cniByName } from '../cluster/cni-choices';
import { Port } from '../policy/port';
import { parseIp } from '../util/cidr';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES, ReadLimits } from '../util/input-files';

/** A command line that cannot be run; reported with the usage text and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What the command line asks for. */
export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | AnalyzeCommand
  | DiffCommand
  | LintCommand;

/** What the analysis is told about the cluster besides the manifests. */
export interface ClusterFacts {
  readonly cni: Cni;
  /** `--pod-cidrs`: where pods without a stated IP are (ReachabilityOptions.podCidrs). */
  readonly podCidrs?: string[];
  /** `--node-ip`: the nodes' address (ReachabilityOptions.nodeIp). */
  readonly nodeIp?: string;
  /** `--mesh`: the mesh whose authorization applies on top of the CNI. */
  readonly mesh?: MeshChoice;
  /** The `--linkerd-*` flags (with `--mesh linkerd` only): the Linkerd installation's cluster-wide values. */
  readonly linkerd?: LinkerdFlags;
  /** The `--istio-host-probe-snat-*` flags (with `--mesh istio-ambient` only): istio-cni's host probe addresses. */
  readonly istio?: IstioFlags;
}

/** `cdk8s-networking analyze ...`. */
export interface AnalyzeCommand extends ClusterFacts {
  readonly command: 'analyze';
  readonly paths: string[];
  readonly format: 'table' | 'json' | 'mermaid';
  readonly lint: boolean;
  readonly ipFamilies?: IpFamily[];
  readonly expect?: string;
  readonly ports: Port[];
  readonly output?: string;
  /** What may be read (sizes, symlinks). */
  readonly limits: Required<ReadLimits>;
  /** The table lists at most this many flows, and summarizes above; undefined: every flow (`--all`). */
  readonly maxRows?: number;
  /** `--strict`: an indeterminate flow in the matrix is a failure (exit code 4). */
  readonly strict: boolean;
  /**
   * `--mesh none` given: no mesh layer (as without `--mesh`), and for `--lint` the fact that the cluster
   * runs no mesh (as `lint --mesh none`). Undefined when not given.
   */
  readonly meshNone?: true;
}

/** `cdk8s-networking analyze --diff <base> <head> ...`. */
export interface DiffCommand extends ClusterFacts {
  readonly command: 'diff';
  /** The manifests before the change. */
  readonly base: string;
  /** The manifests after the change. */
  readonly head: string;
  readonly format: 'table' | 'json' | 'markdown';
  readonly ports: Port[];
  readonly output?: string;
  readonly limits: Required<ReadLimits>;
  /** `--fail-on-open`: opened flows that fail the run. */
  readonly failOnOpen: OpenPattern[];
  /** `--strict`: a flow the change makes indeterminate fails the run (exit code 4). */
  readonly strict: boolean;
  /** `--probes`: an expectations file whose probes are added to both sides. */
  readonly probes?: string;
}

/** `cdk8s-networking lint ...`. */
export interface LintCommand {
  readonly command: 'lint';
  readonly paths: string[];
  readonly cni?: Cni;
  readonly ipFamilies?: IpFamily[];
  readonly format: 'text' | 'json';
  readonly output?: string;
  /** What may be read (sizes, symlinks). */
  readonly limits: Required<ReadLimits>;
  /** Search directories for Markdown files (`*.md`, `*.markdown`) too. */
  readonly markdown: boolean;
  /**
   * `--mesh` (PolicyLintOptions.mesh): the mesh the mesh rules judge by; `none` says the cluster has no
   * mesh (the Istio and Linkerd rules do not apply). Undefined: not given, the rules guess the mesh's
   * installation values.
   */
  readonly mesh?: MeshChoice | 'none';
  /** The `--linkerd-*` flags (with `--mesh linkerd` only), as for analyze. */
  readonly linkerd?: LinkerdFlags;
  /** The `--istio-host-probe-snat-*` flags (with `--mesh istio-ambient` only), as for analyze. */
  readonly istio?: IstioFlags;
}

/** The table's row limit unless `--max-rows` or `--all` says otherwise. */
export const DEFAULT_MAX_ROWS = 2000;

const OPTIONS = {
  'cni': { type: 'string' },
  'calico-native-v3-crds': { type: 'boolean' },
  'cluster-network-policy': { type: 'boolean' },
  'format': { type: 'string' },
  'lint': { type: 'boolean' },
  'ip-families': { type: 'string' },
  'expect': { type: 'string' },
  'ports': { type: 'string', multiple: true },
  'mesh': { type: 'string' },
  'linkerd-default-inbound-policy': { type: 'string' },
  'linkerd-cluster-networks': { type: 'string' },
  'linkerd-probe-networks': { type: 'string' },
  'linkerd-opaque-ports': { type: 'string' },
  'linkerd-trust-domain': { type: 'string' },
  'linkerd-namespace': { type: 'string' },
  'istio-trust-domain': { type: 'string' },
  'istio-root-namespace': { type: 'string' },
  'istio-host-probe-snat-ip': { type: 'string' },
  'istio-host-probe-snat-ipv6': { type: 'string' },
  'output': { type: 'string', short: 'o' },
  'max-rows': { type: 'string' },
  'all': { type: 'boolean' },
  'markdown': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  'max-total-size': { type: 'string' },
  'follow-symlinks': { type: 'boolean' },
  'strict': { type: 'boolean' },
  'pod-cidrs': { type: 'string' },
  'node-ip': { type: 'string' },
  'diff': { type: 'boolean' },
  'fail-on-open': { type: 'string', multiple: true },
  'probes': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean', short: 'v' },
} as const;

/** `ipv4`, `ipv6` or `ipv4,ipv6` (case-insensitive), without duplicates. */
function parseIpFamilies(text: string): IpFamily[] {
  const names = text.split(',').map((n) => n.trim().toLowerCase());
  const families = names.map((n) => {
    if (n === 'ipv4') return IpFamily.IPV4;
    if (n === 'ipv6') return IpFamily.IPV6;
    throw new UsageError(`--ip-families: unknown family '${n}': expected ipv4, ipv6 or ipv4,ipv6`);
  });
  if (new Set(families).size !== families.length) throw new UsageError(`--ip-families: '${text}' names a family twice`);
  return families;
}

/**
 * Parse the arguments after the program name.
 * @throws UsageError for unknown commands or flags, missing or invalid values
 */
export function parseCommandLine(args: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs throws TypeErrors such as "Unknown option '--foo'. To specify a positional ..." (code
    // ERR_PARSE_ARGS_*); the hint about '--' is noise here. `instanceof Error` fails across realms (jest).
    const message = typeof (e as any)?.message === 'string' ? (e as any).message as string : String(e);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('missing command: analyze or lint');
  if (command !== 'analyze' && command !== 'lint') throw new UsageError(`unknown command '${command}'`);
  if (paths.length === 0) throw new UsageError(`${command}: give at least one file or directory`);
  const cniFlags = (Object.keys(CNI_OPTION_FLAGS) as Array<keyof typeof CNI_OPTION_FLAGS>).filter((flag) => values[flag] === true);
  if (values.cni === undefined && cniFlags.length > 0) throw new UsageError(`--${cniFlags[0]} describes the CNI: give --cni too`);
  const cni = values.cni === undefined ? undefined : parseCni(values.cni, cniFlags);
  const ipFamilies = values['ip-families'] === undefined ? undefined : parseIpFamilies(values['ip-families']);
  const limits: Required<ReadLimits> = {
    maxFileBytes: values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_BYTES : parseSize('--max-file-size', values['max-file-size']),
    maxTotalBytes: values['max-total-size'] === undefined ? DEFAULT_MAX_TOTAL_BYTES : parseSize('--max-total-size', values['max-total-size']),
    followExternalSymlinks: values['follow-symlinks'] ?? false,
  };

  if (command === 'lint') {
    const analyzeOnly = ['lint', 'expect', 'ports', 'max-rows', 'all', 'strict', 'pod-cidrs', 'node-ip', 'diff', 'fail-on-open', 'probes'] as const;
    for (const flag of analyzeOnly) {
      if (values[flag] !== undefined) throw new UsageError(`lint: --${flag} is an analyze option`);
    }
    const format = oneOf('lint', values.format ?? 'text', ['text', 'json']);
    // The mesh flags as analyze reads them; `--mesh none` is a fact for lint (no mesh), not the default.
    const { mesh: lintMesh, linkerd, istio } = meshFlagsOf('lint', values);
    return {
      command,
      paths,
      cni,
      ipFamilies,
      format,
      output: values.output,
      limits,
      markdown: values.markdown ?? false,
      ...(lintMesh !== undefined ? { mesh: lintMesh } : {}),
      ...(linkerd !== undefined ? { linkerd } : {}),
      ...(istio !== undefined ? { istio } : {}),
    };
  }
  if (values.markdown !== undefined) throw new UsageError('analyze: --markdown is a lint option (analyze reads YAML only)');
  if (cni === undefined) throw new UsageError(`analyze: --cni is required (${CNI_NAMES.join(', ')})`);
  let ports: Port[];
  try {
    ports = (values.ports ?? []).flatMap(parsePortList);
  } catch (e) {
    throw new UsageError(`--ports: ${(e as Error).message}`);
  }
  const parsedMesh = meshFlagsOf('analyze', values);
  const mesh = parsedMesh.mesh === 'none' ? undefined : parsedMesh.mesh;
  const { linkerd, istio } = parsedMesh;
  const facts: ClusterFacts = {
    cni,
    ...(values['pod-cidrs'] !== undefined ? { podCidrs: parseCidrList(values['pod-cidrs'], false, undefined, (reason) => new UsageError(`--pod-cidrs: ${reason}`)) } : {}),
    ...(values['node-ip'] !== undefined ? { nodeIp: parseAddress(values['node-ip']) } : {}),
    ...(mesh !== undefined ? { mesh } : {}),
    ...(linkerd !== undefined ? { linkerd } : {}),
    ...(istio !== undefined ? { istio } : {}),
  };
  const strict = values.strict ?? false;
  if (values.diff) {
    for (const flag of ['lint', 'expect', 'max-rows', 'all'] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(`analyze --diff: --${flag} is not a diff option${flag === 'expect' ? ' (--probes adds the probes of an expectations file)' : ''}`);
      }
    }
    if (paths.length !== 2) throw new UsageError('analyze --diff: give two paths, the manifests before and after the change');
    const format = oneOf('analyze --diff', values.format ?? 'table', ['table', 'json', 'markdown']);
    const failOnOpen = (values['fail-on-open'] ?? []).map((text) => {
      try {
        return parseOpenPattern(text);
      } catch (e) {
        throw new UsageError(`--fail-on-open: ${(e as Error).message}`);
      }
    });
    const probes = values.probes !== undefined ? { probes: values.probes } : {};
    return { command: 'diff', base: paths[0], head: paths[1], ...facts, format, ports, output: values.output, limits, failOnOpen, strict, ...probes };
  }
  if (values['fail-on-open'] !== undefined) throw new UsageError('analyze: --fail-on-open is a --diff option');
  if (values.probes !== undefined) throw new UsageError('analyze: --probes is a --diff option (without --diff, --expect reads the probes)');
  const format = oneOf('analyze', values.format ?? 'table', ['table', 'json', 'mermaid']);
  if (values.all && values['max-rows'] !== undefined) throw new UsageError('analyze: give --all or --max-rows, not both');
  if (format !== 'table' && (values.all || values['max-rows'] !== undefined)) {
    throw new UsageError(`analyze: --${values.all ? 'all' : 'max-rows'} is for --format table (json and mermaid always list every flow)`);
  }
  return {
    command,
    paths,
    ...facts,
    format,
    lint: values.lint ?? false,
    ipFamilies,
    expect: values.expect,
    ports,
    output: values.output,
    limits,
    maxRows: values.all ? undefined : values['max-rows'] === undefined ? DEFAULT_MAX_ROWS : parseCount('--max-rows', values['max-rows']),
    strict,
    ...(parsedMesh.mesh === 'none' ? { meshNone: true as const } : {}),
  };
}

/** The mesh flags (./mesh-flags, shared with the validation plugin), a UsageError when one is refused. */
function meshFlagsOf(command: 'analyze' | 'lint', values: MeshFlagValues): ParsedMeshFlags {
  try {
    return parseMeshFlags(values, commandLineNames(command));
  } catch (e) {
    if (e instanceof MeshFlagError) throw new UsageError(e.message);
    throw e;
  }
}

function parseAddress(text: string): string {
  try {
    parseIp(text.trim());
  } catch (e) {
    throw new UsageError(`--node-ip: '${text}' is not an IP address: ${(e as Error).message}`);
  }
  return text.trim();
}


/** The flags that describe the CNI beyond its name: the `--cni` each applies to and the Cni it gives. */
const CNI_OPTION_FLAGS = {
  'calico-native-v3-crds': { cni: 'calico', what: 'a Calico cluster', create: () => Cni.calico({ nativeV3Crds: true }) },
  'cluster-network-policy': {
    cni: 'kubernetes',
    what: 'a kubernetes CNI (the others say themselves whether they implement it)',
    create: () => Cni.kubernetes({ clusterNetworkPolicy: true }),
  },
} as const;

/**
 * The CNI named `name`, or the Cni of the option flag given with it (`--calico-native-v3-crds`:
 * Calico serving projectcalico.org/v3 as native CRDs, no ClusterNetworkPolicy;
 * `--cluster-network-policy`: a Kubernetes CNI that implements ClusterNetworkPolicy).
 */
function parseCni(name: string, flags: ReadonlyArray<keyof typeof CNI_OPTION_FLAGS>): Cni {
  const cni = cniByName(name);
  if (!cni) throw new UsageError(`unknown --cni '${name}': expected ${CNI_NAMES.join(', ')}`);
  const given = name.toLowerCase();
  for (const flag of flags) {
    if (CNI_OPTION_FLAGS[flag].cni !== given) throw new UsageError(`--${flag} describes ${CNI_OPTION_FLAGS[flag].what}, not --cni ${given}`);
  }
  return flags.length > 0 ? CNI_OPTION_FLAGS[flags[0]].create() : cni;
}

const SIZE_UNITS: Record<string, number> = { '': 1, 'k': 1024, 'kib': 1024, 'm': 1024 ** 2, 'mib': 1024 ** 2, 'g': 1024 ** 3, 'gib': 1024 ** 3 };

/** A byte count: `1048576`, `512K`, `16M`, `16MiB`, `1G` (binary units, case-insensitive), at least 1. */
function parseSize(flag: string, text: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(`${flag}: invalid size '${text}': expected a number of bytes, optionally with K, M or G (KiB, MiB, GiB), e.g. 64M`);
  }
  return bytes;
}

/** A positive integer. */
function parseCount(flag: string, text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive whole number, got '${text}'`);
  return n;
}

function oneOf<T extends string>(command: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${command}: unknown --format '${value}': expected ${allowed.join(', ')}`);
  }
  return value as T;
}
