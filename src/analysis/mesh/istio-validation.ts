/**
 * Why an Istio AuthorizationPolicy never exists (internal): what the API server rejects (the pinned
 * Istio 1.30.3 CRD: schema types, enums and CEL rules) and what istiod's validating webhook rejects
 * (istio/istio pkg/config/validation `ValidateAuthorizationPolicy` and pkg/config/security
 * `ValidateAttribute`, `ValidateIPs`, `ValidatePorts`, `CheckEmptyValues`, `CheckValidPathTemplate`).
 * A rejected object is left out of the analysis with a note, and PolicyLint reports it.
 */
import * as ipaddr from 'ipaddr.js';
import { goParseBool } from '../../util/go-strconv';
import { apiVersionOf, isPlainObject } from '../../util/vocabulary';
import { ManifestObject } from '../model';

/** One reason an object is rejected, with its JSON path. */
export interface IstioProblem {
  readonly path: string;
  readonly message: string;
  /** Who rejects it. */
  readonly by: 'the API server' | 'istiod\'s validating webhook';
}

const API = 'the API server' as const;
const WEBHOOK = 'istiod\'s validating webhook' as const;

/** The annotation that makes an AuthorizationPolicy a dry run (istio.io annotation `istio.io/dry-run`). */
export const DRY_RUN = 'istio.io/dry-run';

/** The object's `istio.io/dry-run` annotation as Go's strconv.ParseBool reads it (undefined: absent or not a boolean). */
export function dryRunOf(obj: ManifestObject): boolean | undefined {
  const value = isPlainObject(obj.metadata?.annotations) ? (obj.metadata!.annotations as Record<string, unknown>)[DRY_RUN] : undefined;
  return goParseBool(value);
}

function hasDryRunAnnotation(obj: ManifestObject): boolean {
  return isPlainObject(obj.metadata?.annotations) && (obj.metadata!.annotations as Record<string, unknown>)[DRY_RUN] !== undefined;
}

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const IP_SOURCE_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** Is the value an address or CIDR as Go's netip parses it (four decimal octets for IPv4)? */
export function isIstioIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(address)) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (ip.kind() === 'ipv4' ? 32 : 128) && !address.includes('%');
}

/** Is the value a port as istiod parses it (decimal, 0-65535)? */
export function isIstioPort(value: string): boolean {
  return /^\d+$/.test(value) && Number(value) <= 65535;
}

/** The condition keys istiod accepts (pkg/config/security ValidateAttribute), or why it rejects one. */
function conditionKeyProblem(key: string): string | undefined {
  const mapKey = (prefix: string) => {
    const open = key.indexOf('[');
    return key.startsWith(prefix) && key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined
      : `bad key '${key}' (it should have the form a[b])`;
  };
  if (key.startsWith('request.headers')) return mapKey('request.headers');
  if (key.startsWith('request.experimental.inline.headers')) return mapKey('request.experimental.inline.headers');
  if (key.startsWith('request.auth.claims')) return mapKey('request.auth.claims');
  if (key.startsWith('experimental.envoy.filters.')) return mapKey('experimental.envoy.filters.');
  if (['source.ip', 'remote.ip', 'source.namespace', 'source.serviceAccount', 'source.principal', 'request.auth.principal', 'request.auth.audiences',
    'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni'].includes(key)) return undefined;
  if (key === 'destination.namespace') return `the attribute ${key} is replaced by the policy's metadata.namespace`;
  if (key.startsWith('destination.labels')) return `the attribute ${key} is replaced by the workload selector`;
  if (key === 'destination.name' || key === 'destination.user') return `the attribute ${key} is deprecated (only supported in v1alpha1)`;
  return `unknown attribute '${key}'`;
}

/** Is a path template one istiod supports (no named variables, `{}`, or bare `*`/`**` segments next to `{*}`/`{**}`)? */
function badPathTemplate(path: string): boolean {
  if (!path.includes('{*}') && !path.includes('{**}')) return false;
  return /\/{\w+=\*[*]?\}|{\w*\}|\/\*[*]?|\*[*]?\//.test(path);
}

