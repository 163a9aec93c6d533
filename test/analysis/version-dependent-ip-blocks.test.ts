/**
 * A NetworkPolicy with an IPv4-mapped IPv6 ipBlock (`::ffff:10.0.0.0/104`), a leading zero in an IPv4
 * octet (`010.0.0.0/8`) or the prefix length (`10.0.0.0/08`), or bits set beyond the prefix length
 * (`10.0.0.5/8`) is refused by Kubernetes 1.36 and later (KEP-4858 StrictIPCIDRValidation, beta and
 * on by default in 1.36: kubernetes pkg/apis/networking/validation `ValidateIPBlock` ->
 * apimachinery util/validation `IsValidCIDRForLegacyField`) and accepted by earlier versions: the
 * analyzer, which does not know the version, evaluates no such policy, and the flows it could change
 * are indeterminate. Before, it was evaluated as applied (on 1.36 its egress isolation does not
 * exist, so "denied" was a claim the cluster does not keep), and `010` was read as octal 8 where
 * Kubernetes read decimal 10. PolicyLint reports each. Other kinds refuse leading zeros outright.
 * Non-canonical IPv6 text (`2001:DB8::/32`) stays valid in ipBlock (legacy field, KEP-4858
 * Non-Goals): such a policy is evaluated, and not reported.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { PolicyLint } from '../../src/lint';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';

const base = [namespace('shop'), deployment('shop', 'web', { app: 'web' }), deployment('shop', 'db', { app: 'db' })];
const web = Target.workload('shop', 'web');
const db = Target.workload('shop', 'db');
const internet = Target.external('93.184.216.34');
const https = Port.tcp(443);
const egressTo = (name: string, ipBlock: any) => networkPolicy(name, 'shop', {
  podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock }] }],
});
const mappedCidr = egressTo('web-egress', { cidr: '::ffff:10.0.0.0/104' });
const mappedExcept = egressTo('web-egress', { cidr: '::ffff:0.0.0.0/96', except: ['::ffff:10.0.0.0/104'] });
const leadingZeros = egressTo('web-egress', { cidr: '010.0.0.0/8' });
const prefixZeros = egressTo('web-egress', { cidr: '10.0.0.0/08' });
const hostBits = egressTo('web-egress', { cidr: '10.0.0.5/8' });
const hostBitsExcept = egressTo('web-egress', { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.1.1/16'] });
const v4 = egressTo('web-egress', { cidr: '10.0.0.0/8' });
const why = (problem: string) => `it holds ${problem}, which Kubernetes 1.36 and later refuse (KEP-4858 strict IP validation) and earlier versions accept, `
  + 'so whether it exists depends on the cluster\'s version';
const options = { cni: Cni.kubernetes() };

test('the manifests are valid against the pinned schemas (1.27-1.35 accept them; the schema cannot say)', () => {
  expectValidManifests([...base, mappedCidr, mappedExcept, leadingZeros, prefixZeros, hostBits, hostBitsExcept, v4]);
});

test.each([
  ['an IPv4-mapped block in cidr', mappedCidr, 'an IPv4-mapped IPv6 ipBlock (::ffff:10.0.0.0/104)'],
  ['an IPv4-mapped block in except', mappedExcept, 'an IPv4-mapped IPv6 ipBlock (::ffff:0.0.0.0/96)'],
  ['leading zeros', leadingZeros, 'an ipBlock with leading zeros (010.0.0.0/8)'],
  ['leading zeros in the prefix length', prefixZeros, 'an ipBlock with leading zeros (10.0.0.0/08)'],
  ['host bits in cidr', hostBits, 'an ipBlock with bits set beyond its prefix length (10.0.0.5/8)'],
  ['host bits in except', hostBitsExcept, 'an ipBlock with bits set beyond its prefix length (192.168.1.1/16)'],
])('a NetworkPolicy with %s is not evaluated: what it could change is indeterminate', (_name, policy, problem) => {
  const reach = Reachability.fromManifests([...base, policy], options);
  const result = reach.check(web, internet, https);
  expect(result.verdict).toBe(Verdict.INDETERMINATE);
  expect(result.egress.uncertainties).toEqual([`NetworkPolicy shop/web-egress may select the source and is not evaluated (${why(problem)})`]);
  expect(reach.notes).toContain(`NetworkPolicy shop/web-egress (networking.k8s.io/v1) is not evaluated: ${why(problem)}; flows of the pods `
    + 'it selects are indeterminate where it could change them');
  // Pods it does not select keep exact verdicts.
  expect(reach.check(db, internet, https).verdict).toBe(Verdict.ALLOW);
});

test('the same policy with the IPv4 block is evaluated as before: exact deny outside it', () => {
  const reach = Reachability.fromManifests([...base, v4], options);
  expect(reach.check(web, internet, https).verdict).toBe(Verdict.DENY);
  expect(reach.check(web, Target.external('10.1.2.3'), https).verdict).toBe(Verdict.ALLOW);
});

test('PolicyLint: an error at each IPv4-mapped block, naming the IPv4 block, and at each block with leading zeros', () => {
  const findings = PolicyLint.check([mappedExcept, leadingZeros]).filter((f) => f.rule.startsWith('ipblock-'));
  expect(findings.map((f) => [f.rule, f.severity, f.path, f.fix])).toEqual([
    ['ipblock-ipv4-mapped', 'error', 'spec.egress[0].to[0].ipBlock.cidr', 'use the IPv4 block 0.0.0.0/0: the addresses are IPv4 on the wire'],
    ['ipblock-leading-zeros', 'error', 'spec.egress[0].to[0].ipBlock.cidr', 'write 10.0.0.0/8'],
    ['ipblock-ipv4-mapped', 'error', 'spec.egress[0].to[0].ipBlock.except[0]', 'use the IPv4 block 10.0.0.0/8: the addresses are IPv4 on the wire'],
  ]);
  expect(findings[0].message).toBe('::ffff:0.0.0.0/96 is an IPv4-mapped IPv6 block: Kubernetes 1.36 and later refuse it in ipBlock by default (KEP-4858 strict IP validation), '
    + 'so the API server rejects the policy; earlier versions accept it (from 1.33 with an API warning)');
  expect(PolicyLint.check([v4]).filter((f) => f.rule.startsWith('ipblock-'))).toEqual([]);
});

test('PolicyLint: an error at each block with host bits (naming the network and the one address) or a zero-padded prefix length', () => {
  const findings = PolicyLint.check([hostBits, hostBitsExcept, prefixZeros]).filter((f) => f.rule.startsWith('ipblock-'));
  expect(findings.map((f) => [f.rule, f.severity, f.path, f.fix])).toEqual([
    ['ipblock-host-bits', 'error', 'spec.egress[0].to[0].ipBlock.cidr', 'write 10.0.0.0/8 for the whole block, or 10.0.0.5/32 for the one address'],
    ['ipblock-leading-zeros', 'error', 'spec.egress[0].to[0].ipBlock.cidr', 'write 10.0.0.0/8'],
    ['ipblock-host-bits', 'error', 'spec.egress[0].to[0].ipBlock.except[1]',
      'write 192.168.0.0/16 for the whole block, or 192.168.1.1/32 for the one address'],
  ]);
  expect(findings[0].message).toBe('10.0.0.5/8 has bits set beyond its prefix length: Kubernetes 1.36 and later refuse it in ipBlock by default (KEP-4858 '
    + 'strict IP validation), so the API server rejects the policy; earlier versions accept it (from 1.33 with an API warning); Kubernetes before 1.36 read it as '
    + '10.0.0.0/8, which a reader (or a network plugin) may take for the one address');
  expect(findings[1].message).toBe('10.0.0.0/08 has leading zeros in its prefix length: Kubernetes 1.36 and later refuse it in ipBlock by default (KEP-4858 '
    + 'strict IP validation), so the API server rejects the policy; earlier versions accept it (from 1.33 with an API warning); Kubernetes before 1.36 '
    + 'accepted them');
});

test('PolicyLint: a mapped address under a prefix shorter than 96 is ipblock-ipv4-mapped, as the API server reports it, with the IPv6 network', () => {
  // apimachinery util/validation ip.go parseCIDR checks Is4In6 before the host bits (ip_test.go "ipv4-in-ipv6 with ipv4-sized prefix").
  const shortMapped = egressTo('web-egress', { cidr: '::ffff:1.1.1.0/24' });
  expectValidManifests([shortMapped]);
  expect(PolicyLint.check([shortMapped]).filter((f) => f.rule.startsWith('ipblock-')).map((f) => [f.rule, f.path, f.fix])).toEqual([
    ['ipblock-ipv4-mapped', 'spec.egress[0].to[0].ipBlock.cidr', 'write ::/24 (the IPv6 network Kubernetes before 1.36 read it as), or the IPv4 block meant'],
  ]);
});

test('PolicyLint and the analysis: ::1.2.3.4/128 (an IPv6 address with a dotted tail, not IPv4-mapped) is no KEP-4858 problem', () => {
  const dotted = egressTo('web-egress', { cidr: '::1.2.3.4/128' });
  expectValidManifests([dotted]);
  expect(PolicyLint.check([dotted]).filter((f) => f.rule.startsWith('ipblock-'))).toEqual([]);
  const reach = Reachability.fromManifests([...base, dotted], options);
  expect(reach.notes.filter((n) => n.includes('KEP-4858'))).toEqual([]);
  // ::102:304, not the IPv4 address 1.2.3.4.
  expect(reach.check(web, Target.external('1.2.3.4'), https).verdict).toBe(Verdict.DENY);
  expect(reach.check(web, Target.external('::102:304'), https).verdict).toBe(Verdict.ALLOW);
});

describe('non-canonical IPv6 text stays valid in ipBlock from 1.36 (legacy field: the API server only warns, KEP-4858 Non-Goals)', () => {
  // apimachinery util/validation ip_test.go TestIsValidCIDR: "2001:DB8::/64" and "2a00:79e0:2:0::/64"
  // fail only the canonical-form check of new fields, never IsValidCIDRForLegacyField.
  const v6 = (name: string, cidr: string) => egressTo(name, { cidr });
  const policies = [v6('upper', '2001:DB8::/32'), v6('padded', '2001:0db8::/32')];

  test.each(policies.map((p) => [p.metadata.name, p]))('%s: evaluated as applied, exact verdicts', (_name, policy) => {
    expectValidManifests([...base, policy]);
    const reach = Reachability.fromManifests([...base, policy], options);
    expect(reach.notes.filter((n) => n.includes('KEP-4858'))).toEqual([]);
    expect(reach.check(web, Target.external('2001:db8::1'), https).verdict).toBe(Verdict.ALLOW);
    expect(reach.check(web, Target.external('2001:db9::1'), https).verdict).toBe(Verdict.DENY);
  });

  test('PolicyLint reports none of them', () => {
    expect(PolicyLint.check(policies).filter((f) => f.rule.startsWith('ipblock-'))).toEqual([]);
  });
});

test('other kinds refuse leading zeros outright (Go parsers, Calico and Cilium validation, CEL isCIDR): invalid, left out', () => {
  const calico = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'deny-ten' },
    spec: { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['010.0.0.0/8'] } }] },
  };
  const reach = Reachability.fromManifests([...base, calico], { cni: Cni.calico() });
  expect(reach.notes.find((n) => n.startsWith('GlobalNetworkPolicy deny-ten is invalid'))).toContain('spec.egress[0].destination.nets[0]');
  expect(reach.check(web, Target.external('10.1.2.3'), https).verdict).toBe(Verdict.ALLOW);
});
