/**
 * The one parser of the mesh options: `--mesh` with the `--linkerd-*` and `--istio-host-probe-snat-*`
 * flags on the command line, and the same values as properties of the validation plugin
 * (`mesh`, `linkerdDefaultInboundPolicy`, ...). The caller says how its options are named in messages;
 * the values and their checks are the same for both.
 */
import { IstioAmbientFlags, IstioFlags, LinkerdFlags, MESH_CHOICES, MeshChoice } from './mesh-choice';
import { LINKERD_DEFAULT_POLICIES } from '../analysis/mesh/facts';
import { parseLinkerdPorts } from '../analysis/mesh/linkerd-ports';
import { linkerdNetworkProblem } from '../analysis/option-values';
import { hostProbeSnatAddress } from '../cluster/host-probe-snat';
import { IstioMode, Mesh } from '../cluster/mesh';
import { parseCidr } from '../util/cidr';
import { ValidationError } from '../util/errors';

/** The flags that describe a Linkerd installation (its cluster-wide Helm values). */
const LINKERD_FLAGS = ['linkerd-default-inbound-policy', 'linkerd-cluster-networks', 'linkerd-probe-networks', 'linkerd-opaque-ports',
  'linkerd-trust-domain', 'linkerd-namespace'] as const;

/** The flags that describe istio-cni in ambient mode (its node agent's environment). */
const ISTIO_FLAGS = ['istio-host-probe-snat-ip', 'istio-host-probe-snat-ipv6'] as const;

/** The flags that describe an Istio installation in either mode (its mesh config, Mesh.istio trustDomain and rootNamespace). */
export const ISTIO_INSTALL_FLAGS = ['istio-trust-domain', 'istio-root-namespace'] as const;

/** Every mesh option, by its command-line flag name. */
export const MESH_FLAGS = ['mesh', ...LINKERD_FLAGS, ...ISTIO_INSTALL_FLAGS, ...ISTIO_FLAGS] as const;

/** A mesh option, by its command-line flag name. */
export type MeshFlag = typeof MESH_FLAGS[number];

/** The mesh options as text, by flag name (the command line's values, or the plugin's properties as text). */
export type MeshFlagValues = Partial<Record<MeshFlag, string>>;

/** The mesh options parsed: `mesh` undefined when not given; `none` says the cluster has no mesh. */
export interface ParsedMeshFlags {
  readonly mesh?: MeshChoice | 'none';
  readonly linkerd?: LinkerdFlags;
  readonly istio?: IstioFlags;
}

/** How the caller names its options in messages. */
interface MeshOptionNames {
  /** An option's name: `--linkerd-opaque-ports`, or `linkerdOpaquePorts`. */
  readonly name: (flag: MeshFlag) => string;
  /** How to ask for a mesh: `give --mesh linkerd`, or `set mesh: linkerd`. */
  readonly askMesh: (choice: MeshChoice) => string;
  /** The start of the message for an unknown mesh value: `lint: unknown --mesh 'consul'`. */
  readonly unknownMesh: (value: string) => string;
}

/**
 * A mesh option the parser refuses: `option` names it, `reason` says what is wrong (without the
 * option's name), `message` is the whole text as the caller's names put it.
 */
export class MeshFlagError extends Error {
  constructor(public readonly option: MeshFlag, public readonly reason: string, message: string) {
    super(message);
    this.name = 'MeshFlagError';
  }
}

/** The command line's names: `--mesh`, `--linkerd-*`, `--istio-host-probe-snat-*`. */
export function commandLineNames(command: 'analyze' | 'lint'): MeshOptionNames {
  return {
    name: (flag) => `--${flag}`,
    askMesh: (choice) => `give --mesh ${choice}`,
    unknownMesh: (value) => `${command}: unknown --mesh '${value}'`,
  };
}

/**
 * Parse and check the mesh options: the mesh (`none` kept, as lint reads it as a fact), the Linkerd
 * values (with mesh linkerd only) and the istio-cni addresses (with mesh istio-ambient only).
 * @throws MeshFlagError naming the option
 */
