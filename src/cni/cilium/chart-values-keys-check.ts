import { CILIUM_VALUE_TYPES } from './chart-value-types';
import { CILIUM_CHART_VERSION, CILIUM_COMMENTED_VALUE_KEYS, CILIUM_FREE_FORM_KEYS, CILIUM_VALUE_KEYS } from './chart-values-keys';
import { isPlainObject } from '../../util/vocabulary';

/** The chart's keys: those values.yaml sets, and the options it documents commented out (`# egressMasqueradeInterfaces: ""`). */
const KEYS = new Set([...CILIUM_VALUE_KEYS, ...CILIUM_COMMENTED_VALUE_KEYS]);
const FREE_FORM = new Set(CILIUM_FREE_FORM_KEYS);

/**
 * Keys the seeds (and older charts) use that 1.20.0 no longer has, or has only as a deprecated alias:
 * the chart's values.schema.json accepts them and the agent ignores or refuses them.
 */
const REMOVED: Record<string, string> = {
  'tunnel': 'removed in Cilium 1.15 (a leftover `tunnel: disabled` gave VXLAN): use routingMode + tunnelProtocol (CiliumRouting)',
  'encryption.keyFile': 'moved to encryption.ipsec.keyFile in 1.16',
  'encryption.mountPath': 'moved to encryption.ipsec.mountPath in 1.16',
  'encryption.secretName': 'moved to encryption.ipsec.secretName in 1.16',
  'encryption.interface': 'moved to encryption.ipsec.interface in 1.16',
  'encryption.strictMode.enabled': 'moved to encryption.strictMode.egress.enabled in 1.20 (cilium/cilium#45452)',
  'encryption.strictMode.cidr': 'moved to encryption.strictMode.egress.cidr in 1.20',
  'encryption.strictMode.allowRemoteNodeIdentities': 'moved to encryption.strictMode.egress.allowRemoteNodeIdentities in 1.20',
  'nodePort.enabled': 'absent in 1.20: NodePort follows kubeProxyReplacement (cilium/cilium#39581)',
  'hostPort.enabled': 'absent in 1.20: host ports follow kubeProxyReplacement (cilium/cilium#39581)',
  'externalIPs.enabled': 'absent in 1.20: external IPs follow kubeProxyReplacement (cilium/cilium#39581)',
  'localRedirectPolicy': 'deprecated: use localRedirectPolicies.enabled',
};

/** One problem with a key path of the values. */
export interface ValueKeyProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Every key path of `values` must exist in the pinned chart's values.yaml, as a key or as an option it
 * documents commented out (below a free-form map such as `podLabels` any key is the user's). Removed and deprecated keys get the replacement named.
 */
export function unknownValueKeys(values: Record<string, unknown>): ValueKeyProblem[] {
  const problems: ValueKeyProblem[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (REMOVED[path] !== undefined) {
        problems.push({ path, message: REMOVED[path] });
        continue;
      }
      if (!KEYS.has(path)) {
        problems.push({ path, message: `is not a key of the Cilium ${CILIUM_CHART_VERSION} chart's values.yaml (misspelled, or from another version?)` });
        continue;
      }
      if (isPlainObject(value) && !FREE_FORM.has(path)) walk(value, path);
    }
  };
  walk(values, '');
  return problems;
}

/** The JSON Schema type names a value satisfies (an integer is also a number). */
function jsonTypes(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value === 'object' ? 'object' : typeof value];
}

/**
 * Every value whose key path the pinned chart's values.schema.json types must have one of those
 * types: Helm checks the merged values against that schema and refuses the install otherwise
 * (`encryption.enabled: 'true'` is a string where the schema wants a boolean).
 */
export function mistypedValues(values: Record<string, unknown>): ValueKeyProblem[] {
  const problems: ValueKeyProblem[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const allowed = CILIUM_VALUE_TYPES[path];
      if (allowed !== undefined && !jsonTypes(value).some((t) => allowed.includes(t))) {
        const kind = jsonTypes(value)[0];
        const shown = kind === 'object' ? 'a map' : `a${/^[aeiou]/.test(kind) ? 'n' : ''} ${kind}`;
        const message = `${JSON.stringify(value)} is ${shown}, but the Cilium ${CILIUM_CHART_VERSION} chart's values.schema.json allows `
          + `${allowed.join(' or ')} (Helm would refuse the install)`;
        problems.push({ path, message });
        continue;
      }
      if (isPlainObject(value)) walk(value, path);
    }
  };
  walk(values, '');
  return problems;
}
