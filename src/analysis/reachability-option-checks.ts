/**
 * Runtime checks of the options of the reachability analyzer's entry points (jsii callers have no
 * TypeScript): unknown keys, ports that must be single or named, addresses, pod CIDRs, the mesh and
 * its Linkerd installation values, and the defaults `fromChart` / `fromApp` take from the declared
 * ClusterNetworks.
 */
import { IConstruct } from 'constructs';
import { MatrixOptions } from './flow-types';
import { LinkerdInstallationOptions } from './linkerd-installation-options';
import { MeshFacts } from './mesh';
import { LinkerdInstallValues, meshFactsOf } from './mesh/facts';
import { checkCidrList, LINKERD_INSTALLATION_OPTION_KEYS, shown, withMeshLinkerdValues } from './option-values';
import { DiffOptions } from './reachability-diff';
import { ProbeOptions, ReachabilityOptions } from './reachability-options';
import { ClusterNetwork } from '../cluster/cluster-network';
import { requireMadeMesh } from '../cluster/made-by-factories';
import { Mesh, MeshKind } from '../cluster/mesh';
import { Port } from '../policy/port';
import { ParsedCidr, parseCidr, parseIp } from '../util/cidr';
import { propError } from '../util/errors';
import { requireBoolean, requireInstance, requireKnownKeys, requireOptionalArray, requireProps, StructKeys } from '../util/guards';
import { isPlainObject } from '../util/vocabulary';

/** The ports of a matrix or diff: a list of single or named Ports; `includeDeclaredPorts` exactly a boolean. */
export function checkMatrixOptions(site: string, options: MatrixOptions | undefined): MatrixOptions {
  const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), MATRIX_OPTION_KEYS);
  const ports = requireOptionalArray(site, 'options.ports', o.ports)?.map((p, i) => {
    requireInstance(site, `options.ports[${i}]`, p, Port, "a Port (Port.tcp(443), Port.named('http'), ...)");
    if (!isSingleOrNamed(p)) {
      throw propError(site, `options.ports[${i}]`, `must be a single or named port, got ${p.toString()}`);
    }
    return p;
  });
  const includeDeclaredPorts = o.includeDeclaredPorts === undefined ? undefined
    : requireBoolean(site, 'options.includeDeclaredPorts', o.includeDeclaredPorts);
  return { ...(ports ? { ports } : {}), ...(includeDeclaredPorts !== undefined ? { includeDeclaredPorts } : {}) };
}

/** A named port, or one port number (no range): what a question or a matrix column asks about. */
export function isSingleOrNamed(port: Port): boolean {
  return port.name !== undefined || (port.number !== undefined && port.endPort === undefined);
}

/** A port of a probe (`Reachability.addProbe` `prop`): one port number, else an error. */
/** A port of a probe (`Reachability.addProbe` `prop`): one port number, else an error. */
export function singlePort(port: Port, prop: string): number {
  requireInstance('Reachability.addProbe', prop, port, Port, 'a Port (Port.tcp(8080), Port.udp(53), ...)');
  if (port.number === undefined || port.endPort !== undefined || port.name !== undefined) {
    throw propError('Reachability.addProbe', prop, `must be a single port number, got ${port.toString()}`);
  }
  return port.number;
}

/** An IPv4 or IPv6 address, else an error naming `prop`. */
/** An IPv4 or IPv6 address, else an error naming `prop`. */
export function checkIp(site: string, value: unknown, prop: string): string {
  try {
    parseIp(value as string); // refuses non-strings too
    return value as string;
  } catch {
    throw propError(site, prop, `${shown(value)} is not an IPv4 or IPv6 address`);
  }
}

/** `options.podCidrs`, parsed (undefined when not given). */
/** `options.podCidrs`, parsed (undefined when not given). */
export function checkPodCidrs(site: string, value: unknown): ParsedCidr[] | undefined {
  if (value === undefined) return undefined;
  const cidrs = checkCidrList(site, 'options.podCidrs', value, false);
  return cidrs.map((c) => parseCidr(c));
}

/**
 * The options with `podCidrs` and `mesh` taken from the ClusterNetwork(s) declared in `scope` when
 * not given (the mesh only when they all declare the same one).
 */
