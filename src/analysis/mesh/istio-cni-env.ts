/**
 * istio-cni's host probe addresses as the manifests set them (internal). The istio-cni chart writes
 * its `env` value into the environment of the node agent's DaemonSet (manifests/charts/istio-cni
 * templates/daemonset.yaml, container `install-cni`), where the agent reads `HOST_PROBE_SNAT_IP` and
 * `HOST_PROBE_SNAT_IPV6` (istio/istio cni/pkg/nodeagent options.go, `netip.MustParseAddr`: a value
 * that is not one address stops the agent). When the manifests hold that DaemonSet with a literal
 * address the mesh does not declare, the analysis uses it; anything it cannot resolve to one address
 * (a `valueFrom` such as `status.hostIP`, each node's own IP, the workaround of istio/istio#57911; a
 * value istio-cni refuses; DaemonSets that disagree; a value other than the mesh declares) is a note,
 * and the analysis keeps the mesh's address (declared, or istio-cni's default, which its reasons say
 * is assumed).
 */
import { HostProbeAddress } from './facts';
import { hostProbeSnatAddress } from '../../cluster/host-probe-snat';
import { ValidationError } from '../../util/errors';
import { isKindOf, isPlainObject } from '../../util/vocabulary';
import { describeRef, ManifestObject, refOf } from '../model';

type Family = 'ipv4' | 'ipv6';
const ENV_OF: Record<Family, string> = { ipv4: 'HOST_PROBE_SNAT_IP', ipv6: 'HOST_PROBE_SNAT_IPV6' };

/** One setting of the variable in a DaemonSet's containers. */
interface Setting {
  readonly where: string;
  /** The canonical address, or undefined when the value is no address of the family (see `problem`). */
  readonly ip?: string;
  readonly problem?: string;
}

/**
 * The host probe addresses of `declared` (the mesh's), with those the manifests set where the mesh
 * does not declare one; what cannot be used is pushed onto `notes`.
 */
export function hostProbeFromManifests(manifests: readonly ManifestObject[], declared: Readonly<Record<Family, HostProbeAddress>>,
  notes: string[]): Record<Family, HostProbeAddress> {
  return {
    ipv4: resolve('ipv4', settingsOf(manifests, 'ipv4'), declared.ipv4, notes),
    ipv6: resolve('ipv6', settingsOf(manifests, 'ipv6'), declared.ipv6, notes),
  };
}

function resolve(family: Family, settings: readonly Setting[], declared: HostProbeAddress, notes: string[]): HostProbeAddress {
  if (settings.length === 0) return declared;
  const env = ENV_OF[family];
  const kept = `the analysis uses ${declared.given ? 'the address the mesh declares' : 'istio-cni\'s default'}, ${declared.ip}, and its verdicts on `
    + 'connections from the node to ambient pods and from the host probe address hold only if that is the address in use';
  const problem = settings.find((s) => s.problem !== undefined);
  if (problem !== undefined) {
    notes.push(`${problem.where} sets ${env} ${problem.problem}: ${kept}`);
    return declared;
  }
  const addresses = [...new Set(settings.map((s) => s.ip!))];
  if (addresses.length > 1) {
    notes.push(`the manifests set ${env} to different addresses (${settings.map((s) => `${s.ip} in ${s.where}`).join(', ')}): ${kept}`);
    return declared;
  }
  if (declared.given) {
    if (addresses[0] !== declared.ip) notes.push(`${settings[0].where} sets ${env} to ${addresses[0]}, but the mesh declares ${declared.ip}: ${kept}`);
    return declared;
  }
  return { ip: addresses[0], given: true, declaredBy: `${settings[0].where} sets` };
}

/** Every setting of the family's variable in the containers of the manifests' DaemonSets. */
function settingsOf(manifests: readonly ManifestObject[], family: Family): Setting[] {
  const env = ENV_OF[family];
  const out: Setting[] = [];
  for (const obj of manifests) {
    if (!isKindOf(obj, 'apps', 'DaemonSet')) continue;
    const containers = obj.spec?.template?.spec?.containers;
    for (const container of Array.isArray(containers) ? containers : []) {
      const vars = isPlainObject(container) && Array.isArray(container.env) ? container.env : [];
      for (const v of vars.filter((e: unknown) => isPlainObject(e) && e.name === env)) {
        out.push(setting(describeRef(refOf(obj)), family, v));
      }
    }
  }
  return out;
}

function setting(where: string, family: Family, v: Record<string, unknown>): Setting {
  if (v.valueFrom !== undefined) {
    return { where, problem: 'from a reference (valueFrom; status.hostIP is each node\'s own IP), not one address the analysis can know' };
  }
  if (typeof v.value !== 'string' || v.value === '') return { where, problem: 'to no value, not one address the analysis can know' };
  try {
    return { where, ip: hostProbeSnatAddress(where, v.value, family) };
  } catch (e) {
    if (!ValidationError.isValidationError(e)) throw e;
    return { where, problem: `to a value istio-cni refuses (its node agent stops at start): ${e.reason}` };
  }
}
