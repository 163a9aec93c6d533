import { IConstruct } from 'constructs';
import { MeshCondition, MeshFlowOptions } from './mesh-flow-options';
import { MeshSource } from './mesh-source';
import { MeshSourceSpec } from './mesh-source-spec';
import { sortedLabels } from '../policy/intent';
import { CidrError, parseCidr, parseIp } from '../util/cidr';
import { propError } from '../util/errors';
import {
  StructKeys, requireArray, requireArrayOf, requireInstance, requireKnownKeys, requireObject, requireOptionalArray, requireOptionalStringArray,
  requireProps, requireString, requireStringMap,
} from '../util/guards';
import { validateDnsLabel, validateDnsSubdomain, validateLabels, validatePortNumber } from '../util/validate';

/** A validated flow (internal). */
export interface ValidatedFlow {
  readonly name: string;
  readonly namespace: string;
  readonly sources: MeshSourceSpec[];
  readonly to: Record<string, string>;
  readonly ports: number[];
  readonly methods: string[];
  readonly paths: string[];
  readonly when: Array<{ key: string; values?: string[]; notValues?: string[] }>;
  /** Does any part rely on the peer's mTLS identity? */
  readonly identityBased: boolean;
  /** Does any part need an L7 (HTTP) proxy? */
  readonly l7: boolean;
}

const CONDITION_KEYS = [
  /^request\.headers\[[^\]]+\]$/, /^source\.ip$/, /^remote\.ip$/, /^source\.namespace$/, /^source\.principal$/,
  /^request\.auth\.principal$/, /^request\.auth\.audiences$/, /^request\.auth\.presenter$/, /^request\.auth\.claims\[[^\]]+\](\[[^\]]+\])*$/,
  /^destination\.ip$/, /^destination\.port$/, /^connection\.sni$/, /^experimental\.envoy\.filters\..+$/,
];
/** The fields of a flow and of a condition: any other is refused (a misspelt `port` would read as every port). */
const FLOW_FIELDS: StructKeys<MeshFlowOptions> = { from: true, to: true, ports: true, methods: true, paths: true, when: true };
const CONDITION_FIELDS: StructKeys<MeshCondition> = { key: true, values: true, notValues: true };

const IDENTITY_KEYS = ['source.namespace', 'source.principal'];
/**
 * The condition keys ztunnel enforces on its own (istio.io "Use Layer 4 security policy", allowed
 * policy attributes): every other key (request.*, remote.ip, connection.sni, experimental.*) needs
 * an L7 proxy.
 */
const L4_KEYS = ['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'];

/**
 * A flow's options as given: a plain object with only the fields of {@link MeshFlowOptions}
 * (errors name `<prop>.<field>`).
 */
export function requireFlowOptions(scope: IConstruct, prop: string, options: MeshFlowOptions): MeshFlowOptions {
  return requireKnownKeys(scope, prop, requireProps(scope, options, false, prop), FLOW_FIELDS);
}

/**
 * Validate a flow's name and options for `scope` (errors name `<prop>.<field>`). Every field's runtime
 * type is checked first (jsii and plain-JavaScript callers): a missing `to` is an error, never
 * "every workload", and a string is never taken for a list.
 */
