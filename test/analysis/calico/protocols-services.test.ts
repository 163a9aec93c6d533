/**
 * Rule protocols and Service matches as libcalico-go validates them (lib/validator/v3/validator.go
 * validateProtocol with `protocolRegex` `^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$`, numorstring
 * Uint8OrString decoding; validateEntityRule and validateGlobalNetworkPolicySpec for `services`).
 */
import { cnp, evaluate, gnp, ingress, pod } from './helpers';
import { validateManifest } from '../../../src/analysis/validation';
import { NO, YES } from '../../../src/analysis/verdict';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11' });
const policy = (...ingressRules: any[]) => cnp('shop', 'web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: ingressRules });

describe('protocol names are case-sensitive; numbers are 1-255, as a JSON number or a decimal string', () => {
  test('tcp, Tcp, udplite, any and 0 are rejected; 256 and 6.5 do not decode', () => {
    const p = policy(
      { action: 'Allow', protocol: 'tcp', destination: { ports: [80] } },
      { action: 'Allow', protocol: 'Tcp', destination: { ports: [80] } },
      { action: 'Allow', notProtocol: 'udplite' },
      { action: 'Allow', protocol: 'any' },
      { action: 'Allow', protocol: 0 },
      { action: 'Allow', protocol: '0' },
      { action: 'Allow', protocol: 256 },
      { action: 'Allow', protocol: 6.5 },
    );
    expect(validateManifest(p)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.ingress[0].protocol', message: "'tcp' is not a protocol name Calico accepts: names are case-sensitive, write 'TCP'" },
        { path: 'spec.ingress[1].protocol', message: "'Tcp' is not a protocol name Calico accepts: names are case-sensitive, write 'TCP'" },
        // Protocol.SupportsPorts knows the v1 spellings tcp/udp/sctp only.
        { path: 'spec.ingress[1].protocol', message: 'rules with ports need protocol TCP, UDP or SCTP' },
        { path: 'spec.ingress[2].notProtocol', message: "'udplite' is not a protocol name Calico accepts: names are case-sensitive, write 'UDPLite'" },
        { path: 'spec.ingress[3].protocol', message: "'any' is not a protocol Calico knows (TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255)" },
        { path: 'spec.ingress[4].protocol', message: 'protocol number 0 is invalid (1-255)' },
        { path: 'spec.ingress[5].protocol', message: 'protocol number 0 is invalid (1-255)' },
        { path: 'spec.ingress[6].protocol', message: 'protocol number 256 is not an integer 1-255' },
        { path: 'spec.ingress[7].protocol', message: 'protocol number 6.5 is not an integer 1-255' },
      ],
    });
  });

  test('the model skips a policy with a lowercase protocol instead of reading it as TCP', () => {
    const deny = policy({ action: 'Deny', protocol: 'tcp', destination: { ports: [8080] } }, { action: 'Allow' });
    const v = evaluate([deny], ingress(api, web, 8080));
    expect(v.outcome).toBe(YES);
    expect(v.reasons.filter((r) => r.effect === 'log').map((r) => r.message)).toEqual([
      "note: NetworkPolicy shop/web-in would be rejected by Calico and is not applied: spec.ingress[0].protocol: 'tcp' is not a protocol name Calico accepts: names are case-sensitive, write 'TCP'",
    ]);
  });

  test('6, "6" and "006" are TCP (ports allowed); 17 is UDP', () => {
    for (const protocol of [6, '6', '006']) {
      const p = policy({ action: 'Deny', protocol, destination: { ports: [8080] } }, { action: 'Allow' });
      expect(validateManifest(p)).toBeUndefined();
      expect(evaluate([p], ingress(api, web, 8080)).outcome).toBe(NO);
      expect(evaluate([p], ingress(api, web, 8080, 'UDP')).outcome).toBe(YES);
    }
    const udp = policy({ action: 'Deny', protocol: 17 }, { action: 'Allow' });
    expect([evaluate([udp], ingress(api, web, 53, 'UDP')).outcome, evaluate([udp], ingress(api, web, 53)).outcome]).toEqual([NO, YES]);
  });
});

