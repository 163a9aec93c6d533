import { cnp, egress, evaluate, external, ingress, NAMESPACES, pod } from './helpers';
import { calicoModel, parseCalicoSelector } from '../../../src/analysis/calico';
import { MAYBE, NO, YES } from '../../../src/analysis/verdict';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11' });

describe('Calico selector sets (libcalico-go lib/selector/parser parseOperation)', () => {
  // The set literal loop reads a string, then a comma, and stops at the first token that is not a
  // string: a trailing comma before `}` is accepted, a leading or doubled comma is not.
  test('a trailing comma in a set literal is accepted', () => {
    expect(parseCalicoSelector("app in {'web',}").matches({ app: 'web' })).toBe(true);
    expect(parseCalicoSelector("app in {'web', 'api' , }").matches({ app: 'api' })).toBe(true);
    expect(parseCalicoSelector("app in {'web',}").matches({ app: 'db' })).toBe(false);
    expect(parseCalicoSelector("app not in {'web',}").matches({ app: 'web' })).toBe(false);
    expect(parseCalicoSelector("app not in {'web',}").matches({})).toBe(true);
  });

  test.each([
    ['app in {,}', "expected '}' at position 8"],
    ["app in {'a',,}", "expected '}' at position 12"],
    ['app in {a}', "expected '}' at position 8"],
  ])('rejects %p', (expr, message) => {
    expect(() => parseCalicoSelector(expr)).toThrow(`invalid Calico selector '${expr}': ${message}`);
  });

  test('a policy whose selector has a trailing comma is applied, not skipped', () => {
    const p = cnp('shop', 'isolate', {
      selector: "app in {'web',}",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { selector: "app in {'api',}" } }],
    });
    const allowed = evaluate([p], ingress(api, web, 8080));
    expect(allowed.outcome).toBe(YES);
    expect(allowed.reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.ingress[0]', object: { kind: 'NetworkPolicy', name: 'isolate' } });
    const denied = evaluate([p], ingress(external('203.0.113.7'), web, 8080));
    expect(denied.outcome).toBe(NO);
    expect(denied.reasons[0].effect).toBe('isolate');
  });
});

describe('icmp / notICMP on a rule that can match TCP, UDP or SCTP', () => {
  // Felix renders notICMP as an ICMP type match with no protocol check of its own (iptables
  // `-m icmp ! --icmp-type N`, nftables `icmp type != N`, eBPF: a compare of the ICMP-type byte of
  // its packet state). For non-ICMP traffic the result differs by dataplane, so it is unknown.
  const rule = (extra: Record<string, unknown>) => cnp('shop', 'deny-but-ping', {
    selector: "app == 'web'",
    types: ['Ingress'],
    ingress: [{ action: 'Deny', ...extra }, { action: 'Allow' }],
  });
  const why = (field: string, protocol: string) => 'NetworkPolicy shop/deny-but-ping spec.ingress[0] (Deny): '
    + `${field}: Felix matches the ICMP type without checking the protocol, and whether that matches ${protocol} traffic `
    + 'depends on the dataplane (iptables, nftables or eBPF)';

  test.each([
    ['no protocol', { notICMP: { type: 8 } }],
    ['protocol TCP', { protocol: 'TCP', notICMP: { type: 8, code: 0 } }],
  ])('notICMP with %s: TCP is indeterminate, not a quiet Deny', (_label, extra) => {
    const v = evaluate([rule(extra)], ingress(api, web, 8080));
    expect(v.outcome).toBe(MAYBE);
    expect(v.uncertain).toEqual([why('notICMP', 'TCP')]);
  });

  test('UDP and SCTP are indeterminate too; egress rules likewise', () => {
    expect(evaluate([rule({ notICMP: { type: 8 } })], ingress(api, web, 53, 'UDP')).uncertain).toEqual([why('notICMP', 'UDP')]);
    expect(evaluate([rule({ notICMP: { type: 8 } })], ingress(api, web, 9, 'SCTP')).outcome).toBe(MAYBE);
    const out = cnp('shop', 'deny-but-ping', {
      selector: "app == 'api'",
      types: ['Egress'],
      egress: [{ action: 'Deny', notICMP: { type: 8 } }, { action: 'Allow' }],
    });
    expect(evaluate([out], egress(api, web, 8080)).outcome).toBe(MAYBE);
  });

  test('icmp on a rule without an ICMP protocol is indeterminate as well', () => {
    const v = evaluate([rule({ icmp: { type: 8 } })], ingress(api, web, 8080));
    expect(v.outcome).toBe(MAYBE);
    expect(v.uncertain).toEqual([why('icmp', 'TCP')]);
  });

  test('a rule restricted to ICMP never matches TCP, whatever its ICMP fields', () => {
    const v = evaluate([rule({ protocol: 'ICMP', notICMP: { type: 8 } })], ingress(api, web, 8080));
    expect(v.outcome).toBe(YES);
    expect(v.reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.ingress[1]' });
  });

  test('the fast path agrees', () => {
    const model = calicoModel([rule({ notICMP: { type: 8 } })], NAMESPACES);
    expect(model.decide(ingress(api, web, 8080))).toBe(MAYBE);
    expect(calicoModel([rule({ protocol: 'ICMP', notICMP: { type: 8 } })], NAMESPACES).decide(ingress(api, web, 8080))).toBe(YES);
  });
});
