import { IpFamily } from '../../cluster/cluster-network';
import { ParsedCidr, cidrContainsCidr, cidrContainsIp, cidrsOverlap, parseCidrLoose, parseIp } from '../../util/cidr';
import { LintDocument, asArray, isObject, jsonPath } from '../document';
import { ciliumSpecs, isCiliumPolicy, namespaceOf } from '../kinds';
import { checkPolicyKinds } from '../policy-dispatch';
import { calicoPortsInclude, calicoRuleAllows, k8sPortsAllow, protocolName } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const METADATA = 'egress-world-includes-metadata';
const PRIVATE = 'egress-world-includes-private-ranges';

type Family = ParsedCidr['family'];

/** What egress to "the world" must except in one address family. */
interface FamilyFacts {
  /** The whole address space. */
  readonly any: ParsedCidr;
  /** The cloud metadata service address. */
  readonly metadataIp: ReturnType<typeof parseIp>;
  /** The metadata service address as a host route (what an except or a deny names). */
  readonly metadataHost: ParsedCidr;
  /** The private ranges that egress meant as "the internet" must except for tenant isolation. */
  readonly privateRanges: readonly ParsedCidr[];
  /** The private ranges in a fix hint. */
  readonly privateShort: string;
  /** What a partial private except covers, in the private-range message. */
  readonly privatePartial: string;
  /** Why every private range, in the private-range fix hint. */
  readonly privateWhy: string;
  /** A CIDR that contains the metadata address is "the world" when its prefix is shorter than this. */
  readonly worldBelow: number;
}

const cidr = (text: string): ParsedCidr => parseCidrLoose(text)!;

const FAMILIES: Readonly<Record<Family, FamilyFacts>> = {
  // 169.254.169.254 is the link-local metadata service of AWS, GCP, Azure and OpenStack. An allow of
  // the link-local /16 or of anything narrower is deliberate, not "the world".
  ipv4: {
    any: cidr('0.0.0.0/0'),
    metadataIp: parseIp('169.254.169.254'),
    metadataHost: cidr('169.254.169.254/32'),
    privateRanges: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(cidr),
    privateShort: 'the private ranges',
    privatePartial: 'some private ranges',
    privateWhy: 'all RFC 1918 ranges, not just one',
    worldBelow: 16,
  },
  // fd00:ec2::254 is the EC2 instance metadata service over IPv6 on Nitro instances
  // (https://docs.aws.amazon.com/whitepapers/latest/ipv6-on-aws/supporting-amazon-vpc-services.html). It lies in the
  // unique-local range fc00::/7 (RFC 4193), which IPv6 clusters also use for pods and services, so every
  // CIDR that contains it counts as "the world" here (::/0, fc00::/7, fd00::/8, ...); only the /128
  // itself is a deliberate allow.
  ipv6: {
    any: cidr('::/0'),
    metadataIp: parseIp('fd00:ec2::254'),
    metadataHost: cidr('fd00:ec2::254/128'),
    privateRanges: [cidr('fc00::/7')],
    privateShort: 'fc00::/7',
    privatePartial: 'part of the unique-local range',
    privateWhy: 'the whole RFC 4193 unique-local range, not just part of it',
    worldBelow: 128,
  },
};
const BOTH: readonly Family[] = ['ipv4', 'ipv6'];

/**
 * Cilium entities that include the world, by family. `world` and `all` cover both families
 * (https://github.com/cilium/cilium/pull/29958); `world-ipv4`/`world-ipv6` one each
 * (`EntityWorldIPv4`/`EntityWorldIPv6` in cilium/cilium pkg/policy/api/entity.go).
 */
const WORLD_ENTITIES = new Map<string, readonly Family[]>([['world', BOTH], ['all', BOTH], ['world-ipv4', ['ipv4']], ['world-ipv6', ['ipv6']]]);

/** Is the metadata service of each family denied (or excepted) already? */
type Covered = Readonly<Record<Family, boolean>>;
const NOTHING_COVERED: Covered = { ipv4: false, ipv6: false };

