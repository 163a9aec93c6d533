/**
 * What the API server (the cilium.io/v2 CRD schema, pinned in ../shared/schemas/cilium.io) or the
 * Cilium agent's rule sanitizing (pkg/policy/api, `Rule.Sanitize`) rejects in CiliumNetworkPolicy
 * and CiliumClusterwideNetworkPolicy: unknown entities, invalid CIDRs, ports that are numbers or
 * outside 0-65535, both or neither of endpointSelector/nodeSelector, DNS rules on ingress or without
 * ports, toFQDNs mixed with other peers in one rule, fields of the wrong type. Cilium drops the
 * whole object when one of its rules fails.
 */
import { at, Checker } from './checker';
import { KNOWN_ENTITIES } from '../cilium/entities';
import { rejectionOf } from '../cilium/policies';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;

/** A Cilium EndpointSelector: keys may carry a source prefix (`k8s:`, `reserved:`), values are label values. */
function checkSelector(value: unknown, path: string, c: Checker): void {
  const sel = c.object(value, path);
  if (!sel) return;
  const labels = c.object(sel.matchLabels, at(path, 'matchLabels'));
  for (const [key, v] of Object.entries(labels ?? {})) {
    const p = at(at(path, 'matchLabels'), key);
    if (typeof v !== 'string') c.report(p, `label values must be strings, got ${JSON.stringify(v)}`);
    else if (v.length > 63 || !LABEL_VALUE.test(v)) c.report(p, `'${v}' is not a valid label value`);
  }
  for (const { item, path: p } of c.objects(sel.matchExpressions, at(path, 'matchExpressions'))) {
    if (typeof item.key !== 'string') c.report(at(p, 'key'), 'is required (a string)');
    const op = c.oneOf(item.operator, at(p, 'operator'), ['In', 'NotIn', 'Exists', 'DoesNotExist']);
    if (item.operator === undefined) c.report(at(p, 'operator'), 'is required');
    const values = c.strings(item.values, at(p, 'values'));
    if ((op === 'In' || op === 'NotIn') && values.length === 0) c.report(at(p, 'values'), `must not be empty with operator ${op}`);
  }
}

function checkSelectors(value: unknown, path: string, c: Checker): void {
  c.list(value, path).forEach((s, i) => checkSelector(s, at(path, i), c));
}

function checkPorts(rule: Record<string, any>, path: string, c: Checker): void {
  for (const { item: pr, path: p } of c.objects(rule.toPorts, at(path, 'toPorts'))) {
    for (const { item: pp, path: q } of c.objects(pr.ports, at(p, 'ports'))) {
      if (pp.port === undefined || pp.port === null) {
        c.report(at(q, 'port'), 'is required');
      } else if (typeof pp.port !== 'string') {
        c.report(at(q, 'port'), `port ${JSON.stringify(pp.port)} is not a string; the CRD schema requires one, so the API server rejects the policy`,
          { id: 'cilium-port-not-string', fix: `quote it: port: "${pp.port}"` });
      } else if (/^\d+$/.test(pp.port)) {
        if (Number(pp.port) > 65535) c.report(at(q, 'port'), `${pp.port} is outside 0-65535`);
      } else if (!PORT_NAME.test(pp.port)) {
        c.report(at(q, 'port'), `'${pp.port}' is neither a port number nor a port name`);
      }
      c.number(pp.endPort, at(q, 'endPort'), { integer: true, min: 0, max: 65535 });
      c.oneOf(pp.protocol, at(q, 'protocol'), ['TCP', 'UDP', 'SCTP', 'ANY']);
    }
    const rules = c.object(pr.rules, at(p, 'rules'));
    if (rules) {
      for (const field of ['http', 'dns', 'kafka', 'l7']) c.objects(rules[field], at(at(p, 'rules'), field));
      for (const { item, path: q } of c.objects(rules.dns, at(at(p, 'rules'), 'dns'))) {
        c.string(item.matchName, at(q, 'matchName'));
        c.string(item.matchPattern, at(q, 'matchPattern'));
      }
    }
  }
}

