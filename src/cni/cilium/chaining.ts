/**
 * CNI chaining (`cni.chainingMode` / `cni.chainingTarget`): Cilium attached to the pod interfaces of
 * another CNI plugin, which keeps the pod network and its IPAM (docs.cilium.io "CNI Chaining").
 * The plugin registers more modes than values.yaml lists (none, aws-cni, flannel, generic-veth,
 * portmap; also azure, terway, generic-device, ... depending on the version), so an unknown mode is
 * not refused as such: only what a source says does not work with chaining is.
 */
import { deepMerge, hasPath, valueAtPath as get } from '../../util/deep-merge';

const on = (values: Record<string, any>, path: string) => get(values, path) === true || get(values, path) === 'true';

const isSet = (value: unknown) => value !== undefined && value !== null;

/**
 * The chaining mode the agent runs with, as the chart computes it (templates/cilium-configmap.yaml
 * `$cniChainingMode`): `cni.chainingMode` when it is not null, else generic-veth when
 * `cni.chainingTarget` is not null (an empty string included: the chart tests for null, not for
 * emptiness), else none. `via` is the values path that decided it.
 */
export function effectiveChainingMode(values: Record<string, any>): { readonly mode: unknown; readonly via: string } {
  const mode = get(values, 'cni.chainingMode');
  if (isSet(mode)) return { mode, via: 'cni.chainingMode' };
  if (isSet(get(values, 'cni.chainingTarget'))) return { mode: 'generic-veth', via: 'cni.chainingTarget' };
  return { mode: 'none', via: 'cni.chainingMode' };
}

/**
 * The values path that chains Cilium on top of another CNI plugin, if any: a `cni.chainingTarget`
 * network to inject Cilium into, or an effective chaining mode other than none and portmap (with
 * portmap Cilium stays the primary plugin and portmap only adds hostPort).
 */
export function chainedOnAnotherPlugin(values: Record<string, any>): string | undefined {
  const target = get(values, 'cni.chainingTarget');
  if (typeof target === 'string' && target !== '') return 'cni.chainingTarget';
  const { mode, via } = effectiveChainingMode(values);
  if (!['', 'none', 'portmap'].includes(mode as string)) return via;
  return undefined;
}

/**
 * Chaining modes for which the agent writes the CNI configuration itself: it has templates for none,
 * flannel and portmap only and otherwise injects itself into the `cni.chainingTarget` network, which
 * the chart sets to aws-cni for the aws-cni mode (cilium/cilium daemon/cmd/cni config.go
 * `cniConfigs` / `renderCNIConf`, "invalid CNI chaining mode" for any other mode; values.yaml
 * `cni.chainingTarget`: "a chaining mode of aws-cni implies a chainingTarget of aws-cni").
 */
const MODES_WITH_OWN_CONFIG = ['', 'none', 'portmap', 'flannel', 'aws-cni'];

/**
 * The values chaining adds where the user said nothing: with WireGuard, `cni.enableRouteMTUForCNIChaining`
 * (docs.cilium.io "WireGuard Transparent Encryption": with CNI chaining, set it so that Cilium gives
 * pods a route MTU that leaves room for WireGuard; otherwise encrypted pod traffic is fragmented).
 * Returns `merged` itself when nothing is added.
 */
export function withChainingDefaults(merged: Record<string, any>, extra: Record<string, unknown>): Record<string, any> {
  if (chainedOnAnotherPlugin(merged) === undefined) return merged;
  const wireguard = on(merged, 'encryption.enabled') && get(merged, 'encryption.type') === 'wireguard';
  if (!wireguard || hasPath(extra, 'cni.enableRouteMTUForCNIChaining')) return merged;
  return deepMerge(merged, { cni: { enableRouteMTUForCNIChaining: true } });
}

/**
 * What does not work with Cilium chained on top of another plugin; `fail(path, message)` throws.
 * (Strict ingress encryption is checked with the other encryption rules.)
 */
export function validateChaining(values: Record<string, any>, fail: (path: string, message: string) => never, prop: (path: string) => string): void {
  // The chart tests the mode against "none" (templates/cilium-configmap.yaml): '' writes the chained
  // settings (enable-local-node-route "false", endpoint health checking off) while the agent reads ''
  // as none and stays the primary plugin, without the route to its own pods' CIDR.
  if (get(values, 'cni.chainingMode') === '') {
    fail('cni.chainingMode', '\'\' is not a chaining mode: the chart then configures the agent as chained (no local node route, no endpoint health '
      + 'checking) while the agent runs as the only CNI plugin. Omit it, or say \'none\'');
  }
  const chaining = chainedOnAnotherPlugin(values);
  if (chaining === undefined) return;
  const via = `${prop(chaining)}: ${JSON.stringify(get(values, chaining))}`;

  // docs.cilium.io "IPsec Transparent Encryption", Limitations: "Transparent encryption is not currently
  // supported when chaining Cilium on top of other CNI plugins" (cilium/cilium#15596); the chaining
  // pages list IPsec among the limited features (Documentation/installation/cni-chaining-limitations.rst).
  // WireGuard is documented with chaining (see withChainingDefaults).
  if (on(values, 'encryption.enabled') && get(values, 'encryption.type') === 'ipsec') {
    fail('encryption.type', `IPsec encryption is not supported with Cilium chained on top of another CNI plugin (${via}; docs.cilium.io `
      + '"IPsec Transparent Encryption", limitations; cilium/cilium#15596): use CiliumEncryption.wireguard(), or run Cilium as the only CNI');
  }

  // A mode the agent has no CNI configuration template for needs the configuration from elsewhere:
  // otherwise the agent never writes its CNI configuration file and pods on the node get no network.
  const { mode, via: modeVia } = effectiveChainingMode(values);
  const target = get(values, 'cni.chainingTarget');
  const configSupplied = (typeof target === 'string' && target !== '')
    || (typeof get(values, 'cni.configMap') === 'string' && get(values, 'cni.configMap') !== '')
    || (typeof get(values, 'cni.readCniConf') === 'string' && get(values, 'cni.readCniConf') !== '')
    || get(values, 'cni.customConf') === true
    || get(values, 'cni.install') === false;
  if (typeof mode === 'string' && !MODES_WITH_OWN_CONFIG.includes(mode) && !configSupplied) {
    const implied = modeVia === 'cni.chainingTarget' ? ` (the chart's mode for a cni.chainingTarget of ${JSON.stringify(target)}, which names no network)` : '';
    fail(modeVia, `${JSON.stringify(mode)}${implied}: the Cilium agent writes a CNI configuration itself only for none, flannel, portmap and `
      + 'aws-cni (and for a cni.chainingTarget network it injects itself into); for any other mode it fails with "invalid CNI chaining mode" and '
      + 'pods get no network. Name the network to chain onto (cni.chainingTarget), or supply the chained configuration (cni.customConf: true '
      + 'with cni.configMap, as docs.cilium.io "Generic Veth Chaining" does)');
  }
}