/**
 * "Egress to the internet" written as `0.0.0.0/0` (`::/0`) also reaches the cloud metadata service at
 * 169.254.169.254 (fd00:ec2::254) and its node credentials unless it is excepted, and reaches every
 * private network unless 10/8, 172.16/12 and 192.168/16 (fc00::/7) are all excepted. A CIDR of one
 * family is checked against that family's addresses only.
 *
 * Destinations without a family (a NetworkPolicy rule without `to`, a Calico rule without CIDRs or
 * `ipVersion`, the Cilium entities `world` and `all`) cover both families. When the caller gives the
 * cluster's IP families (`PolicyLintOptions.ipFamilies`), each of them is checked. Otherwise IPv4
 * decides whether they are reported (no noise about IPv6 on IPv4-only clusters), and the report then
 * names the IPv6 address too when it is not covered.
 */
export const egressWorld: LintRule = {
  ids: [METADATA, PRIVATE],
  check(ctx: LintContext): RuleReport[] {
    const clusterFamilies = ctx.ipFamilies?.map((f): Family => (f === IpFamily.IPV4 ? 'ipv4' : 'ipv6'));
    const reach: Reach = {
      familyless: familylessReach(clusterFamilies),
      // A destination of a family the cluster does not run is unreachable: nothing to report.
      has: (f) => clusterFamilies === undefined || clusterFamilies.includes(f),
      deniedAround: namespaceWideMetadataDenies(ctx),
    };
    return checkPolicyKinds(ctx, {
      k8s: (doc, out) => checkK8s(doc, out, reach),
      calico: (doc, out) => checkCalico(doc, out, reach),
      cilium: (doc, spec, path, out) => checkCilium(doc, spec, path, out, reach),
    });
  },
};

/** The families whose metadata service a family-less destination reaches, given what is covered. */
type FamilylessReach = (covered: Covered) => Family[];

/** What the cluster's IP families (when known) make reachable. */
interface Reach {
  /** For destinations without a family of their own. */
  readonly familyless: FamilylessReach;
  /** Does the cluster run this family? (Always true when the families are unknown.) */
  readonly has: (family: Family) => boolean;
  /** The metadata services Cilium policies deny to every pod of the document's namespace. */
  readonly deniedAround: (doc: LintDocument) => Covered;
}

/**
 * Cilium denies of the metadata service that hold for every pod of a namespace: the egressDeny of a
 * CiliumNetworkPolicy that selects every endpoint of its namespace (a ZeroTrustNamespace's
 * `deny-cloud-metadata`), or of a CiliumClusterwideNetworkPolicy that selects every pod (no labels;
 * at most the pod-namespace `Exists` requirement). Other selectors are not compared: their denies
 * count only in their own spec.
 */
function namespaceWideMetadataDenies(ctx: LintContext): (doc: LintDocument) => Covered {
  const byNamespace = new Map<string, ParsedCidr[]>();
  const everywhere: ParsedCidr[] = [];
  for (const doc of ctx.documents) {
    if (!isCiliumPolicy(doc.obj)) continue;
    const clusterWide = doc.obj.kind === 'CiliumClusterwideNetworkPolicy';
    for (const { spec } of ciliumSpecs(doc.obj)) {
      if (!selectsEveryPod(spec.endpointSelector, clusterWide)) continue;
      const denied = egressDenyCidrs(spec);
      if (clusterWide) everywhere.push(...denied);
      else byNamespace.set(namespaceOf(doc.obj), [...(byNamespace.get(namespaceOf(doc.obj)) ?? []), ...denied]);
    }
  }
  return (doc) => coveredBy([...everywhere, ...(byNamespace.get(namespaceOf(doc.obj)) ?? [])]);
}