describe('services: a name is required, and a GlobalNetworkPolicy must give its namespace', () => {
  test('an empty or missing name is rejected in any policy', () => {
    const p = cnp('shop', 'to-db', {
      selector: "app == 'web'",
      types: ['Egress'],
      egress: [{ action: 'Allow', destination: { services: { name: '' } } }, { action: 'Allow', destination: { services: { namespace: 'shop' } } }],
    });
    expect(validateManifest(p)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.egress[0].destination.services.name', message: 'must specify a service name' },
        { path: 'spec.egress[1].destination.services.name', message: 'must specify a service name' },
      ],
    });
  });

  test('a namespaced NetworkPolicy may leave the namespace out (its own namespace is used)', () => {
    const p = cnp('shop', 'to-db', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'db' } } }] });
    expect(validateManifest(p)).toBeUndefined();
  });

  test('a GlobalNetworkPolicy without the namespace is rejected, in egress destinations and ingress sources', () => {
    const g = gnp('svc', {
      selector: "app == 'web'",
      egress: [{ action: 'Allow', destination: { services: { name: 'db' } } }, { action: 'Allow', destination: { services: { name: 'db', namespace: 'shop' } } }],
      ingress: [{ action: 'Allow', source: { services: { name: 'lb', namespace: '' } } }],
    });
    expect(validateManifest(g)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.ingress[0].source.services.namespace', message: 'must specify a namespace in a GlobalNetworkPolicy' },
        { path: 'spec.egress[0].destination.services.namespace', message: 'must specify a namespace in a GlobalNetworkPolicy' },
      ],
    });
  });
});

describe('types: each at most once (validateNetworkPolicySpec, validateGlobalNetworkPolicySpec)', () => {
  test('a repeated type is rejected', () => {
    const p = cnp('shop', 'twice', { selector: 'all()', types: ['Ingress', 'Ingress'], ingress: [{ action: 'Allow' }] });
    expect(validateManifest(p)).toEqual({
      rejectedBy: 'Calico',
      problems: [{ path: 'spec.types[1]', message: "'Ingress' type specified more than once" }],
    });
    expect(validateManifest(gnp('both', { selector: 'all()', types: ['Ingress', 'Egress'] }))).toBeUndefined();
  });
});

describe('HTTP matches (validateHTTPRule) and preDNAT types (validateGlobalNetworkPolicySpec)', () => {
  test('duplicate methods, paths with both or neither of exact/prefix, and paths not starting with / are rejected', () => {
    const p = policy({
      action: 'Allow',
      http: {
        methods: ['GET', 'GET'],
        paths: [{ exact: '/a', prefix: '/b' }, {}, { prefix: 'api' }, { exact: '/x?y=1' }, { prefix: '/ok' }],
      },
    });
    expect(validateManifest(p)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.ingress[0].http.methods', message: 'lists a method more than once' },
        { path: 'spec.ingress[0].http.paths[0]', message: "sets both 'exact' and 'prefix'" },
        { path: 'spec.ingress[0].http.paths[1]', message: "must set 'exact' or 'prefix'" },
        { path: 'spec.ingress[0].http.paths[2]', message: "'api' must start with '/' and not contain '?', ' ' or '#'" },
        { path: 'spec.ingress[0].http.paths[3]', message: "'/x?y=1' must start with '/' and not contain '?', ' ' or '#'" },
      ],
    });
  });

  test('a preDNAT GlobalNetworkPolicy cannot have the Egress type', () => {
    const g = gnp('pre', { selector: 'all()', preDNAT: true, applyOnForward: true, types: ['Ingress', 'Egress'], ingress: [{ action: 'Deny' }] });
    expect(validateManifest(g)).toEqual({ rejectedBy: 'Calico', problems: [{ path: 'spec.types', message: "a preDNAT policy cannot have the 'Egress' type" }] });
  });
});

describe("Calico's own tiers keep their default action (Tier CRD CEL rules, v3_projectcalico_org.yaml)", () => {
  test("a 'default' Tier with Pass, or a 'kube-admin' Tier without Pass, is rejected", () => {
    const tierObject = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec });
    expect(validateManifest(tierObject('default', { order: 1000000, defaultAction: 'Pass' }))).toEqual({
      rejectedBy: 'Calico', problems: [{ path: 'spec.defaultAction', message: "the 'default' tier must have default action 'Deny'" }],
    });
    expect(validateManifest(tierObject('kube-admin', { order: 1000 }))).toEqual({
      rejectedBy: 'Calico', problems: [{ path: 'spec.defaultAction', message: "the 'kube-admin' tier must have default action 'Pass' (omitted, it defaults to Deny)" }],
    });
    expect(validateManifest(tierObject('default', { order: 1000000 }))).toBeUndefined();
    expect(validateManifest(tierObject('kube-baseline', { order: 10000000, defaultAction: 'Pass' }))).toBeUndefined();
    expect(validateManifest(tierObject('platform', { order: 100, defaultAction: 'Pass' }))).toBeUndefined();
  });
});
