/**
 * Command-line parsing with node's built-in `util.parseArgs` (strict: unknown flags are errors).
 */
import { parseArgs } from 'util';
import { parsePortList } from './ports';
import { IpFamily } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';
import { Port } from '../policy/port';

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
  | LintCommand;

/** `cdk8s-networking analyze ...`. */
export interface AnalyzeCommand {
  readonly command: 'analyze';
  readonly paths: string[];
  readonly cni: Cni;
  readonly format: 'table' | 'json' | 'mermaid';
  readonly lint: boolean;
  readonly ipFamilies?: IpFamily[];
  readonly expect?: string;
  readonly ports: Port[];
  readonly output?: string;
  /** The mesh whose authorization applies on top of the CNI (`--mesh`). */
  readonly mesh?: MeshChoice;
}

/** The meshes `--mesh` names. */
export type MeshChoice = 'istio' | 'istio-ambient' | 'linkerd';
const MESHES: readonly MeshChoice[] = ['istio', 'istio-ambient', 'linkerd'];

/** `cdk8s-networking lint ...`. */
export interface LintCommand {
  readonly command: 'lint';
  readonly paths: string[];
  readonly cni?: Cni;
  readonly ipFamilies?: IpFamily[];
  readonly format: 'text' | 'json';
  readonly output?: string;
}

const CNIS: Record<string, () => Cni> = {
  kubernetes: () => Cni.kubernetes(),
  calico: () => Cni.calico(),
  cilium: () => Cni.cilium(),
  flannel: () => Cni.flannel(),
};

const OPTIONS = {
  'cni': { type: 'string' },
  'format': { type: 'string' },
  'lint': { type: 'boolean' },
  'ip-families': { type: 'string' },
  'expect': { type: 'string' },
  'ports': { type: 'string', multiple: true },
  'mesh': { type: 'string' },
  'output': { type: 'string', short: 'o' },
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
  const cni = values.cni === undefined ? undefined : parseCni(values.cni);
  const ipFamilies = values['ip-families'] === undefined ? undefined : parseIpFamilies(values['ip-families']);

  if (command === 'lint') {
    for (const flag of ['lint', 'expect', 'ports', 'mesh'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`lint: --${flag} is an analyze option`);
    }
    return { command, paths, cni, ipFamilies, format: oneOf('lint', values.format ?? 'text', ['text', 'json']), output: values.output };
  }
  if (cni === undefined) throw new UsageError('analyze: --cni is required (kubernetes, calico, cilium or flannel)');
  let ports: Port[];
  try {
    ports = (values.ports ?? []).flatMap(parsePortList);
  } catch (e) {
    throw new UsageError(`--ports: ${(e as Error).message}`);
  }
  return {
    command,
    paths,
    cni,
    format: oneOf('analyze', values.format ?? 'table', ['table', 'json', 'mermaid']),
    lint: values.lint ?? false,
    ipFamilies,
    expect: values.expect,
    ports,
    output: values.output,
    ...(values.mesh !== undefined && values.mesh !== 'none' ? { mesh: oneOfMesh(values.mesh) } : {}),
  };
}

function oneOfMesh(value: string): MeshChoice {
  if (!(MESHES as readonly string[]).includes(value)) {
    throw new UsageError(`analyze: unknown --mesh '${value}': expected ${MESHES.join(', ')} or none`);
  }
  return value as MeshChoice;
}

function parseCni(name: string): Cni {
  const factory = CNIS[name.toLowerCase()];
  if (!factory) throw new UsageError(`unknown --cni '${name}': expected ${Object.keys(CNIS).join(', ')}`);
  return factory();
}

function oneOf<T extends string>(command: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${command}: unknown --format '${value}': expected ${allowed.join(', ')}`);
  }
  return value as T;
}