/** Does a Cilium endpointSelector select every pod (of the namespace, or of the cluster)? */
function selectsEveryPod(selector: unknown, clusterWide: boolean): boolean {
  if (!isObject(selector)) return false;
  if (isObject(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) return false;
  const expressions = asArray(selector.matchExpressions);
  return expressions.every((e) => clusterWide && isObject(e) && e.key === 'k8s:io.kubernetes.pod.namespace' && e.operator === 'Exists');
}

/**
 * The CIDRs of a Cilium spec's egressDeny rules that deny on every port (no `toPorts`), a CIDR set
 * left out when its `except` reopens its family's metadata address.
 */
function egressDenyCidrs(spec: any): ParsedCidr[] {
  const setCidrs = (set: any): ParsedCidr[] => {
    const excepts = parseAll(set.except);
    return parseAll([set.cidr]).filter((c) => !excepts.some((e) => cidrContainsIp(e, FAMILIES[c.family].metadataIp)));
  };
  return asArray(spec.egressDeny).flatMap((r) => (isObject(r) && asArray(r.toPorts).length === 0
    ? [...parseAll(r.toCIDR), ...asArray(r.toCIDRSet).flatMap((set) => (isObject(set) ? setCidrs(set) : []))]
    : []));
}

function isWorld(c: ParsedCidr | undefined): c is ParsedCidr {
  return !!c && c.prefix < FAMILIES[c.family].worldBelow && cidrContainsIp(c, FAMILIES[c.family].metadataIp);
}

function parseAll(values: unknown): ParsedCidr[] {
  return asArray(values).filter((v) => typeof v === 'string').map((v) => parseCidrLoose(v)).filter((c): c is ParsedCidr => !!c);
}

/** Which families' metadata service one of `cidrs` covers. */
function coveredBy(cidrs: readonly ParsedCidr[]): Covered {
  const covers = (f: Family) => cidrs.some((c) => cidrContainsIp(c, FAMILIES[f].metadataIp));
  return { ipv4: covers('ipv4'), ipv6: covers('ipv6') };
}

/**
 * The families a family-less destination is reported for (see {@link egressWorld}): each of the
 * cluster's families not covered, or, with the families unknown, none once IPv4 is covered.
 */
function familylessReach(clusterFamilies: readonly Family[] | undefined): FamilylessReach {
  if (clusterFamilies) return (covered) => BOTH.filter((f) => clusterFamilies.includes(f) && !covered[f]);
  return (covered) => (covered.ipv4 ? [] : BOTH.filter((f) => !covered[f]));
}

function join(families: readonly Family[], text: (f: FamilyFacts) => string, separator = ' and '): string {
  return families.map((f) => text(FAMILIES[f])).join(separator);
}

/** `the cloud metadata service 169.254.169.254` / `... services 169.254.169.254 and fd00:ec2::254`. */
function services(families: readonly Family[]): string {
  return `the cloud metadata service${families.length > 1 ? 's' : ''} ${join(families, (f) => f.metadataIp.toString())}`;
}

function report(doc: LintDocument, rule: string, path: string, message: string, fix: string): RuleReport {
  return { doc, rule, severity: rule === METADATA ? LintSeverity.ERROR : LintSeverity.WARNING, path, message, fix };
}

/** Report the metadata and private-range findings for one world CIDR and its exceptions. */
function checkExcepts(doc: LintDocument, path: string, world: ParsedCidr, excepts: ParsedCidr[], metadataDenied: boolean,
  exceptWord: string, out: RuleReport[]): void {
  const f = FAMILIES[world.family];
  if (!metadataDenied && !excepts.some((e) => cidrContainsIp(e, f.metadataIp))) {
    out.push(report(doc, METADATA, path, `egress to ${world.text} includes ${services([world.family])} (node credentials)`,
      `add ${f.metadataHost.text} to ${exceptWord}`));
  }
  // The IPv6 metadata address is itself unique-local: excepting it alone shows no private-range intent.
  const privateIntent = excepts.some((e) => !cidrContainsCidr(f.metadataHost, e) && f.privateRanges.some((p) => cidrsOverlap(p, e)));
  const missing = f.privateRanges.filter((p) => cidrContainsCidr(world, p) && !excepts.some((e) => cidrContainsCidr(e, p)));
  if (privateIntent && missing.length > 0) {
    const ranges = missing.map((m) => m.text).join(', ');
    out.push(report(doc, PRIVATE, path, `egress to ${world.text} excepts ${f.privatePartial} but still reaches ${ranges}`,
      `add ${ranges} to ${exceptWord} (${f.privateWhy})`));
  }
}

function checkK8s(doc: LintDocument, out: RuleReport[], reach: Reach): void {
  asArray(doc.obj.spec?.egress).forEach((rule, i) => {
    if (!isObject(rule)) return;
    const peers = asArray(rule.to);
    // A rule without `to` is reported only when it reaches the metadata service's port (HTTP, TCP 80):
    // port-only rules such as "DNS anywhere" are common and harmless. A world ipBlock is reported on
    // any port, as NETWORKING-FACTS asks: the except is what keeps a later port change safe.
    if (peers.length === 0 && k8sPortsAllow(rule.ports, 'TCP', 80)) {
      const reached = reach.familyless(NOTHING_COVERED);
      if (reached.length === 0) return;
      out.push(report(doc, METADATA, jsonPath('spec', 'egress', i),
        `egress rule without \`to\` allows every destination, including ${services(reached)} on port 80`,
        `list the destinations; for the internet use ${join(reached, (f) => `ipBlock ${f.any.text} with except ${f.metadataHost.text} and ${f.privateShort}`, ', plus ')}`));
      return;
    }
    peers.forEach((peer, j) => {
      const block = isObject(peer) ? peer.ipBlock : undefined;
      const c = isObject(block) && typeof block.cidr === 'string' ? parseCidrLoose(block.cidr) : undefined;
      if (isWorld(c) && reach.has(c.family)) checkExcepts(doc, jsonPath('spec', 'egress', i, 'to', j, 'ipBlock'), c, parseAll(block.except), false, 'ipBlock.except', out);
    });
  });
}

/**
 * The families a Calico rule applies to: its `ipVersion`, else the family of its CIDRs (Calico
 * rejects a rule that mixes IPv4 and IPv6 CIDRs, and Felix renders a rule only for the family of its
 * CIDRs), else both.
 */
function calicoFamilies(rule: Record<string, any>): readonly Family[] {
  if (rule.ipVersion === 4) return ['ipv4'];
  if (rule.ipVersion === 6) return ['ipv6'];
  const cidrs = [rule.source, rule.destination].flatMap((e) => (isObject(e) ? [...parseAll(e.nets), ...parseAll(e.notNets)] : []));
  const families = BOTH.filter((f) => cidrs.some((c) => c.family === f));
  return families.length > 0 ? families : BOTH;
}

/**
 * Does a Calico Deny drop every selected pod's HTTP (TCP 80) to the metadata address of `f`? It must
 * match TCP/80 (`protocol`/`notProtocol`, `ports`/`notPorts`), constrain no source, and its
 * destination must include the address (no nets, or nets containing it; not in `notNets`) without
 * narrowing by selector or service account (the metadata IP has no labels).
 */
function calicoDenyCoversMetadata(rule: Record<string, any>, f: Family): boolean {
  if (!calicoFamilies(rule).includes(f) || !calicoRuleAllows(rule, 'TCP', 80) || protocolName(rule.notProtocol) === 'TCP') return false;
  const constrains = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)
    && !(isObject(v) && Object.keys(v).length === 0);
  if (isObject(rule.source) && Object.values(rule.source).some(constrains)) return false;
  const d: Record<string, any> = isObject(rule.destination) ? rule.destination : {};
  if (['selector', 'notSelector', 'namespaceSelector', 'serviceAccounts', 'services'].some((k) => constrains(d[k]))) return false;
  const ip = FAMILIES[f].metadataIp;
  if (parseAll(d.notNets).some((n) => cidrContainsIp(n, ip)) || calicoPortsInclude(d.notPorts, 80)) return false;
  return asArray(d.nets).length === 0 || parseAll(d.nets).some((n) => cidrContainsIp(n, ip));
}