/** Every reason the object is rejected (empty: it is accepted). */
export function authorizationPolicyProblems(obj: ManifestObject): IstioProblem[] {
  const out: IstioProblem[] = [];
  const api = (path: string, message: string) => out.push({ path, message, by: API });
  const hook = (path: string, message: string) => out.push({ path, message, by: WEBHOOK });
  const version = apiVersionOf(obj);
  if (version !== 'v1' && version !== 'v1beta1') api('apiVersion', `${obj.apiVersion} is not a served version (use security.istio.io/v1)`);
  const spec = obj.spec;
  if (spec === undefined || spec === null) return out;
  if (!isPlainObject(spec)) {
    api('spec', 'spec is not a mapping');
    return out;
  }
  const action = spec.action ?? 'ALLOW';
  // istiod validateMetadata/checkDryRunAnnotation: a boolean, and only with ALLOW or DENY.
  if (hasDryRunAnnotation(obj) && (action !== 'ALLOW' && action !== 'DENY')) {
    hook(`metadata.annotations.${DRY_RUN}`, `the annotation ${DRY_RUN} only supports action ALLOW or DENY, not ${String(action)}`);
  } else if (hasDryRunAnnotation(obj) && dryRunOf(obj) === undefined) {
    hook(`metadata.annotations.${DRY_RUN}`, `the annotation ${DRY_RUN} is not a boolean`);
  }
  if (!['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(action)) api('spec.action', `spec.action '${String(action)}' is not ALLOW, DENY, AUDIT or CUSTOM`);
  const set = ['selector', 'targetRef', 'targetRefs'].filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (set.length > 1) api('spec', `spec sets ${set.join(' and ')} (CEL: only one of targetRefs or selector can be set)`);
  const labels = isPlainObject(spec.selector) ? spec.selector.matchLabels : undefined;
  if (isPlainObject(labels)) selectorLabelProblems(labels, api);
  const refs = [spec.targetRef, ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : [])].filter((r) => r !== undefined);
  if (refs.some((r) => isPlainObject(r) && typeof r.namespace === 'string' && r.namespace !== '')) {
    api('spec', 'a targetRef names a namespace (CEL: cross namespace referencing is not currently supported)');
  }
  if (spec.rules !== undefined && spec.rules !== null && !Array.isArray(spec.rules)) {
    api('spec.rules', 'spec.rules is not a list');
    return out;
  }
  const rules: unknown[] = Array.isArray(spec.rules) ? spec.rules : [];
  const noRules = spec.rules === undefined || spec.rules === null;
  const providerName = isPlainObject(spec.provider) ? spec.provider.name : undefined;
  if (action === 'CUSTOM' && noRules) hook('spec.rules', 'a CUSTOM policy without rules is rejected as meaningless (add rules: [{}] to match every request)');
  if (action === 'CUSTOM' && !noRules && (typeof providerName !== 'string' || providerName === '')) hook('spec.provider.name', 'a CUSTOM policy needs provider.name');
  if (action !== 'CUSTOM' && spec.provider !== undefined && spec.provider !== null) hook('spec.provider', `provider is only allowed with action CUSTOM, not ${action}`);
  if (action === 'DENY' && noRules) hook('spec.rules', 'a DENY policy without rules is rejected as meaningless (add rules: [{}] to deny every request)');
  rules.forEach((rule, i) => ruleProblems(rule, `spec.rules[${i}]`, action === 'CUSTOM', api, hook));
  return out;
}

type Report = (path: string, message: string) => void;

/** The CRDs' CEL rule on `spec.selector.matchLabels` (both kinds): no empty key, no wildcard. */
function selectorLabelProblems(labels: Record<string, unknown>, api: Report): void {
  for (const [k, v] of Object.entries(labels)) {
    if (k === '' || k.includes('*') || (typeof v === 'string' && v.includes('*'))) {
      api(`spec.selector.matchLabels.${k}`,
        `selector label '${k}: ${String(v)}' is empty or has a wildcard (CEL: wildcards and empty keys are not allowed)`);
    }
  }
}

/** A list-of-strings field: schema type, then istiod's empty-value check. */
function stringList(value: unknown, path: string, api: Report, hook: Report): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    api(path, `${path} is not a list of strings`);
    return [];
  }
  if (value.includes('')) hook(path, `${path} holds an empty value`);
  return value;
}

