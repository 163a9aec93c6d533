/**
 * istio-cni's host probe addresses as the manifests set them (internal). The istio-cni chart writes
 * its `env` value into the environment of the node agent, container `install-cni` of its DaemonSet,
 * both as `env` entries and as keys of the ConfigMap the container takes through `envFrom`
 * (manifests/charts/istio-cni templates/daemonset.yaml and configmap-cni.yaml); the agent reads
 * `HOST_PROBE_SNAT_IP` and `HOST_PROBE_SNAT_IPV6` (istio/istio cni/pkg/nodeagent options.go,
 * `netip.MustParseAddr`: a value that is not one address stops the agent). The variable's value is
 * resolved as the kubelet does: the last `env` entry of that name, else the last `envFrom` source that
 * holds the key (after its `prefix`); a ConfigMap is read when the manifests hold it. Only the node
 * agent's container counts (named `install-cni`, or running the `install-cni` image): the variable on
 * another container, or another DaemonSet, is not istio-cni's, and a note says it is ignored.
 * When the manifests set a literal address the mesh does not declare, the analysis uses it; anything it
 * cannot resolve to one address (a `valueFrom` such as `status.hostIP`, each node's own IP, the
 * workaround of istio/istio#57911; a `$(VAR)` the kubelet expands; a Secret; a value istio-cni refuses;
 * settings that disagree; a value other than the mesh declares) is a note, and the analysis keeps the
 * mesh's address (declared, or istio-cni's default, which its reasons say is assumed).
 */
import { HostProbeAddress } from './facts';
import { HOST_PROBE_SNAT_ENV as ENV_OF, hostProbeSnatAddress } from '../../cluster/host-probe-snat';
import { ValidationError } from '../../util/errors';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { describeRef, ManifestObject, refOf } from '../model';

type Family = 'ipv4' | 'ipv6';
/** The istio-cni chart's name for the node agent's container, and its image. */
const AGENT = 'install-cni';

/** One setting of the variable in a DaemonSet's containers. */
interface Setting {
  readonly where: string;
  /** The canonical address, or undefined when the value is no address of the family (see `problem`). */
  readonly ip?: string;
  readonly problem?: string;
}

/** ConfigMaps and Secrets of the manifests by `<kind>/<namespace>/<name>`. */
type Sources = ReadonlyMap<string, ManifestObject>;

/**
 * The host probe addresses of `declared` (the mesh's), with those the manifests set where the mesh
 * does not declare one; what cannot be used is pushed onto `notes`.
 */
