/**
 * Calico rules that libcalico-go's validator (lib/validator/v3/validator.go, validateRule and the
 * `net` tag of EntityRule nets/notNets) rejects are dropped, with the problem, by both the
 * validation and the model; what it accepts is evaluated.
 */
import { cnp, evaluate, external, gnp, ingress, pod } from './helpers';
import { validateManifest } from '../../../src/analysis/validation';
import { NO, YES } from '../../../src/analysis/verdict';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const policy = (...ingressRules: any[]) => cnp('shop', 'web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: ingressRules });

describe('rule nets and notNets (validateRule scanNets, EntityRule `net` tag)', () => {
  test('bare IPs, host bits, mixed IP families and ipVersion mismatches are rejected', () => {
    const p = policy(
      { action: 'Allow', source: { nets: ['10.0.0.1'] } },
      { action: 'Allow', source: { notNets: ['10.0.0.1/24'] } },
      { action: 'Allow', source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['fd00::/8'] } },
      { action: 'Allow', destination: { nets: ['10.0.0.0/8', '::/0'] } },
      { action: 'Allow', ipVersion: 6, source: { nets: ['10.0.0.0/8'] } },
      { action: 'Allow', protocol: 'ICMP', ipVersion: 6 },
      { action: 'Allow', notProtocol: 'ICMPv6', ipVersion: 4 },
    );
    expect(validateManifest(p)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.ingress[0].source.nets[0]', message: "'10.0.0.1' has no prefix length: a rule's nets and notNets must be CIDRs" },
        { path: 'spec.ingress[1].source.notNets[0]', message: "'10.0.0.1/24' has host bits set (the network is '10.0.0.0/24')" },
        { path: 'spec.ingress[2].destination.notNets', message: 'the rule mixes IPv4 and IPv6 CIDRs' },
        { path: 'spec.ingress[3].destination.nets', message: 'the rule mixes IPv4 and IPv6 CIDRs' },
        { path: 'spec.ingress[4].source.nets', message: 'IPv4 CIDRs do not match ipVersion 6' },
        { path: 'spec.ingress[5].ipVersion', message: 'must be 4 with protocol ICMP' },
        { path: 'spec.ingress[6].ipVersion', message: 'must be 6 with notProtocol ICMPv6' },
      ],
    });
  });

  test('the whole/zero prefixes in notNets, one family per rule and a matching ipVersion are valid', () => {
    expect(validateManifest(policy(
      { action: 'Deny', source: { notNets: ['0.0.0.0/0'] } },
      { action: 'Deny', ipVersion: 6, source: { notNets: ['::/0'] }, destination: { nets: ['fd00::/8'] } },
      { action: 'Allow', protocol: 'ICMPv6', ipVersion: 6 },
      { action: 'Allow', source: { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] }, destination: { nets: ['10.1.0.10/32'] } },
    ))).toBeUndefined();
  });

  test.each([
    ['a bare IP', { action: 'Deny', source: { nets: ['10.2.0.1'] } }, "spec.ingress[0].source.nets[0]: '10.2.0.1' has no prefix length: a rule's nets and notNets must be CIDRs"],
    ['a mixed-family rule', { action: 'Deny', source: { nets: ['10.2.0.0/16'], notNets: ['fd00::/8'] } }, 'spec.ingress[0].source.notNets: the rule mixes IPv4 and IPv6 CIDRs'],
    ['an ipVersion mismatch', { action: 'Deny', ipVersion: 6, source: { nets: ['10.2.0.0/16'] } }, 'spec.ingress[0].source.nets: IPv4 CIDRs do not match ipVersion 6'],
  ])('the model skips a policy with %s, with the reason', (_label, rule, why) => {
    const v = evaluate([policy(rule)], ingress(external('10.2.0.1'), web, 8080));
    // Without the (rejected) policy nothing isolates web.
    expect(v.outcome).toBe(YES);
    expect(v.reasons.filter((r) => r.effect === 'log').map((r) => r.message))
      .toEqual([`note: NetworkPolicy shop/web-in would be rejected by Calico and is not applied: ${why}`]);
  });

  test('a valid notNets 0.0.0.0/0 rule is evaluated (it matches no IPv4 peer)', () => {
    const v = evaluate([policy({ action: 'Allow', source: { notNets: ['0.0.0.0/0'] } })], ingress(external('10.2.0.1'), web, 8080));
    expect(v.outcome).toBe(NO);
  });
});

describe('global() outside a rule namespaceSelector (validateEntityRule, validate[Global]NetworkPolicySpec)', () => {
  const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11' });

  test('global() in policy selectors and rule selectors is rejected, and a namespaceSelector may only be global() itself', () => {
    const g = gnp('g', {
      selector: "global() || app == 'web'",
      serviceAccountSelector: 'global()',
      namespaceSelector: '!global()',
      ingress: [
        { action: 'Allow', source: { selector: 'global()' } },
        { action: 'Allow', source: { namespaceSelector: "global() || env == 'dev'" } },
        { action: 'Allow', source: { namespaceSelector: ' global() ' }, destination: { notSelector: 'global()' } },
      ],
    });
    expect(validateManifest(g)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.selector', message: "global() can only be used in a rule's namespaceSelector" },
        { path: 'spec.serviceAccountSelector', message: "global() can only be used in a rule's namespaceSelector" },
        { path: 'spec.namespaceSelector', message: "global() can only be used in a rule's namespaceSelector" },
        { path: 'spec.ingress[0].source.selector', message: "global() can only be used in a rule's namespaceSelector" },
        { path: 'spec.ingress[1].source.namespaceSelector', message: 'global() cannot be combined with other selectors' },
      ],
    });
  });

  test('the model skips such a policy with the reason', () => {
    const p = policy({ action: 'Deny', source: { selector: 'global()' } });
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.outcome).toBe(YES);
    expect(v.reasons.filter((r) => r.effect === 'log').map((r) => r.message)).toEqual([
      "note: NetworkPolicy shop/web-in would be rejected by Calico and is not applied: spec.ingress[0].source.selector: global() can only be used in a rule's namespaceSelector",
    ]);
  });

  test('a notSelector of global() (accepted) excludes every endpoint: libcalico-go evaluates global() as true there', () => {
    const p = policy({ action: 'Allow', source: { notSelector: 'global()' } });
    expect(validateManifest(p)).toBeUndefined();
    const fromPod = evaluate([p], ingress(api, web, 8080));
    expect(fromPod.outcome).toBe(NO);
    expect(fromPod.reasons[0].effect).toBe('isolate');
    // In a GlobalNetworkPolicy (no namespace scope), an address outside every endpoint and network set is not excluded.
    const g = gnp('web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { notSelector: 'global()' } }] });
    expect(evaluate([g], ingress(api, web, 8080)).outcome).toBe(NO);
    expect(evaluate([g], ingress(external('203.0.113.7'), web, 8080)).outcome).toBe(YES);
  });
});