function checkCalico(doc: LintDocument, out: RuleReport[], reach: Reach): void {
  const egress = asArray(doc.obj.spec?.egress);
  egress.forEach((rule, i) => {
    if (!isObject(rule) || rule.action !== 'Allow') return;
    // Calico evaluates rules in order: an earlier Deny to the metadata IP protects later allows.
    const denies = egress.slice(0, i).filter((r) => isObject(r) && r.action === 'Deny');
    const denied = (f: Family) => denies.some((r) => calicoDenyCoversMetadata(r, f));
    const covered: Covered = { ipv4: denied('ipv4'), ipv6: denied('ipv6') };
    const dest = isObject(rule.destination) ? rule.destination : {};
    const notNets = parseAll(dest.notNets);
    const unrestricted = dest.nets === undefined && dest.selector === undefined && dest.namespaceSelector === undefined
      && dest.serviceAccounts === undefined && dest.services === undefined;
    if (unrestricted) {
      if (!calicoRuleAllows(rule, 'TCP', 80)) return;
      const families = calicoFamilies(rule);
      if (families.length === 1) {
        if (!covered[families[0]] && reach.has(families[0])) checkExcepts(doc, jsonPath('spec', 'egress', i), FAMILIES[families[0]].any, notNets, false, 'destination.notNets', out);
        return;
      }
      const reached = reach.familyless(covered);
      if (reached.length === 0) return;
      out.push(report(doc, METADATA, jsonPath('spec', 'egress', i),
        `egress to ${join(reached, (f) => f.any.text)} includes ${services(reached)} (node credentials)`,
        reached.length === 1
          ? `add ${FAMILIES[reached[0]].metadataHost.text} to destination.notNets`
          : `Deny ${join(reached, (f) => f.metadataHost.text)} in an earlier rule, or split this rule by ipVersion and add each address `
            + 'to its destination.notNets (a Calico rule cannot mix IPv4 and IPv6 CIDRs)'));
      return;
    }
    parseAll(dest.nets).filter((c) => isWorld(c) && reach.has(c.family)).forEach((c) =>
      checkExcepts(doc, jsonPath('spec', 'egress', i, 'destination'), c, notNets, covered[c.family], 'destination.notNets', out));
  });
}