export function validateFlow(scope: IConstruct, prop: string, name: string, namespace: string, options: MeshFlowOptions): ValidatedFlow {
  validateDnsSubdomain(scope, prop, name);
  const o = requireFlowOptions(scope, prop, options);
  const from = requireArray(scope, `${prop}.from`, o.from);
  if (from.length === 0) {
    throw propError(scope, `${prop}.from`, 'at least one source is required (MeshSource.anyone() for anyone, explicitly)');
  }
  const sources = from.map((s, i) => source(scope, `${prop}.from[${i}]`, namespace, s));
  if (sources.length > 1 && sources.some((s) => s.kind === 'anyone')) {
    throw propError(scope, `${prop}.from`, 'MeshSource.anyone() admits every caller: listing other sources beside it means nothing');
  }
  if (o.to === undefined) {
    throw propError(scope, `${prop}.to`, 'is required: labels of the target pods ({} for every workload of the namespace, explicitly)');
  }
  const to = validateLabels(scope, `${prop}.to`, requireStringMap(scope, `${prop}.to`, o.to));
  for (const field of ['ports', 'methods', 'paths'] as const) {
    const list = requireOptionalArray<unknown>(scope, `${prop}.${field}`, o[field]);
    if (list !== undefined && list.length === 0) throw propError(scope, `${prop}.${field}`, 'must not be empty: omit it for any');
  }
  const ports = unique(scope, `${prop}.ports`, (o.ports ?? []).map((p, i) => validatePortNumber(scope, `${prop}.ports[${i}]`, p)));
  const methods = unique(scope, `${prop}.methods`, (requireOptionalStringArray(scope, `${prop}.methods`, o.methods) ?? []).map((m, i) => {
    if (!/^[A-Z]+$/.test(m)) throw propError(scope, `${prop}.methods[${i}]`, `'${m}' is not an upper-case HTTP method (e.g. GET)`);
    return m;
  }));
  const paths = unique(scope, `${prop}.paths`, (requireOptionalStringArray(scope, `${prop}.paths`, o.paths) ?? [])
    .map((p, i) => path(scope, `${prop}.paths[${i}]`, p)));
  const when = o.when === undefined ? [] : requireArrayOf(scope, `${prop}.when`, o.when, (c, p) => condition(scope, p, c));
  return {
    name,
    namespace,
    sources,
    to: sortedLabels(to),
    ports,
    methods,
    paths,
    when,
    identityBased: sources.some((s) => s.kind !== 'anyone') || when.some((c) => IDENTITY_KEYS.includes(c.key)),
    l7: methods.length > 0 || paths.length > 0 || when.some((c) => !L4_KEYS.includes(c.key)),
  };
}

/** A source, made by a MeshSource factory (a look-alike `{ _spec: ... }` would skip their checks). */
function source(scope: IConstruct, prop: string, namespace: string, s: MeshSource): MeshSourceSpec {
  const spec = requireInstance(scope, prop, s, MeshSource, 'a MeshSource made by one of its factories (MeshSource.serviceAccount(), .namespace(), '
    + '.principal(), ...)')._spec;
  switch (spec.kind) {
    case 'serviceAccount': {
      const ns = spec.namespace === undefined ? namespace : validateDnsLabel(scope, `${prop}.namespace`, spec.namespace);
      const name = validateDnsSubdomain(scope, `${prop}.name`, spec.name as string);
      if (name === 'default' && spec.workload !== undefined) {
        throw propError(scope, prop, `${spec.workload} runs as the namespace's default service account, which every pod without its own shares: `
          + 'an identity-based allow would admit all of them. Give the workload its own ServiceAccount');
      }
      return { kind: 'serviceAccount', name, namespace: ns };
    }
    case 'namespace':
      return { kind: 'namespace', namespace: validateDnsLabel(scope, `${prop}.namespace`, spec.namespace as string) };
    case 'principal':
      return { kind: 'principal', name: requireString(scope, prop, spec.name as string, true) };
    case 'anyMeshWorkload':
    case 'anyone':
      return { kind: spec.kind };
  }
}

/** Istio path matching: exact, prefix (`/api/*`), suffix (`*.png`) or presence (`*`). */
function path(scope: IConstruct, prop: string, p: string): string {
  const stars = typeof p === 'string' ? (p.match(/\*/g) ?? []).length : -1;
  const ok = typeof p === 'string' && p.length > 0 && !/\s/.test(p)
    && (p === '*' || (stars === 0 && p.startsWith('/')) || (stars === 1 && p.startsWith('/') && p.endsWith('*')) || (stars === 1 && p.startsWith('*')));
  if (ok && /[{}]/.test(p)) {
    // istiod refuses '{' and '}' outside its path templates ({*}, {**}), which this grammar does not use
    // (istio pkg/config/security CheckValidPathTemplate, applied to every path of an AuthorizationPolicy).
    throw propError(scope, prop, `'${p}' holds '{' or '}', which istiod refuses in an authorization path outside its path templates `
      + '{*} and {**} (not part of this path grammar): name the path without them');
  }
  if (!ok) {
    throw propError(scope, prop, `'${p}' is not a path Istio matches: exact ('/healthz'), prefix ('/api/*'), suffix ('*.png') or '*', `
      + 'with one wildcard at most, at the start or the end');
  }
  return p;
}

