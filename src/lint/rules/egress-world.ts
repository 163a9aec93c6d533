import { ParsedCidr, cidrContainsCidr, cidrContainsIp, cidrsOverlap, parseCidrLoose, parseIp } from '../../util/cidr';
import { LintDocument, asArray, isObject, jsonPath } from '../document';
import { ciliumSpecs, isCalicoPolicy, isCiliumPolicy, isK8sNetworkPolicy } from '../kinds';
import { calicoRuleAllows, k8sPortsAllow } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const METADATA = 'egress-world-includes-metadata';
const PRIVATE = 'egress-world-includes-private-ranges';

/** The link-local cloud metadata service (AWS, GCP, Azure, OpenStack). */
const METADATA_IP = parseIp('169.254.169.254');
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidrLoose(c)!);

/**
 * "Egress to the internet" written as `0.0.0.0/0` also reaches the cloud metadata service at
 * 169.254.169.254 (node credentials) unless it is excepted, and reaches every private network
 * unless 10/8, 172.16/12 and 192.168/16 are all excepted. A CIDR shorter than /16 that contains the
 * metadata IP counts as "the world" here; a deliberate metadata allow is a /32.
 */
export const egressWorld: LintRule = {
  ids: [METADATA, PRIVATE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (isK8sNetworkPolicy(doc.obj)) checkK8s(doc, out);
      else if (isCalicoPolicy(doc.obj)) checkCalico(doc, out);
      else if (isCiliumPolicy(doc.obj)) checkCilium(doc, out);
    }
    return out;
  },
};

function isWorld(cidr: ParsedCidr | undefined): cidr is ParsedCidr {
  return !!cidr && cidr.family === 'ipv4' && cidr.prefix < 16 && cidrContainsIp(cidr, METADATA_IP);
}

function parseAll(values: unknown): ParsedCidr[] {
  return asArray(values).filter((v) => typeof v === 'string').map((v) => parseCidrLoose(v)).filter((c): c is ParsedCidr => !!c);
}

/** Report the metadata and private-range findings for one world CIDR and its exceptions. */
function checkExcepts(doc: LintDocument, path: string, cidr: ParsedCidr, excepts: ParsedCidr[], metadataDenied: boolean,
  exceptWord: string, out: RuleReport[]): void {
  if (!metadataDenied && !excepts.some((e) => cidrContainsIp(e, METADATA_IP))) {
    out.push({
      doc,
      rule: METADATA,
      severity: LintSeverity.ERROR,
      path,
      message: `egress to ${cidr.text} includes the cloud metadata service 169.254.169.254 (node credentials)`,
      fix: `add 169.254.169.254/32 to ${exceptWord}`,
    });
  }
  const privateIntent = excepts.some((e) => PRIVATE_RANGES.some((p) => cidrsOverlap(p, e)));
  const missing = PRIVATE_RANGES.filter((p) => cidrContainsCidr(cidr, p) && !excepts.some((e) => cidrContainsCidr(e, p)));
  if (privateIntent && missing.length > 0) {
    out.push({
      doc,
      rule: PRIVATE,
      severity: LintSeverity.WARNING,
      path,
      message: `egress to ${cidr.text} excepts some private ranges but still reaches ${missing.map((m) => m.text).join(', ')}`,
      fix: `add ${missing.map((m) => m.text).join(', ')} to ${exceptWord} (all RFC 1918 ranges, not just one)`,
    });
  }
}

function checkK8s(doc: LintDocument, out: RuleReport[]): void {
  asArray(doc.obj.spec?.egress).forEach((rule, i) => {
    if (!isObject(rule)) return;
    const peers = asArray(rule.to);
    if (peers.length === 0 && k8sPortsAllow(rule.ports, 'TCP', 80)) {
      out.push({
        doc,
        rule: METADATA,
        severity: LintSeverity.ERROR,
        path: jsonPath('spec', 'egress', i),
        message: 'egress rule without `to` allows every destination, including the cloud metadata service 169.254.169.254:80',
        fix: 'list the destinations; for the internet use ipBlock 0.0.0.0/0 with except 169.254.169.254/32 and the private ranges',
      });
      return;
    }
    peers.forEach((peer, j) => {
      const block = isObject(peer) ? peer.ipBlock : undefined;
      const cidr = isObject(block) && typeof block.cidr === 'string' ? parseCidrLoose(block.cidr) : undefined;
      if (isWorld(cidr)) checkExcepts(doc, jsonPath('spec', 'egress', i, 'to', j, 'ipBlock'), cidr, parseAll(block.except), false, 'ipBlock.except', out);
    });
  });
}

