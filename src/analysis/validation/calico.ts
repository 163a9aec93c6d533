/**
 * What Calico's API validation rejects in the projectcalico.org/v3 objects the analyzer reads
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, globalnetworkpolicy,
 * networkset, globalnetworkset, tier): selectors that do not parse, invalid CIDRs (and, in rules, bare
 * IPs, host bits and mixed IP families), ports outside 1-65535 or ports without a port protocol,
 * unknown actions and protocols, fields of the wrong type.
 */
import { at, Checker, isPortName } from './checker';
import { calicoProtocol, calicoRuleIpProblems, globalSelectorProblem, PORT_PROTOCOLS } from '../calico/rules';
import { parseCalicoSelector } from '../calico/selector';

/**
 * A Calico selector expression (blank is allowed: it means all()). `global` says where global() is
 * checked: 'policy' (refused anywhere in the text), 'namespace' (a rule's namespaceSelector: only
 * alone), or 'free' (not checked), see {@link globalSelectorProblem}.
 */
function checkSelector(value: unknown, path: string, c: Checker, global: 'policy' | 'namespace' | 'free' = 'free'): void {
  const text = c.string(value, path);
  if (text === undefined || text.trim() === '') return;
  try {
    parseCalicoSelector(text);
  } catch (e) {
    c.report(path, (e as Error).message);
    return;
  }
  const problem = global === 'free' ? undefined : globalSelectorProblem(text, global === 'namespace');
  if (problem) c.report(path, problem);
}

/** A rule's protocol as libcalico-go reads it ({@link calicoProtocol}); undefined when absent or rejected (reported). */
function checkProtocol(value: unknown, path: string, c: Checker): number | undefined {
  if (value === undefined || value === null) return undefined;
  const p = calicoProtocol(value);
  if (p.problem !== undefined) c.report(path, p.problem);
  return p.number;
}

/** Calico ports: a number 1-65535, a range `"first:last"`, or a named port. */
function checkPorts(value: unknown, path: string, c: Checker): number {
  const list = c.list(value, path);
  list.forEach((p, i) => {
    const where = at(path, i);
    if (typeof p === 'number') {
      c.port(p, where);
      return;
    }
    if (typeof p !== 'string') {
      c.report(where, `must be a port number, a range "first:last" or a port name, got ${JSON.stringify(p)}`);
      return;
    }
    const range = /^(\d+):(\d+)$/.exec(p);
    if (range) {
      const first = c.port(Number(range[1]), where);
      const last = c.port(Number(range[2]), where);
      if (first !== undefined && last !== undefined && first > last) c.report(where, `port range '${p}' starts after it ends`);
    } else if (/^\d+$/.test(p)) {
      c.port(Number(p), where);
    } else if (!isPortName(p)) {
      c.report(where, `'${p}' is not a port number, range or port name`);
    }
  });
  return list.length;
}

/** What a rule check needs from an entity: its port count and its Service match (namespace '' when unset). */
interface EntitySummary {
  readonly ports: number;
  readonly services: boolean;
  readonly servicesNamespace?: string;
}

function checkEntity(value: unknown, path: string, c: Checker): EntitySummary {
  const e = c.object(value, path);
  if (!e) return { ports: 0, services: false };
  if (e.services !== undefined && e.services !== null) {
    // libcalico-go validateEntityRule: a Service match takes the Service's endpoints as the whole entity.
    const others = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'serviceAccounts']
      .filter((f) => e[f] !== undefined && e[f] !== null && e[f] !== '' && !(Array.isArray(e[f]) && e[f].length === 0));
    if (others.length > 0) c.report(at(path, 'services'), `cannot be combined with ${others.join(', ')}`);
  }
  for (const field of ['nets', 'notNets']) c.strings(e[field], at(path, field)).forEach((n, i) => c.cidr(n, at(at(path, field), i), true));
  checkSelector(e.selector, at(path, 'selector'), c, 'policy');
  checkSelector(e.notSelector, at(path, 'notSelector'), c);
  checkSelector(e.namespaceSelector, at(path, 'namespaceSelector'), c, 'namespace');
  const ports = checkPorts(e.ports, at(path, 'ports'), c) + checkPorts(e.notPorts, at(path, 'notPorts'), c);
  const sa = c.object(e.serviceAccounts, at(path, 'serviceAccounts'));
  if (sa) {
    c.strings(sa.names, at(at(path, 'serviceAccounts'), 'names'));
    checkSelector(sa.selector, at(at(path, 'serviceAccounts'), 'selector'), c);
  }
  const services = c.object(e.services, at(path, 'services'));
  let servicesNamespace: string | undefined;
  if (services) {
    // validateEntityRule: a Service match must name the Service.
    const name = c.string(services.name, at(at(path, 'services'), 'name'));
    if (services.name === undefined || services.name === null || name === '') c.report(at(at(path, 'services'), 'name'), 'must specify a service name');
    const absent = services.namespace === undefined || services.namespace === null;
    servicesNamespace = absent ? '' : c.string(services.namespace, at(at(path, 'services'), 'namespace'));
  }
  return { ports, services: !!services, servicesNamespace };
}