function checkCilium(doc: LintDocument, spec: any, path: string, out: RuleReport[], reach: Reach): void {
  // egressDeny wins over egress allows (https://docs.cilium.io/en/stable/security/policy/language/#deny-policies).
  const covered = coveredBy(egressDenyCidrs(spec));
  asArray(spec.egress).forEach((rule, i) => {
    if (!isObject(rule)) return;
    asArray(rule.toCIDR).forEach((text, j) => {
      const c = typeof text === 'string' ? parseCidrLoose(text) : undefined;
      if (isWorld(c) && reach.has(c.family)) checkExcepts(doc, jsonPath(path, 'egress', i, 'toCIDR', j), c, [], covered[c.family], 'a toCIDRSet except', out);
    });
    asArray(rule.toCIDRSet).forEach((set, j) => {
      const c = isObject(set) && typeof set.cidr === 'string' ? parseCidrLoose(set.cidr) : undefined;
      if (isWorld(c) && reach.has(c.family)) checkExcepts(doc, jsonPath(path, 'egress', i, 'toCIDRSet', j), c, parseAll(set.except), covered[c.family], 'toCIDRSet.except', out);
    });
    if (asArray(rule.toFQDNs).length > 0) {
      // A name allows whatever its answers hold: whoever controls a record under an allowed name can
      // point it at the metadata service. Only a deny keeps it out (excepts do not apply to names).
      const around = reach.deniedAround(doc);
      const reached = reach.familyless({ ipv4: covered.ipv4 || around.ipv4, ipv6: covered.ipv6 || around.ipv6 });
      if (reached.length > 0) {
        out.push(report(doc, METADATA, jsonPath(path, 'egress', i, 'toFQDNs'),
          `toFQDNs allows whatever addresses the names resolve to, ${services(reached)} included (a record under an allowed name can point there)`,
          `add an egressDeny to ${join(reached, (f) => f.metadataHost.text)} to this policy`));
      }
    }
    asArray(rule.toEntities).forEach((entity, j) => {
      const families = typeof entity === 'string' ? WORLD_ENTITIES.get(entity) : undefined;
      if (!families) return;
      const reached = families.length > 1 ? reach.familyless(covered) : families.filter((f) => reach.has(f) && !covered[f]);
      if (reached.length === 0) return;
      out.push(report(doc, METADATA, jsonPath(path, 'egress', i, 'toEntities', j),
        `toEntities '${entity}' includes ${services(reached)} and cannot except ${reached.length > 1 ? 'them' : 'it'}`,
        `use ${join(reached, (f) => `toCIDRSet ${f.any.text} with except ${f.metadataHost.text} (and ${f.privateShort})`)}, `
          + `or add an egressDeny to ${join(reached, (f) => f.metadataHost.text)}`));
    });
  });
}