export function hostProbeFromManifests(manifests: readonly ManifestObject[], declared: Readonly<Record<Family, HostProbeAddress>>,
  notes: string[]): Record<Family, HostProbeAddress> {
  const sources = new Map<string, ManifestObject>();
  for (const obj of manifests) {
    for (const kind of ['ConfigMap', 'Secret']) {
      if (isKindOf(obj, '', kind)) sources.set(`${kind}/${namespaceOf(obj)}/${nameOf(obj)}`, obj);
    }
  }
  return {
    ipv4: resolve('ipv4', settingsOf(manifests, sources, 'ipv4', notes), declared.ipv4, notes),
    ipv6: resolve('ipv6', settingsOf(manifests, sources, 'ipv6', notes), declared.ipv6, notes),
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

/** The family's variable as the node agent container of each DaemonSet of the manifests sees it. */
function settingsOf(manifests: readonly ManifestObject[], sources: Sources, family: Family, notes: string[]): Setting[] {
  const env = ENV_OF[family];
  const out: Setting[] = [];
  for (const obj of manifests) {
    if (!isKindOf(obj, 'apps', 'DaemonSet')) continue;
    const daemonSet = describeRef(refOf(obj));
    const containers = obj.spec?.template?.spec?.containers;
    for (const container of Array.isArray(containers) ? containers.filter(isPlainObject) : []) {
      if (!isNodeAgent(container)) {
        if (envEntries(container, env).length > 0) {
          notes.push(`${daemonSet} sets ${env} on its container ${JSON.stringify(container.name)}, which is not istio-cni's node agent `
            + `(container ${AGENT}, image ${AGENT}): the analysis ignores it`);
        }
        continue;
      }
      const setting = containerSetting(container, env, daemonSet, namespaceOf(obj), sources, family);
      if (setting !== undefined) out.push(setting);
    }
  }
  return out;
}

/** The istio-cni node agent: the chart's container name, or its image (`<registry>/.../install-cni[:tag][@digest]`). */
function isNodeAgent(container: Record<string, any>): boolean {
  if (container.name === AGENT) return true;
  if (typeof container.image !== 'string') return false;
  const path = container.image.split('@')[0];
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.split(':')[0] === AGENT;
}

function envEntries(container: Record<string, any>, env: string): Record<string, unknown>[] {
  return Array.isArray(container.env) ? container.env.filter((e: unknown) => isPlainObject(e) && e.name === env) : [];
}

/** The variable as the kubelet sets it: the last `env` entry, else the last `envFrom` source that holds it; undefined when unset or unknown. */
function containerSetting(container: Record<string, any>, env: string, daemonSet: string, namespace: string, sources: Sources,
  family: Family): Setting | undefined {
  const entries = envEntries(container, env);
  if (entries.length > 0) return entrySetting(entries[entries.length - 1], env, daemonSet, namespace, sources, family);
  const envFrom = Array.isArray(container.envFrom) ? container.envFrom.filter(isPlainObject) : [];
  // A later source the manifests do not hold may set it over an earlier one that does (the kubelet keeps the later).
  let unread: string | undefined;
  for (const source of [...envFrom].reverse()) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    if (!env.startsWith(prefix)) continue;
    const key = env.slice(prefix.length);
    const isConfigMap = isPlainObject(source.configMapRef);
    const ref = isConfigMap ? source.configMapRef : source.secretRef;
    if (!isPlainObject(ref) || typeof ref.name !== 'string') continue;
    const kind = isConfigMap ? 'ConfigMap' : 'Secret';
    const obj = sources.get(`${kind}/${namespace}/${ref.name}`);
    const where = `${kind} ${namespace}/${ref.name} (envFrom of ${daemonSet})`;
    // A source the manifests do not hold may set it too: istio-cni's default stays assumed, as its reasons say.
    if (obj === undefined) unread ??= `${kind} ${namespace}/${ref.name}`;
    const sets = isConfigMap ? typeof obj?.data?.[key] === 'string' : obj?.data?.[key] !== undefined || obj?.stringData?.[key] !== undefined;
    if (!sets) continue;
    if (unread !== undefined) {
      const what = isConfigMap ? `to ${JSON.stringify(obj!.data[key])}` : 'from a Secret';
      return { where, problem: `${what}, but ${unread}, a later envFrom source the manifests do not hold, may set it over that` };
    }
    if (!isConfigMap) return { where, problem: 'from a Secret, which the analysis does not read' };
    return valueSetting(where, obj!.data[key], family);
  }
  return undefined;
}

function entrySetting(v: Record<string, unknown>, env: string, daemonSet: string, namespace: string, sources: Sources, family: Family): Setting {
  const ref = isPlainObject(v.valueFrom) ? v.valueFrom.configMapKeyRef : undefined;
  if (isPlainObject(ref) && typeof ref.name === 'string' && typeof ref.key === 'string') {
    const value = sources.get(`ConfigMap/${namespace}/${ref.name}`)?.data?.[ref.key];
    if (typeof value === 'string') return valueSetting(`ConfigMap ${namespace}/${ref.name} (key ${ref.key}, ${env} of ${daemonSet})`, value, family);
  }
  if (v.valueFrom !== undefined) {
    return { where: daemonSet, problem: 'from a reference (valueFrom; status.hostIP is each node\'s own IP), not one address the analysis can know' };
  }
  // Only an entry's own `value` is expanded (`$(VAR)` of the container's earlier variables).
  if (typeof v.value === 'string' && v.value.includes('$(')) {
    return {
      where: daemonSet,
      problem: `to ${JSON.stringify(v.value)}, a $(VAR) reference the kubelet expands when it starts the container, not one `
      + 'address the analysis can know',
    };
  }
  // An entry without value sets the variable empty, which istio-cni does not replace by its default (istio/istio pkg/env: only an unset variable gets it).
  return valueSetting(daemonSet, v.value ?? '', family);
}

function valueSetting(where: string, value: unknown, family: Family): Setting {
  if (typeof value !== 'string') return { where, problem: 'to no text, not one address the analysis can know' };
  try {
    return { where, ip: hostProbeSnatAddress(where, value, family, ENV_OF) };
  } catch (e) {
    if (!ValidationError.isValidationError(e)) throw e;
    return { where, problem: `to a value istio-cni refuses (its node agent stops at start): ${e.reason}` };
  }
}