function ruleProblems(rule: unknown, path: string, custom: boolean, api: Report, hook: Report): void {
  if (rule === null || rule === undefined) {
    hook(path, `${path} is null (a rule must not be nil)`);
    return;
  }
  if (!isPlainObject(rule)) {
    api(path, `${path} is not a mapping`);
    return;
  }
  for (const clause of ['from', 'to', 'when'] as const) {
    const value = rule[clause];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) api(`${path}.${clause}`, `${path}.${clause} is not a list`);
    else if (value.length === 0 && clause !== 'when') hook(`${path}.${clause}`, `${path}.${clause} is an empty list (it must not be empty when set)`);
  }
  (Array.isArray(rule.from) ? rule.from : []).forEach((from: unknown, j: number) => {
    const at = `${path}.from[${j}]`;
    const source = isPlainObject(from) ? from.source : undefined;
    if (!isPlainObject(source)) {
      if (source !== undefined && source !== null) api(`${at}.source`, `${at}.source is not a mapping`);
      else hook(`${at}.source`, `${at}.source is missing (from.source must not be nil)`);
      return;
    }
    const lists = Object.fromEntries(SOURCE_FIELDS.map((f) => [f, stringList(source[f], `${at}.source.${f}`, api, hook)]));
    if (SOURCE_FIELDS.every((f) => lists[f].length === 0)) hook(`${at}.source`, `${at}.source is empty (from.source must not be empty)`);
    const has = (...fields: string[]) => fields.some((f) => source[f] !== undefined && source[f] !== null);
    if (has('serviceAccounts', 'notServiceAccounts') && has('principals', 'notPrincipals', 'namespaces', 'notNamespaces')) {
      api(`${at}.source`, `${at}.source sets serviceAccounts with namespaces or principals (CEL rejects it)`);
    }
    for (const f of IP_SOURCE_FIELDS) {
      const bad = lists[f].find((v) => v !== '' && !isIstioIpOrCidr(v));
      if (bad !== undefined) hook(`${at}.source.${f}`, `${at}.source.${f}: '${bad}' is not an IP address or CIDR`);
    }
    if (custom) {
      const unsupported = SOURCE_FIELDS.filter((f) => !IP_SOURCE_FIELDS.includes(f)).find((f) => lists[f].length > 0);
      if (unsupported) hook(`${at}.source.${unsupported}`, `${at}.source.${unsupported} is not supported with action CUSTOM`);
    }
  });
  (Array.isArray(rule.to) ? rule.to : []).forEach((to: unknown, j: number) => {
    const at = `${path}.to[${j}]`;
    const operation = isPlainObject(to) ? to.operation : undefined;
    if (!isPlainObject(operation)) {
      if (operation !== undefined && operation !== null) api(`${at}.operation`, `${at}.operation is not a mapping`);
      else hook(`${at}.operation`, `${at}.operation is missing (to.operation must not be nil)`);
      return;
    }
    const lists = Object.fromEntries(OPERATION_FIELDS.map((f) => [f, stringList(operation[f], `${at}.operation.${f}`, api, hook)]));
    if (OPERATION_FIELDS.every((f) => lists[f].length === 0)) hook(`${at}.operation`, `${at}.operation is empty (to.operation must not be empty)`);
    for (const f of ['ports', 'notPorts']) {
      const bad = lists[f].find((v) => v !== '' && !isIstioPort(v));
      if (bad !== undefined) hook(`${at}.operation.${f}`, `${at}.operation.${f}: '${bad}' is not a port (0-65535)`);
    }
    for (const f of ['paths', 'notPaths']) {
      const bad = lists[f].find(badPathTemplate);
      if (bad !== undefined) hook(`${at}.operation.${f}`, `${at}.operation.${f}: '${bad}' is an invalid or unsupported path template`);
    }
  });
  (Array.isArray(rule.when) ? rule.when : []).forEach((condition: unknown, j: number) => {
    const at = `${path}.when[${j}]`;
    if (!isPlainObject(condition)) {
      if (condition === null || condition === undefined) hook(at, `${at} is null`);
      else api(at, `${at} is not a mapping`);
      return;
    }
    const key = condition.key;
    if (key !== undefined && key !== null && typeof key !== 'string') {
      api(`${at}.key`, `${at}.key is not a string`);
      return;
    }
    if (!key) {
      hook(`${at}.key`, `${at}.key is empty`);
      return;
    }
    const values = stringList(condition.values, `${at}.values`, api, hook);
    const notValues = stringList(condition.notValues, `${at}.notValues`, api, hook);
    if (values.length === 0 && notValues.length === 0) {
      hook(at, `${at} (${key}) sets neither values nor notValues`);
      return;
    }
    const keyProblem = conditionKeyProblem(key);
    if (keyProblem) {
      hook(`${at}.key`, `${at}.key: ${keyProblem}`);
      return;
    }
    const all = [...values, ...notValues].filter((v) => v !== '');
    if (['source.ip', 'remote.ip', 'destination.ip'].includes(key)) {
      const bad = all.find((v) => !isIstioIpOrCidr(v));
      if (bad !== undefined) hook(at, `${at} (${key}): '${bad}' is not an IP address or CIDR`);
    }
    if (key === 'destination.port') {
      const bad = all.find((v) => !isIstioPort(v));
      if (bad !== undefined) hook(at, `${at} (${key}): '${bad}' is not a port (0-65535)`);
    }
    if (key === 'source.serviceAccount') {
      // istiod CheckServiceAccount, on values and on notValues.
      if (values.length > 16 || notValues.length > 16) hook(at, `${at} (${key}) has more than 16 values`);
      const bad = all.find((v) => v.includes('*') || v.length > 320 || !/^[^/]+(\/[^/]+)?$/.test(v));
      if (bad !== undefined) hook(at, `${at} (${key}): '${bad}' is not 'serviceAccount' or 'namespace/serviceAccount' (no wildcard, at most 320 characters)`);
    }
    if (custom && (['source.namespace', 'source.serviceAccount', 'source.principal'].includes(key) || key.startsWith('request.auth.'))) {
      hook(`${at}.key`, `${at}.key: ${key} is not supported with action CUSTOM`);
    }
  });
}

const MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

/**
 * Why a PeerAuthentication never exists: the CRD (mode enums, "portLevelMtls requires selector",
 * ports 1-65535, selector labels without wildcards) and istiod's `ValidatePeerAuthentication`
 * (an empty `portLevelMtls`). Empty: it is accepted.
 */
export function peerAuthenticationProblems(obj: ManifestObject): IstioProblem[] {
  const out: IstioProblem[] = [];
  const api = (path: string, message: string) => out.push({ path, message, by: API });
  const version = apiVersionOf(obj);
  if (version !== 'v1' && version !== 'v1beta1') api('apiVersion', `${obj.apiVersion} is not a served version (use security.istio.io/v1)`);
  if (hasDryRunAnnotation(obj)) {
    out.push({ path: `metadata.annotations.${DRY_RUN}`, message: `the annotation ${DRY_RUN} is only supported on AuthorizationPolicy`, by: WEBHOOK });
  }
  const spec = obj.spec;
  if (spec === undefined || spec === null) return out;
  if (!isPlainObject(spec)) {
    api('spec', 'spec is not a mapping');
    return out;
  }
  const mode = isPlainObject(spec.mtls) ? spec.mtls.mode : undefined;
  if (mode !== undefined && mode !== null && !MODES.includes(mode)) api('spec.mtls.mode', `spec.mtls.mode '${String(mode)}' is not UNSET, DISABLE, PERMISSIVE or STRICT`);
  const labels = isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  selectorLabelProblems(labels, api);
  const portLevel = spec.portLevelMtls;
  if (portLevel === undefined || portLevel === null) return out;
  if (!isPlainObject(portLevel)) {
    api('spec.portLevelMtls', 'spec.portLevelMtls is not a mapping');
    return out;
  }
  if (Object.keys(labels).length === 0) api('spec.portLevelMtls', 'portLevelMtls without a selector naming a label (CEL: portLevelMtls requires selector)');
  if (Object.keys(portLevel).length === 0) {
    out.push({ path: 'spec.portLevelMtls', message: 'spec.portLevelMtls is empty (it must have at least one port when set)', by: WEBHOOK });
  }
  for (const [port, value] of Object.entries(portLevel)) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) api(`spec.portLevelMtls.${port}`, `spec.portLevelMtls key '${port}' is not a port (1-65535)`);
    const portMode = isPlainObject(value) ? value.mode : undefined;
    if (portMode !== undefined && portMode !== null && !MODES.includes(portMode)) {
      api(`spec.portLevelMtls.${port}.mode`, `spec.portLevelMtls.${port}.mode '${String(portMode)}' is not UNSET, DISABLE, PERMISSIVE or STRICT`);
    }
  }
  return out;
}