function checkCalico(doc: LintDocument, out: RuleReport[]): void {
  const egress = asArray(doc.obj.spec?.egress);
  egress.forEach((rule, i) => {
    if (!isObject(rule) || rule.action !== 'Allow') return;
    // Calico evaluates rules in order: an earlier Deny to the metadata IP protects later allows.
    const denied = egress.slice(0, i).some((r) => isObject(r) && r.action === 'Deny'
      && (parseAll(r.destination?.nets).some((n) => cidrContainsIp(n, METADATA_IP)) || !isObject(r.destination)));
    const dest = isObject(rule.destination) ? rule.destination : {};
    const nets = parseAll(dest.nets);
    const unrestricted = dest.nets === undefined && dest.selector === undefined && dest.namespaceSelector === undefined
      && dest.serviceAccounts === undefined && dest.services === undefined;
    if (unrestricted && !denied && calicoRuleAllows(rule, 'TCP', 80)) {
      checkExcepts(doc, jsonPath('spec', 'egress', i), parseCidrLoose('0.0.0.0/0')!, parseAll(dest.notNets), false, 'destination.notNets', out);
      return;
    }
    nets.filter(isWorld).forEach((cidr) =>
      checkExcepts(doc, jsonPath('spec', 'egress', i, 'destination'), cidr, parseAll(dest.notNets), denied, 'destination.notNets', out));
  });
}

function checkCilium(doc: LintDocument, out: RuleReport[]): void {
  for (const { spec, path } of ciliumSpecs(doc.obj)) {
    // egressDeny wins over egress allows (https://docs.cilium.io/en/stable/security/policy/language/#deny-policies).
    const denied = asArray(spec.egressDeny).some((r) => isObject(r)
      && (parseAll(r.toCIDR).some((c) => cidrContainsIp(c, METADATA_IP))
        || asArray(r.toCIDRSet).some((s) => isObject(s) && typeof s.cidr === 'string' && !!parseCidrLoose(s.cidr)
          && cidrContainsIp(parseCidrLoose(s.cidr)!, METADATA_IP))));
    asArray(spec.egress).forEach((rule, i) => {
      if (!isObject(rule)) return;
      asArray(rule.toCIDR).forEach((text, j) => {
        const cidr = typeof text === 'string' ? parseCidrLoose(text) : undefined;
        if (isWorld(cidr)) checkExcepts(doc, jsonPath(path, 'egress', i, 'toCIDR', j), cidr, [], denied, 'a toCIDRSet except', out);
      });
      asArray(rule.toCIDRSet).forEach((set, j) => {
        const cidr = isObject(set) && typeof set.cidr === 'string' ? parseCidrLoose(set.cidr) : undefined;
        if (isWorld(cidr)) checkExcepts(doc, jsonPath(path, 'egress', i, 'toCIDRSet', j), cidr, parseAll(set.except), denied, 'toCIDRSet.except', out);
      });
      asArray(rule.toEntities).forEach((entity, j) => {
        if (!denied && ['world', 'world-ipv4', 'all'].includes(entity)) {
          out.push({
            doc,
            rule: METADATA,
            severity: LintSeverity.ERROR,
            path: jsonPath(path, 'egress', i, 'toEntities', j),
            message: `toEntities '${entity}' includes the cloud metadata service 169.254.169.254 and cannot except it`,
            fix: 'use toCIDRSet 0.0.0.0/0 with except 169.254.169.254/32 (and the private ranges), or add an egressDeny to 169.254.169.254/32',
          });
        }
      });
    });
  }
}
