/**
 * Property: bad props always fail at construction time (nothing is ever synthesized) with an Error
 * that names the construct path (`[test/...]`), the prop and the bad value (DESIGN.md "Bad input
 * fails at synth time with a message naming construct path, prop and bad value"); the companion
 * properties check that valid values of the same props never throw and synthesize valid objects.
 */
import * as fc from 'fast-check';
import { Cni, Peer, Port, TenantIsolation, TrafficPolicy, ZeroTrustNamespace } from '../../src';
import { invalidIpv4Cidr, validIpv4Cidr } from './support/cidr';
import { runs } from './support/config';
import { dnsLabel, invalidDnsLabel, maxLengthDnsLabel } from './support/dns';
import { chartFor, synthValid } from '../support/synth';

const NUM_RUNS = 100;

const cnis = fc.constantFrom(() => Cni.kubernetes(), () => Cni.calico(), () => Cni.cilium());

/** Numbers that are not TCP/UDP ports: 0, negatives, above 65535, non-integers, NaN, infinities. */
const invalidPortNumber = fc
  .oneof(
    fc.constant(0),
    fc.integer({ min: -1_000_000, max: -1 }),
    fc.integer({ min: 65536, max: 10_000_000 }),
    fc.double({ min: -70000, max: 70000, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  )
  .filter((n) => !(Number.isInteger(n) && n >= 1 && n <= 65535));
const validPortNumber = fc.integer({ min: 1, max: 65535 });
const protocol = fc.constantFrom(Port.tcp, Port.udp);

/** Run `build`; return the error it throws, or fail when it throws nothing (or a non-Error). */
function errorOf(build: () => void): Error {
  try {
    build();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error('expected an Error, but construction succeeded');
}

/** Escape a value for use inside a RegExp. */
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Assert `[path] prop: ...value...`, where path is exactly `path` or below it when `below`. */
function expectPropError(e: Error, path: string, prop: string, value: string, below = false): void {
  const head = new RegExp(`^\\[${re(path)}${below ? '(/[^\\]]+)?' : ''}\\] ${re(prop)}: `);
  if (!head.test(e.message) || !e.message.includes(value)) {
    throw new Error(`error message does not name [${path}${below ? '/...' : ''}] ${prop} and '${value}': ${e.message}`);
  }
}

describe('invalid ports', () => {
  // The user sets `monitoringPorts` / `ingressControllerPorts` / `internetEgressPorts`; the error
  // names the pattern construct and exactly that prop and index.
  const placed = fc.record({
    bad: invalidPortNumber,
    before: fc.array(validPortNumber, { maxLength: 2 }),
    make: protocol,
    cni: cnis,
    option: fc.constantFrom<'monitoringPorts' | 'ingressControllerPorts' | 'internetEgressPorts'>(
      'monitoringPorts',
      'ingressControllerPorts',
      'internetEgressPorts',
    ),
  });

  test('ports outside 1-65535 (0, negative, non-integer, NaN, infinite) always throw, naming path, index and value', () => {
    fc.assert(
      fc.property(placed, ({ bad, before, make, cni, option }) => {
        const ports = [...before.map((n) => make(n)), make(bad)];
        const chart = chartFor(cni());
        const e = errorOf(() => {
          if (option === 'internetEgressPorts') {
            new TenantIsolation(chart, 'ti', { tenants: ['acme'], allowInternetEgress: true, internetEgressPorts: ports });
          } else {
            new ZeroTrustNamespace(chart, 'zt', { name: 'web', [option]: ports });
          }
        });
        const construct = option === 'internetEgressPorts' ? 'test/ti' : 'test/zt';
        expectPropError(e, construct, `${option}[${before.length}]`, `port ${String(bad)} `);
        if (!e.message.includes('1-65535')) throw new Error(`message does not state the range: ${e.message}`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('ports inside 1-65535 never throw and synthesize valid objects', () => {
    fc.assert(
      fc.property(fc.array(validPortNumber, { minLength: 1, maxLength: 3 }), protocol, cnis, (numbers, make, cni) => {
        const chart = chartFor(cni());
        const ports = numbers.map((n) => make(n));
        new ZeroTrustNamespace(chart, 'zt', { name: 'web', monitoringPorts: ports, ingressControllerPorts: ports });
        new TenantIsolation(chart, 'ti', { tenants: ['acme'], allowInternetEgress: true, internetEgressPorts: ports });
        synthValid(chart);
      }),
      runs(NUM_RUNS / 2),
    );
  });
});

describe('invalid CIDRs', () => {
  const clusterProp = fc.constantFrom('podCidrs', 'serviceCidrs', 'metadataCidrs', 'apiServerCidrs');

  test('ClusterNetwork CIDR props reject bad octets, prefix > 32, host bits and garbage', () => {
    fc.assert(
      fc.property(clusterProp, invalidIpv4Cidr, fc.array(validIpv4Cidr, { maxLength: 2 }), cnis, (prop, bad, before, cni) => {
        const e = errorOf(() => chartFor(cni(), { [prop]: [...before, bad] }));
        expectPropError(e, 'test/cluster', `${prop}[${before.length}]`, `'${bad}'`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('Peer.cidr rejects the same, in the block and in its except list', () => {
    fc.assert(
      fc.property(invalidIpv4Cidr, fc.boolean(), cnis, (bad, inExcept, cni) => {
        const chart = chartFor(cni());
        const peer = inExcept ? Peer.cidr('0.0.0.0/0', [bad]) : Peer.cidr(bad);
        const e = errorOf(() => new TrafficPolicy(chart, 'policy', { name: 'p', namespace: 'web', egress: [{ peers: [peer] }] }));
        expectPropError(e, 'test/policy', `egress[0].peers[0].${inExcept ? 'except[0]' : 'cidr'}`, `'${bad}'`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('valid CIDRs never throw (ClusterNetwork and Peer.cidr) and synthesize valid objects', () => {
    fc.assert(
      fc.property(
        fc.array(validIpv4Cidr, { minLength: 1, maxLength: 3 }),
        // 169.254.169.254/32 alone is refused on purpose (it is the metadata service).
        validIpv4Cidr.filter((c) => c !== '169.254.169.254/32'),
        cnis,
        (cidrs, peerCidr, cni) => {
          // A service CIDR needs room for the kube-dns ClusterIP (its 10th address): /28 or larger.
          const serviceCidrs = cidrs.filter((c) => Number(c.split('/')[1]) <= 28);
          const chart = chartFor(cni(), { podCidrs: cidrs, apiServerCidrs: cidrs, ...(serviceCidrs.length > 0 ? { serviceCidrs } : {}) });
          new TrafficPolicy(chart, 'policy', { name: 'p', namespace: 'web', egress: [{ peers: [Peer.cidr(peerCidr)] }] });
          synthValid(chart);
        },
      ),
      runs(NUM_RUNS / 2),
    );
  });
});

describe('invalid names', () => {
  test('non-DNS-1123 tenant names throw naming tenants[i]', () => {
    fc.assert(
      fc.property(fc.uniqueArray(dnsLabel(), { maxLength: 3 }), invalidDnsLabel, cnis, (good, bad, cni) => {
        const e = errorOf(() => new TenantIsolation(chartFor(cni()), 'ti', { tenants: [...good, bad] }));
        expectPropError(e, 'test/ti', `tenants[${good.length}]`, `'${bad}'`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('non-DNS-1123 namespace names throw naming namespaces.<tenant>[j] (TenantIsolation) and name (ZeroTrustNamespace)', () => {
    fc.assert(
      fc.property(dnsLabel(), fc.uniqueArray(dnsLabel(), { maxLength: 2 }), invalidDnsLabel, cnis, (tenant, good, bad, cni) => {
        const namespaces = { [tenant]: [...good, bad] };
        const e = errorOf(() => new TenantIsolation(chartFor(cni()), 'ti', { tenants: [tenant], namespaces }));
        expectPropError(e, 'test/ti', `namespaces.${tenant}[${good.length}]`, `'${bad}'`);
        const z = errorOf(() => new ZeroTrustNamespace(chartFor(cni()), 'zt', { name: bad }));
        expectPropError(z, 'test/zt', 'name', `'${bad}'`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('duplicate tenants throw naming the second occurrence', () => {
    fc.assert(
      fc.property(fc.uniqueArray(dnsLabel(), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), cnis, (names, pick, at, cni) => {
        const dup = names[pick % names.length];
        const tenants = [...names];
        const first = names.indexOf(dup);
        // Insert the duplicate somewhere after its first occurrence.
        const position = first + 1 + (at % (tenants.length - first));
        tenants.splice(position, 0, dup);
        const e = errorOf(() => new TenantIsolation(chartFor(cni()), 'ti', { tenants }));
        expectPropError(e, 'test/ti', `tenants[${position}]`, `'${dup}'`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('a namespace claimed by two tenants throws naming the second claim and the owner', () => {
    fc.assert(
      fc.property(fc.uniqueArray(dnsLabel(), { minLength: 3, maxLength: 5 }), fc.boolean(), cnis, (names, viaDefault, cni) => {
        const [a, b, ...rest] = names;
        // Tenant a owns either its default namespace (its own name) or the explicit list `rest`.
        const shared = viaDefault ? a : rest[rest.length - 1];
        const namespaces = viaDefault ? { [b]: [...rest, shared] } : { [a]: rest, [b]: [shared] };
        const position = namespaces[b].length - 1;
        const e = errorOf(() => new TenantIsolation(chartFor(cni()), 'ti', { tenants: [a, b], namespaces }));
        expectPropError(e, 'test/ti', `namespaces.${b}[${position}]`, `'${shared}'`);
        if (!e.message.includes(`'${a}'`)) throw new Error(`message does not name the owning tenant '${a}': ${e.message}`);
      }),
      runs(NUM_RUNS),
    );
  });

  test('valid names (1 to 63 characters) never throw and synthesize valid objects', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(dnsLabel(), maxLengthDnsLabel), { minLength: 2, maxLength: 4 }), cnis, (names, cni) => {
        const chart = chartFor(cni());
        const [tenant, ...namespaces] = names;
        new TenantIsolation(chart, 'ti', { tenants: [tenant], namespaces: { [tenant]: namespaces } });
        synthValid(chart);
      }),
      runs(NUM_RUNS / 2),
    );
  });
});