function condition(scope: IConstruct, prop: string, given: MeshCondition): { key: string; values?: string[]; notValues?: string[] } {
  const c = requireKnownKeys(scope, prop, requireObject(scope, prop, given), CONDITION_FIELDS);
  const key = requireString(scope, `${prop}.key`, c.key);
  if (!CONDITION_KEYS.some((re) => re.test(key))) {
    throw propError(scope, `${prop}.key`, `'${key}' is not an Istio authorization condition key (request.headers[...], source.ip, remote.ip, `
      + 'source.namespace, source.principal, request.auth.*, destination.ip, destination.port, connection.sni, experimental.envoy.filters.*)');
  }
  const values = requireOptionalStringArray(scope, `${prop}.values`, c.values) ?? [];
  const notValues = requireOptionalStringArray(scope, `${prop}.notValues`, c.notValues) ?? [];
  for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
    const empty = list.findIndex((v) => v.length === 0);
    if (empty >= 0) throw propError(scope, `${prop}.${field}[${empty}]`, 'must not be empty');
  }
  if (values.length === 0 && notValues.length === 0) throw propError(scope, prop, `condition '${key}' needs values or notValues`);
  for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
    list.forEach((v, i) => {
      const problem = conditionValueProblem(key, v);
      if (problem) throw propError(scope, `${prop}.${field}[${i}]`, `'${v}' ${problem}`);
    });
  }
  return { key, ...(values.length ? { values: [...values] } : {}), ...(notValues.length ? { notValues: [...notValues] } : {}) };
}

/** The condition keys whose values istiod parses as IP addresses or CIDR blocks, and as ports. */
const IP_KEYS = ['source.ip', 'remote.ip', 'destination.ip'];
const PORT_KEY = 'destination.port';

/**
 * Why istiod's validating webhook refuses `value` for the condition `key`, or undefined (istio
 * pkg/config/security ValidateAttribute, applied to `values` and `notValues` alike: `source.ip`,
 * `remote.ip` and `destination.ip` take an address or a CIDR block, `destination.port` a decimal port
 * of at most 65535). A refused policy fails the whole sync, so it is an error here. Blocks are read
 * strictly (no host bits), as everywhere in this library; port 0, which istiod accepts, matches no
 * connection and is refused too.
 */
function conditionValueProblem(key: string, value: string): string | undefined {
  if (IP_KEYS.includes(key)) {
    // istiod parses with Go's net/netip, stricter than the parser here about leading zeros: ParsePrefix refuses
    // them in the prefix length ('10.0.0.0/08': "bad bits after slash"), ParseAddr in an IPv4 part inside IPv6
    // ('::ffff:010.0.0.1', which the parser here reads as 10.0.0.1). Either would pass below and be refused at apply.
    const address = value.split('/')[0];
    const dottedTail = address.includes(':') ? address.slice(address.lastIndexOf(':') + 1).split('.') : [];
    if (/\/0[0-9]/.test(value) || (dottedTail.length > 1 && dottedTail.some((octet) => /^0[0-9]/.test(octet)))) {
      return 'has a leading zero (in the prefix length or an IPv4 octet), which istiod refuses (Go net/netip): write it without '
        + `(istiod requires an address or CIDR block for '${key}')`;
    }
    try {
      if (value.includes('/')) parseCidr(value);
      else parseIp(value);
      return undefined;
    } catch (e) {
      if (!(e instanceof CidrError)) throw e;
      return `is not an IP address or CIDR block (${e.message.replace(/^'.*?' /, '')}): istiod requires one for '${key}' and refuses `
        + 'the policy otherwise';
    }
  }
  if (key === PORT_KEY && (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 65535)) {
    return `is not a port number in 1-65535: istiod requires one for '${key}' (a port name is not resolved) and refuses the policy otherwise`;
  }
  return undefined;
}

function unique<T>(scope: IConstruct, prop: string, list: T[]): T[] {
  const seen = new Set<T>();
  for (const v of list) {
    if (seen.has(v)) throw propError(scope, prop, `${String(v)} is listed twice`);
    seen.add(v);
  }
  return list;
}