export function parseMeshFlags(values: MeshFlagValues, names: MeshOptionNames): ParsedMeshFlags {
  // Case-insensitive, as the CNI name is (../cluster/cni-choices cniByName): `Istio` is istio.
  const mesh = values.mesh === undefined ? undefined : values.mesh.toLowerCase() === 'none' ? 'none' : meshChoice(values.mesh, names);
  const choice = mesh === 'none' ? undefined : mesh;
  const linkerd = parseLinkerdFlags(values, choice, names);
  const istio = parseIstioFlags(values, choice, names);
  return {
    ...(mesh !== undefined ? { mesh } : {}),
    ...(linkerd !== undefined ? { linkerd } : {}),
    ...(istio !== undefined ? { istio } : {}),
  };
}

/** The mesh `value` names, in any case; an unknown one is refused as given. */
function meshChoice(value: string, names: MeshOptionNames): MeshChoice {
  const choice = value.toLowerCase();
  if (!(MESH_CHOICES as readonly string[]).includes(choice)) {
    const expected = `expected ${MESH_CHOICES.join(', ')} or none`;
    throw new MeshFlagError('mesh', `unknown mesh '${value}': ${expected}`, `${names.unknownMesh(value)}: ${expected}`);
  }
  return choice as MeshChoice;
}

/** The error of `flag` whose message is `<name>: <reason>`. */
function refused(flag: MeshFlag, reason: string, names: MeshOptionNames): MeshFlagError {
  return new MeshFlagError(flag, reason, `${names.name(flag)}: ${reason}`);
}

/** The `--linkerd-*` flags, validated; undefined when none is given. They need mesh linkerd. */
function parseLinkerdFlags(values: MeshFlagValues, mesh: MeshChoice | undefined, names: MeshOptionNames): LinkerdFlags | undefined {
  const given = LINKERD_FLAGS.filter((flag) => values[flag] !== undefined);
  if (given.length === 0) return undefined;
  if (mesh !== 'linkerd') {
    const reason = `describes a Linkerd installation: ${names.askMesh('linkerd')}`;
    throw new MeshFlagError(given[0], reason, `${names.name(given[0])} ${reason}`);
  }
  const policy = values['linkerd-default-inbound-policy'];
  if (policy !== undefined && !(LINKERD_DEFAULT_POLICIES as readonly string[]).includes(policy)) {
    throw refused('linkerd-default-inbound-policy', `unknown policy '${policy}': expected ${LINKERD_DEFAULT_POLICIES.join(', ')}`, names);
  }
  const opaque = values['linkerd-opaque-ports'];
  if (opaque !== undefined) {
    try {
      parseLinkerdPorts(opaque);
    } catch (e) {
      throw refused('linkerd-opaque-ports', `'${opaque}' is not a Linkerd port list (comma-separated ports and ranges a-b, e.g. 25,3306,4000-4100): `
        + (e as Error).message, names);
    }
  }
  const clusterNetworks = values['linkerd-cluster-networks'];
  const probeNetworks = values['linkerd-probe-networks'];
  return {
    ...(policy !== undefined ? { defaultInboundPolicy: policy } : {}),
    ...(clusterNetworks !== undefined ? { clusterNetworks: linkerdNetworks('linkerd-cluster-networks', clusterNetworks, false, names) } : {}),
    // An empty list is Helm's `probeNetworks: []`: no probe route.
    ...(probeNetworks !== undefined ? { probeNetworks: linkerdNetworks('linkerd-probe-networks', probeNetworks, true, names) } : {}),
    ...(opaque !== undefined ? { opaquePorts: opaque } : {}),
    ...installValues(values, { 'linkerd-trust-domain': 'trustDomain', 'linkerd-namespace': 'controlPlaneNamespace' },
      (o) => Mesh.linkerd(o), names),
  };
}

/**
 * The flags that name a Mesh factory option (`flags`: flag -> option), each trimmed and checked by the factory itself, so
 * a value the Mesh refuses is refused with the same reason, naming the flag.
 */
function installValues<F extends MeshFlag>(values: MeshFlagValues, flags: Record<F, 'trustDomain' | 'rootNamespace' | 'controlPlaneNamespace'>,
  make: (options: Record<string, string>) => Mesh, names: MeshOptionNames): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of Object.keys(flags) as F[]) {
    const value = values[flag]?.trim();
    if (value === undefined) continue;
    try {
      make({ [flags[flag]]: value });
    } catch (e) {
      if (ValidationError.isValidationError(e)) throw refused(flag, e.reason, names);
      throw e;
    }
    out[flags[flag]] = value;
  }
  return out;
}

