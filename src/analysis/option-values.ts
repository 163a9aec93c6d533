/**
 * Runtime checks of option values shared by the analyzer's entry points (jsii callers have no
 * TypeScript): CIDR lists, and the Linkerd installation values (LinkerdInstallationOptions).
 */
import { LinkerdInstallationOptions } from './linkerd-installation-options';
import { LINKERD_DEFAULT_POLICIES, LinkerdInstallValues } from './mesh/facts';
import { parseLinkerdPorts } from './mesh/linkerd-ports';
import { linkerdNetworkProblem } from '../cluster/linkerd-cluster-networks';
import { Mesh, MeshKind } from '../cluster/mesh';
import { parseCidr } from '../util/cidr';
import { propError } from '../util/errors';
import { describeValue, StructKeys } from '../util/guards';

/** The Linkerd options of ReachabilityOptions and PolicyLintOptions (as the caller passed them: any type). */
export type LinkerdOptions = { readonly [K in keyof LinkerdInstallationOptions]?: unknown };

/** The fields of LinkerdInstallationOptions, for the key lists of the option bags that extend it (requireKnownKeys). */
export const LINKERD_INSTALLATION_OPTION_KEYS: StructKeys<LinkerdInstallationOptions> = {
  linkerdDefaultInboundPolicy: true,
  linkerdClusterNetworks: true,
  linkerdProbeNetworks: true,
  linkerdOpaquePorts: true,
};

/** A bad value in a message: JSON where it has one (`"node-1"`, `[]`), otherwise its description. */
export function shown(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json === undefined ? describeValue(value) : json.length > 80 ? `${json.slice(0, 80)}...` : json;
}

/** A list of CIDR strings, each valid (non-empty unless `emptyAllowed`); returned as given. */
export function checkCidrList(site: string, prop: string, value: unknown, emptyAllowed: boolean): string[] {
  if (!Array.isArray(value) || (value.length === 0 && !emptyAllowed)) {
    throw propError(site, prop, `must be a ${emptyAllowed ? '' : 'non-empty '}list of CIDRs, got ${shown(value)}`);
  }
  return value.map((c, i) => {
    if (typeof c !== 'string') throw propError(site, `${prop}[${i}]`, `must be a CIDR string, got ${describeValue(c)}`);
    try {
      parseCidr(c);
    } catch (e) {
      throw propError(site, `${prop}[${i}]`, (e as Error).message);
    }
    return c;
  });
}

/**
 * A Linkerd network list (clusterNetworks, probeNetworks): CIDRs as {@link checkCidrList}, but no
 * IPv4-mapped IPv6 block: Linkerd matches a client address against the networks of its own family
 * (an IPv4 client never falls in `::ffff:10.0.0.0/104`), so such a block holds no IPv4 client there.
 */
function checkLinkerdNetworks(site: string, prop: string, value: unknown, emptyAllowed: boolean): string[] {
  return checkCidrList(site, prop, value, emptyAllowed).map((c, i) => {
    const problem = linkerdNetworkProblem(c);
    if (problem !== undefined) throw propError(site, `${prop}[${i}]`, problem);
    return c;
  });
}

/** Why a valid CIDR cannot be a Linkerd network (see checkLinkerdNetworks), if it cannot; shared with the CLI's flags and Mesh.linkerd. */
export { linkerdNetworkProblem };

/** The Linkerd installation values of the options, validated (checked whatever the mesh, so a typo never waits for one; Reachability refuses them without a Linkerd mesh). */
export function checkLinkerdValues(site: string, options: LinkerdOptions): LinkerdInstallValues {
  const policy: unknown = options.linkerdDefaultInboundPolicy;
  if (policy !== undefined && !(LINKERD_DEFAULT_POLICIES as readonly unknown[]).includes(policy)) {
    throw propError(site, 'options.linkerdDefaultInboundPolicy', `must be one of ${LINKERD_DEFAULT_POLICIES.join(', ')}, got ${shown(policy)}`);
  }
  const opaque: unknown = options.linkerdOpaquePorts;
  if (opaque !== undefined) {
    if (typeof opaque !== 'string') {
      throw propError(site, 'options.linkerdOpaquePorts', `must be a string of comma-separated ports and ranges a-b (e.g. '25,3306,4000-4100'), got ${shown(opaque)}`);
    }
    try {
      parseLinkerdPorts(opaque);
    } catch (e) {
      throw propError(site, 'options.linkerdOpaquePorts', `${shown(opaque)} is not a Linkerd port list (comma-separated ports 1-65535 and increasing `
        + `ranges a-b, as linkerd2's policy controller reads proxy.opaquePorts): ${(e as Error).message}`);
    }
  }
  return {
    ...(policy !== undefined ? { defaultInboundPolicy: policy as string } : {}),
    ...(options.linkerdClusterNetworks !== undefined ? { clusterNetworks: checkLinkerdNetworks(site, 'options.linkerdClusterNetworks', options.linkerdClusterNetworks, false) } : {}),
    ...(options.linkerdProbeNetworks !== undefined ? { probeNetworks: checkLinkerdNetworks(site, 'options.linkerdProbeNetworks', options.linkerdProbeNetworks, true) } : {}),
    ...(opaque !== undefined ? { opaquePorts: opaque as string } : {}),
  };
}

/**
 * The Linkerd installation values of the options completed with what the Linkerd `mesh` declares (`Mesh.linkerd({ clusterNetworks })`,
 * which LoadBalancerService judges by), so that the analyzer and the lint judge the networks the constructs were told rather than
 * assume Linkerd's default. The option given too must name the same networks: one installation has one value.
 */
export function withMeshLinkerdValues(site: string, mesh: Mesh | undefined, linkerd: LinkerdInstallValues): LinkerdInstallValues {
  if (mesh?.kind !== MeshKind.LINKERD || !mesh._declared.clusterNetworks || mesh.clusterNetworks === undefined) return linkerd;
  const declared = mesh.clusterNetworks;
  if (linkerd.clusterNetworks === undefined) return { ...linkerd, clusterNetworks: [...declared] };
  const canonical = (list: readonly string[]) => JSON.stringify([...new Set(list.map((c) => parseCidr(c).text))].sort());
  if (canonical(linkerd.clusterNetworks) !== canonical(declared)) {
    throw propError(site, 'options.linkerdClusterNetworks', `[${linkerd.clusterNetworks.join(', ')}] is not the clusterNetworks the mesh declares `
      + `(Mesh.linkerd({ clusterNetworks: [${declared.join(', ')}] })): one Linkerd installation has one value; drop the option or make them agree`);
  }
  return linkerd;
}