function checkRule(rule: Record<string, any>, path: string, c: Checker, direction: string, preDNAT: boolean, global: boolean): void {
  if (rule.action === undefined) c.report(at(path, 'action'), 'is required');
  const action = c.oneOf(rule.action, at(path, 'action'), ['Allow', 'Deny', 'Log', 'Pass']);
  const protocol = checkProtocol(rule.protocol, at(path, 'protocol'), c);
  checkProtocol(rule.notProtocol, at(path, 'notProtocol'), c);
  if (rule.ipVersion !== undefined && rule.ipVersion !== 4 && rule.ipVersion !== 6) c.report(at(path, 'ipVersion'), 'must be 4 or 6');
  const source = checkEntity(rule.source, at(path, 'source'), c);
  const destination = checkEntity(rule.destination, at(path, 'destination'), c);
  for (const p of calicoRuleIpProblems(rule, path)) c.report(p.path, p.message);
  // Protocol.SupportsPorts also says yes to the v1 spellings tcp/udp/sctp, which the name check rejects.
  const supportsPorts = (protocol !== undefined && PORT_PROTOCOLS.has(protocol)) || ['tcp', 'udp', 'sctp'].includes(rule.protocol);
  if ((source.ports > 0 || destination.ports > 0) && !supportsPorts) {
    c.report(at(path, 'protocol'), 'rules with ports need protocol TCP, UDP or SCTP');
  }
  // libcalico-go validateRule: a destination Service brings its own ports (source ports stay valid).
  if (destination.services && destination.ports > 0) c.report(at(path, 'destination'), 'services cannot be combined with ports');
  // validateNetworkPolicySpec: Services only in the destination of egress rules and the source of ingress rules.
  if (direction === 'egress' && source.services) c.report(at(at(path, 'source'), 'services'), 'is not allowed in an egress rule source');
  if (direction === 'ingress' && destination.services) {
    c.report(at(at(path, 'destination'), 'services'), 'is not allowed in an ingress rule destination');
  }
  // validateGlobalNetworkPolicySpec: cluster-wide, a Service name needs its namespace (a namespaced
  // policy's Service defaults to the policy's namespace).
  const peer = direction === 'egress' ? destination : source;
  if (global && peer.servicesNamespace === '') {
    c.report(at(at(at(path, direction === 'egress' ? 'destination' : 'source'), 'services'), 'namespace'), 'must specify a namespace in a GlobalNetworkPolicy');
  }
  // validateRule: ICMP type/code need protocol ICMP or ICMPv6, and a code needs a type (validateICMPFields).
  for (const field of ['icmp', 'notICMP']) {
    const icmp = c.object(rule[field], at(path, field));
    if (!icmp) continue;
    if (field === 'icmp' && rule.protocol !== 'ICMP' && rule.protocol !== 'ICMPv6') {
      c.report(at(path, 'icmp'), 'needs protocol ICMP or ICMPv6');
    }
    if (icmp.code !== undefined && icmp.code !== null && (icmp.type === undefined || icmp.type === null)) {
      c.report(at(at(path, field), 'code'), 'needs an ICMP type');
    }
  }
  const http = c.object(rule.http, at(path, 'http'));
  if (http) {
    if (action !== undefined && action !== 'Allow') c.report(at(path, 'http'), 'HTTP matches are only valid on Allow rules');
    // validateNetworkPolicySpec and validateRule: no HTTP match on egress rules, and only with protocol TCP (or none).
    if (direction === 'egress') c.report(at(path, 'http'), 'HTTP matches are not allowed in egress rules');
    if (rule.protocol !== undefined && rule.protocol !== null && rule.protocol !== 'TCP') {
      c.report(at(path, 'protocol'), 'must be TCP (or omitted) with an HTTP match');
    }
    // validateHTTPRule: no method twice; each path sets exactly one of exact/prefix, starting with
    // '/' and without '?', ' ' or '#'.
    const methods = c.strings(http.methods, at(at(path, 'http'), 'methods'));
    if (new Set(methods).size !== methods.length) c.report(at(at(path, 'http'), 'methods'), 'lists a method more than once');
    for (const { item, path: p } of c.objects(http.paths, at(at(path, 'http'), 'paths'))) {
      const exact = c.string(item.exact, at(p, 'exact')) ?? '';
      const prefix = c.string(item.prefix, at(p, 'prefix')) ?? '';
      if (exact !== '' && prefix !== '') c.report(p, "sets both 'exact' and 'prefix'");
      const value = exact || prefix;
      if (exact === '' && prefix === '') c.report(p, "must set 'exact' or 'prefix'");
      else if (!value.startsWith('/') || /[? #]/.test(value)) c.report(p, `'${value}' must start with '/' and not contain '?', ' ' or '#'`);
    }
  }
  if (preDNAT && direction === 'egress') c.report(path, 'preDNAT policies cannot have egress rules');
}

/** projectcalico.org/v3 NetworkPolicy or GlobalNetworkPolicy. */
export function checkCalicoPolicy(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) return;
  c.number(spec.order, 'spec.order');
  c.string(spec.tier, 'spec.tier');
  checkSelector(spec.selector, 'spec.selector', c, 'policy');
  checkSelector(spec.serviceAccountSelector, 'spec.serviceAccountSelector', c, 'policy');
  const global = obj.kind === 'GlobalNetworkPolicy';
  if (global) checkSelector(spec.namespaceSelector, 'spec.namespaceSelector', c, 'policy');
  else if (spec.namespaceSelector !== undefined) c.report('spec.namespaceSelector', 'is only valid in a GlobalNetworkPolicy');
  const types = c.list(spec.types, 'spec.types');
  types.forEach((t, i) => c.oneOf(t, at('spec.types', i), ['Ingress', 'Egress'], true));
  if (types.length > 2) c.report('spec.types', 'may not list more than two types');
  // validate[Global]NetworkPolicySpec: each type at most once.
  types.forEach((t, i) => {
    if (typeof t === 'string' && types.indexOf(t) !== i) c.report(at('spec.types', i), `'${t}' type specified more than once`);
  });
  for (const field of ['doNotTrack', 'preDNAT', 'applyOnForward']) {
    if (spec[field] === undefined) continue;
    if (!global) c.report(`spec.${field}`, 'is only valid in a GlobalNetworkPolicy');
    c.boolean(spec[field], `spec.${field}`);
  }
  if ((spec.doNotTrack === true || spec.preDNAT === true) && spec.applyOnForward !== true) {
    c.report('spec.applyOnForward', `must be true with ${spec.doNotTrack === true ? 'doNotTrack' : 'preDNAT'}`);
  }
  if (spec.doNotTrack === true && spec.preDNAT === true) c.report('spec', 'doNotTrack and preDNAT cannot both be set');
  if (spec.preDNAT === true && types.includes('Egress')) c.report('spec.types', "a preDNAT policy cannot have the 'Egress' type");
  for (const direction of ['ingress', 'egress']) {
    for (const { item, path } of c.objects(spec[direction], `spec.${direction}`)) checkRule(item, path, c, direction, spec.preDNAT === true, global);
  }
}

/** projectcalico.org/v3 NetworkSet or GlobalNetworkSet: its CIDRs and labels. */
export function checkCalicoNetworkSet(obj: Record<string, any>, c: Checker): void {
  const metadata = c.object(obj.metadata, 'metadata');
  if (metadata) c.labels(metadata.labels, 'metadata.labels');
  const spec = c.object(obj.spec, 'spec');
  if (spec) c.strings(spec.nets, 'spec.nets').forEach((n, i) => c.cidr(n, at('spec.nets', i), true));
}

/**
 * The default action the Tier CRD's CEL rules require of Calico's own tiers (`default`: Deny;
 * `kube-admin`, `kube-baseline`: Pass). The schema defaults an omitted action to Deny first.
 */
const BUILT_IN_TIER_ACTIONS: Readonly<Record<string, string>> = { 'default': 'Deny', 'kube-admin': 'Pass', 'kube-baseline': 'Pass' };

/** projectcalico.org/v3 Tier: order and default action (Deny or Pass; fixed for the built-in tiers). */
export function checkCalicoTier(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) return;
  c.number(spec.order, 'spec.order');
  const action = c.oneOf(spec.defaultAction, 'spec.defaultAction', ['Deny', 'Pass']);
  const name = obj.metadata?.name;
  const required = typeof name === 'string' && Object.prototype.hasOwnProperty.call(BUILT_IN_TIER_ACTIONS, name) ? BUILT_IN_TIER_ACTIONS[name] : undefined;
  const effective = spec.defaultAction === undefined || spec.defaultAction === null ? 'Deny' : action;
  if (required !== undefined && effective !== undefined && effective !== required) {
    c.report('spec.defaultAction', `the '${name}' tier must have default action '${required}'${spec.defaultAction == null ? ' (omitted, it defaults to Deny)' : ''}`);
  }
}