function linkerdNetworks(flag: MeshFlag, text: string, emptyAllowed: boolean, names: MeshOptionNames): string[] {
  return parseCidrList(text, emptyAllowed, linkerdNetworkProblem, (reason) => refused(flag, reason, names));
}

/**
 * `10.244.0.0/16,fd00:10:244::/56`: CIDRs, each valid, at least one unless `emptyAllowed`; `problem`
 * says why a valid one is still refused (the analyzer's own check of the option the flag feeds);
 * `error` makes the error of a reason.
 */
export function parseCidrList(text: string, emptyAllowed: boolean, problem: ((cidr: string) => string | undefined) | undefined,
  error: (reason: string) => Error): string[] {
  const cidrs = text.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (cidrs.length === 0 && !emptyAllowed) throw error('expected CIDRs, e.g. 10.244.0.0/16');
  for (const c of cidrs) {
    try {
      parseCidr(c);
    } catch (e) {
      throw error(`'${c}' is not a CIDR: ${(e as Error).message}`);
    }
    const refusal = problem?.(c);
    if (refusal !== undefined) throw error(refusal);
  }
  return cidrs;
}

/**
 * The `--istio-trust-domain` and `--istio-root-namespace` flags (with mesh istio or istio-ambient), validated as
 * Mesh.istio validates trustDomain and rootNamespace, and the `--istio-host-probe-snat-*` flags (with mesh istio-ambient
 * only), validated as Mesh.istio validates hostProbeSnatIp and hostProbeSnatIpv6; undefined when none is given.
 */
function parseIstioFlags(values: MeshFlagValues, mesh: MeshChoice | undefined, names: MeshOptionNames): IstioFlags | undefined {
  const install = ISTIO_INSTALL_FLAGS.filter((flag) => values[flag] !== undefined);
  if (install.length > 0 && mesh !== 'istio' && mesh !== 'istio-ambient') {
    const reason = `describes an Istio installation: ${names.askMesh('istio')} (or istio-ambient)`;
    throw new MeshFlagError(install[0], reason, `${names.name(install[0])} ${reason}`);
  }
  const installed = installValues(values, { 'istio-trust-domain': 'trustDomain', 'istio-root-namespace': 'rootNamespace' },
    (o) => Mesh.istio({ mode: IstioMode.SIDECAR, ...o }), names);
  const snat = parseIstioAmbientFlags(values, mesh, names);
  return install.length === 0 && snat === undefined ? undefined : { ...installed, ...snat };
}

/**
 * The `--istio-host-probe-snat-*` flags, validated as Mesh.istio validates hostProbeSnatIp and
 * hostProbeSnatIpv6; undefined when none is given. They need mesh istio-ambient.
 */
function parseIstioAmbientFlags(values: MeshFlagValues, mesh: MeshChoice | undefined, names: MeshOptionNames): IstioAmbientFlags | undefined {
  const given = ISTIO_FLAGS.filter((flag) => values[flag] !== undefined);
  if (given.length === 0) return undefined;
  if (mesh !== 'istio-ambient') {
    const reason = `describes istio-cni in ambient mode (its host probe SNAT address): ${names.askMesh('istio-ambient')}`;
    throw new MeshFlagError(given[0], reason, `${names.name(given[0])} ${reason}`);
  }
  const flagOf = { ipv4: 'istio-host-probe-snat-ip', ipv6: 'istio-host-probe-snat-ipv6' } as const;
  const address = (family: 'ipv4' | 'ipv6') => {
    const flag = flagOf[family];
    try {
      return hostProbeSnatAddress('analyze', values[flag]?.trim(), family, { ipv4: names.name(flagOf.ipv4), ipv6: names.name(flagOf.ipv6) });
    } catch (e) {
      if (ValidationError.isValidationError(e)) throw refused(flag, e.reason, names);
      throw e;
    }
  };
  const v4 = address('ipv4');
  const v6 = address('ipv6');
  return { ...(v4 !== undefined ? { hostProbeSnatIp: v4 } : {}), ...(v6 !== undefined ? { hostProbeSnatIpv6: v6 } : {}) };
}