export function withClusterFacts(site: string, scope: IConstruct, options: ReachabilityOptions): ReachabilityOptions {
  if (!isPlainObject(options)) return options;
  // Declared in the scope's subtree, or directly on one of its ancestors (as ClusterNetwork.of finds it).
  const candidates = [...scope.node.scopes.flatMap((a) => a.node.children), ...scope.node.findAll()];
  const declared = [...new Set(candidates)]
    .filter((c): c is ClusterNetwork => ClusterNetwork.isClusterNetwork(c));
  const cidrs = [...new Set(declared.flatMap((c) => c.podCidrs))];
  let result = options.podCidrs === undefined && cidrs.length > 0 ? { ...options, podCidrs: cidrs } : options;
  if (options.mesh === undefined) {
    const meshes = declared.map((c) => c.mesh).filter((m) => m.kind !== MeshKind.NONE);
    const kinds = new Set(meshes.map((m) => JSON.stringify([m.kind, m.istioMode, m.rootNamespace, m.trustDomain, m.hostProbeSnatIp,
      m.hostProbeSnatIpv6, m.clusterNetworks])));
    if (meshes.length > 0 && kinds.size > 1) {
      throw propError(site, 'options.mesh', 'the ClusterNetworks of this app declare different meshes; pass ReachabilityOptions.mesh');
    }
    // They agree on the addresses; one ClusterNetwork may declare what another leaves at istio-cni's
    // default: the analysis takes the declaration (else its reasons would call the address assumed,
    // and the istio-cni DaemonSet of the manifests could replace it), whatever the order.
    const declares = (m: Mesh) => Number(m._hostProbeSnatGiven.ipv4) + Number(m._hostProbeSnatGiven.ipv6) + Number(m._declared.clusterNetworks);
    if (meshes.length > 0) result = { ...result, mesh: meshes.reduce((best, m) => (declares(m) > declares(best) ? m : best)) };
  }
  return result;
}

/** The mesh facts of the options (undefined without a mesh). */
export function checkMesh(site: string, mesh: unknown, linkerd: LinkerdInstallValues): MeshFacts | undefined {
  const made = mesh === undefined ? undefined : requireMadeMesh(site, 'options.mesh', mesh);
  if (made?.kind !== MeshKind.LINKERD) {
    // A Linkerd installation value for another mesh (or none) would change nothing: said, as the CLI does.
    const given = Object.keys(LINKERD_OPTION_OF).find((k) => linkerd[k as keyof LinkerdInstallValues] !== undefined);
    if (given !== undefined) {
      const option = LINKERD_OPTION_OF[given as keyof LinkerdInstallValues];
      throw propError(site, `options.${option}`, `applies to a Linkerd mesh only, but options.mesh is ${made === undefined ? 'not given' : made.displayName}: `
        + 'drop it, or analyze with mesh: Mesh.linkerd()');
    }
  }
  return made === undefined ? undefined : meshFactsOf(made, withMeshLinkerdValues(site, made, linkerd));
}

/** The option of ReachabilityOptions behind each Linkerd installation value. */
const LINKERD_OPTION_OF: Record<keyof LinkerdInstallValues, keyof LinkerdInstallationOptions> = {
  defaultInboundPolicy: 'linkerdDefaultInboundPolicy',
  clusterNetworks: 'linkerdClusterNetworks',
  probeNetworks: 'linkerdProbeNetworks',
  opaquePorts: 'linkerdOpaquePorts',
};

/**
 * The fields of each option bag, for requireKnownKeys: a misspelt option (`podCIDRs`, `port`) would
 * otherwise be ignored, and the analysis would run without it.
 */
export const REACHABILITY_OPTION_KEYS: StructKeys<ReachabilityOptions> = {
  cni: true,
  nodeIp: true,
  podCidrs: true,
  mesh: true,
  ...LINKERD_INSTALLATION_OPTION_KEYS,
};
export const PROBE_OPTION_KEYS: StructKeys<ProbeOptions> = {
  serviceAccount: true, ip: true, hostNetwork: true, ports: true, namedPorts: true, annotations: true,
};
const MATRIX_OPTION_KEYS: StructKeys<MatrixOptions> = { ports: true, includeDeclaredPorts: true };
export const DIFF_OPTION_KEYS: StructKeys<DiffOptions> = { ...MATRIX_OPTION_KEYS, externalEndpoints: true };