/** One allow or deny rule (`ingress`, `ingressDeny`, `egress`, `egressDeny`). */
function checkRule(rule: Record<string, any>, path: string, direction: 'ingress' | 'egress', c: Checker): void {
  const pfx = direction === 'ingress' ? 'from' : 'to';
  checkSelectors(rule[`${pfx}Endpoints`], at(path, `${pfx}Endpoints`), c);
  checkSelectors(rule[`${pfx}Requires`], at(path, `${pfx}Requires`), c);
  checkSelectors(rule[`${pfx}Nodes`], at(path, `${pfx}Nodes`), c);
  c.list(rule[`${pfx}Entities`], at(path, `${pfx}Entities`)).forEach((e, i) => {
    const p = at(at(path, `${pfx}Entities`), i);
    if (typeof e !== 'string') c.report(p, `must be an entity name, got ${JSON.stringify(e)}`);
    else if (!KNOWN_ENTITIES.has(e)) c.report(p, `'${e}' is not a Cilium entity (${[...KNOWN_ENTITIES].join(', ')})`);
  });
  c.strings(rule[`${pfx}CIDR`], at(path, `${pfx}CIDR`)).forEach((cidr, i) => c.cidr(cidr, at(at(path, `${pfx}CIDR`), i)));
  for (const { item: set, path: p } of c.objects(rule[`${pfx}CIDRSet`], at(path, `${pfx}CIDRSet`))) {
    const forms = ['cidr', 'cidrGroupRef', 'cidrGroupSelector'].filter((f) => set[f] !== undefined && set[f] !== null);
    if (forms.length !== 1) c.report(p, 'must set exactly one of cidr, cidrGroupRef, cidrGroupSelector');
    if (set.cidr !== undefined) c.cidr(set.cidr, at(p, 'cidr'));
    c.string(set.cidrGroupRef, at(p, 'cidrGroupRef'));
    checkSelector(set.cidrGroupSelector, at(p, 'cidrGroupSelector'), c);
    c.strings(set.except, at(p, 'except')).forEach((e, i) => c.cidr(e, at(at(p, 'except'), i)));
  }
  c.objects(rule[`${pfx}Groups`], at(path, `${pfx}Groups`));
  c.objects(rule.icmps, at(path, 'icmps'));
  checkPorts(rule, path, c);
  const auth = c.object(rule.authentication, at(path, 'authentication'));
  if (auth) c.oneOf(auth.mode, at(at(path, 'authentication'), 'mode'), ['disabled', 'required', 'test-always-fail']);
  if (direction === 'egress') {
    const fqdns = c.objects(rule.toFQDNs, at(path, 'toFQDNs'));
    for (const { item, path: p } of fqdns) {
      c.string(item.matchName, at(p, 'matchName'));
      c.string(item.matchPattern, at(p, 'matchPattern'));
      if ((item.matchName === undefined) === (item.matchPattern === undefined)) c.report(p, 'must set exactly one of matchName, matchPattern');
    }
    c.objects(rule.toServices, at(path, 'toServices'));
    const others = ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toServices', 'toNodes', 'toGroups']
      .filter((f) => Array.isArray(rule[f]) && rule[f].length > 0);
    if (fqdns.length > 0 && others.length > 0) c.report(at(path, 'toFQDNs'), `cannot be combined with ${others.join(', ')} in one rule`);
  }
}

/** One rule set: `spec` or `specs[i]`. */
function checkRuleSet(spec: Record<string, any>, path: string, clusterwide: boolean, c: Checker): void {
  const hasEndpoint = spec.endpointSelector !== undefined && spec.endpointSelector !== null;
  const hasNode = spec.nodeSelector !== undefined && spec.nodeSelector !== null;
  if (hasEndpoint === hasNode) c.report(path, 'must set exactly one of endpointSelector and nodeSelector');
  if (hasNode && !clusterwide) c.report(at(path, 'nodeSelector'), 'is only valid in a CiliumClusterwideNetworkPolicy');
  checkSelector(spec.endpointSelector, at(path, 'endpointSelector'), c);
  checkSelector(spec.nodeSelector, at(path, 'nodeSelector'), c);
  const edd = c.object(spec.enableDefaultDeny, at(path, 'enableDefaultDeny'));
  if (edd) {
    c.boolean(edd.ingress, at(at(path, 'enableDefaultDeny'), 'ingress'));
    c.boolean(edd.egress, at(at(path, 'enableDefaultDeny'), 'egress'));
  }
  for (const field of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
    const direction = field.startsWith('ingress') ? 'ingress' : 'egress';
    for (const { item, path: p } of c.objects(spec[field], at(path, field))) checkRule(item, p, direction, c);
  }
  const rejected = rejectionOf(spec, path);
  if (rejected) {
    const colon = rejected.indexOf(': ');
    c.report(rejected.slice(0, colon), rejected.slice(colon + 2));
  }
}

/** cilium.io/v2 CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. */
export function checkCiliumPolicy(obj: Record<string, any>, c: Checker): void {
  const clusterwide = obj.kind === 'CiliumClusterwideNetworkPolicy';
  const spec = c.object(obj.spec, 'spec');
  const specs = c.objects(obj.specs, 'specs');
  if (!spec && specs.length === 0) c.report('spec', 'a policy needs spec or specs (Cilium rejects an empty policy)');
  if (spec) checkRuleSet(spec, 'spec', clusterwide, c);
  for (const { item, path } of specs) checkRuleSet(item, path, clusterwide, c);
}

/** cilium.io CiliumCIDRGroup: `spec.externalCIDRs`. */
export function checkCiliumCidrGroup(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) return;
  c.strings(spec.externalCIDRs, 'spec.externalCIDRs').forEach((cidr, i) => c.cidr(cidr, at('spec.externalCIDRs', i)));
}
