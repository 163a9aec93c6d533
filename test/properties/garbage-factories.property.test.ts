/**
 * Property: every static factory of the policy model and the cluster context (Peer.*, Port.*,
 * Cni.*), given JavaScript-level garbage for one argument, either fails with a ValidationError
 * naming the factory (`[Peer.pods] labels: ...`) or the construct that uses the value
 * (`[test/p] egress[0].peers[0]...`), or accepts a value of the declared type only, and then renders
 * exactly what that typed value means (exact objects, never a wider peer).
 */
import * as fc from 'fast-check';
import { Cni, LabelOperator, Peer, Port, Protocol, TrafficPolicy } from '../../src';
import { IPV4_METADATA } from '../support/metadata';
import { chartFor, find, synthValid } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap, mapOf, scalarGarbage } from './support/garbage';

const NUM_RUNS = 80;

/** The `to` list of an egress policy in namespace `a` to `peer`, as NetworkPolicy (or CNP on Cilium). */
function egressTo(peer: Peer, cni: Cni = Cni.kubernetes()): any[] {
  const chart = chartFor(cni);
  new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'a', egress: [{ peers: [peer] }] });
  const objects = synthValid(chart);
  return objects.find((o) => o.metadata.name === 'p')!.spec.egress[0].to ?? objects.find((o) => o.metadata.name === 'p')!.spec.egress;
}

/** `{matchLabels}` of a label map, `{}` for none (the NetworkPolicy selector the labels mean). */
const selector = (labels: Record<string, string>) => (Object.keys(labels).length === 0 ? {} : { matchLabels: labels });
const sortKeys = (labels: Record<string, string>) => Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
const NS_LABEL = 'kubernetes.io/metadata.name';

/** Label maps: garbage, and maps with special keys and string values (the valid ones must render exactly). */
const labels = fc.oneof(garbage, mapOf(fc.constantFrom('web', 'x', 'acme')), fc.constant({}), fc.constant({ app: 'web', tier: 'db' }));

describe('Peer factories', () => {
  test('Peer.pods(labels, namespace): a named error, or exactly those pod labels in that namespace', () => {
    fc.assert(fc.property(labels, fc.oneof(garbage, fc.constantFrom('shop', undefined)), fc.boolean(), (l, ns, garbageIsLabels) => {
      const [labelsArg, nsArg] = garbageIsLabels ? [l, 'shop'] : [{ app: 'web' }, ns];
      expectNamedOrTyped([labelsArg, nsArg], ['Peer.pods', 'test/p'], ([a, b]: any) => egressTo(Peer.pods(a, b)),
        ([a, b]: any) => isStringMap(a) && (b === undefined || typeof b === 'string'),
        (to, [a, b]: any) => {
          const pods = Object.keys(a).length ? { podSelector: selector(sortKeys(a)) } : {};
          expect(to).toEqual(b === undefined || b === 'a'
            ? [{ podSelector: selector(sortKeys(a)) }]
            : [{ namespaceSelector: { matchLabels: { [NS_LABEL]: b } }, ...pods }]);
        });
    }), runs(NUM_RUNS));
  });

  test('Peer.namespace(name): a named error, or every pod of exactly that namespace (never the policy\'s own by default)', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constantFrom('shop', 'a')), (name) => {
      expectNamedOrTyped(name, ['Peer.namespace', 'test/p'], (n: any) => egressTo(Peer.namespace(n)),
        (n) => typeof n === 'string' && n.trim().length > 0,
        (to, n) => expect(to).toEqual(n === 'a' ? [{ podSelector: {} }] : [{ namespaceSelector: { matchLabels: { [NS_LABEL]: n } } }]));
    }), runs(NUM_RUNS));
  });

  test('Peer.namespaces(namespaceLabels, podLabels): a named error, or exactly those selectors (undefined is never "every namespace")', () => {
    fc.assert(fc.property(labels, fc.oneof(labels, fc.constant(undefined)), (nsLabels, podLabels) => {
      expectNamedOrTyped([nsLabels, podLabels], ['Peer.namespaces', 'test/p'], ([a, b]: any) => egressTo(Peer.namespaces(a, b)),
        ([a, b]: any) => isStringMap(a) && (b === undefined || isStringMap(b)),
        (to, [a, b]: any) => expect(to).toEqual([{
          namespaceSelector: selector(sortKeys(a)),
          ...(b !== undefined && Object.keys(b).length ? { podSelector: selector(sortKeys(b)) } : {}),
        }]));
    }), runs(NUM_RUNS));
  });

  const operator = fc.oneof(garbage, fc.constantFrom(...Object.values(LabelOperator)));
  const expression = fc.record({ key: fc.oneof(garbage, fc.constant('tenant')), operator, values: fc.oneof(garbage, fc.constant(['acme']), fc.constant(undefined)) });
  test('Peer.namespacesMatching(expressions): a named error, or exactly those requirements (a string of values is never split into letters)', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.array(fc.oneof(expression, garbage), { maxLength: 2 })), (exprs) => {
      expectNamedOrTyped(exprs, ['Peer.namespacesMatching', 'test/p'], (e: any) => egressTo(Peer.namespacesMatching(e)),
        (e) => Array.isArray(e) && e.length > 0 && e.every((x) => isPlain(x) && typeof x.key === 'string'
          && (Object.values(LabelOperator) as unknown[]).includes(x.operator)
          && (x.values === undefined || (Array.isArray(x.values) && x.values.every((v: unknown) => typeof v === 'string')))),
        (to, e: any) => {
          const norm = (x: any) => JSON.stringify({
            key: x.key, operator: x.operator, ...(x.values?.length ? { values: [...x.values].sort() } : {}),
          });
          expect(to).toHaveLength(1);
          expect(to[0].namespaceSelector.matchExpressions.map(norm).sort()).toEqual(e.map(norm).sort());
        });
    }), runs(NUM_RUNS));
  });

  test('Peer.cidr(cidr, except): a named error, or that block with the given and every metadata exception', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constantFrom('0.0.0.0/0', '169.254.0.0/16', '203.0.113.0/24')),
      fc.oneof(garbage, fc.constant(undefined), fc.constant([]), fc.constant(['10.0.0.0/8'])), (cidr, except) => {
        expectNamedOrTyped([cidr, except], ['Peer.cidr', 'test/p'], ([c, e]: any) => egressTo(Peer.cidr(c, e)),
          ([c, e]: any) => typeof c === 'string' && (e === undefined || (Array.isArray(e) && e.every((x) => typeof x === 'string'))),
          (to, [c, e]: any) => {
            expect(to).toHaveLength(1);
            expect(to[0].ipBlock.cidr).toBe(c);
            const excepts: string[] = to[0].ipBlock.except ?? [];
            for (const x of e ?? []) expect(excepts).toContain(x);
            // Every metadata address inside the block stays excepted.
            if (c === '0.0.0.0/0' || c === '169.254.0.0/16') for (const m of IPV4_METADATA) expect(excepts).toContain(m);
          });
      }), runs(NUM_RUNS));
  });

  test('Peer.internet(options): a named error, or public addresses minus the metadata service (and the private ranges unless exactly false)', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.record({ exceptPrivateRanges: fc.oneof(garbage, fc.boolean()) })), (options) => {
      expectNamedOrTyped(options, ['Peer.internet'], (o: any) => egressTo(Peer.internet(o)),
        (o) => o === undefined || (isPlain(o) && (o.exceptPrivateRanges === undefined || typeof o.exceptPrivateRanges === 'boolean')),
        (to, o: any) => {
          const excepts: string[] = to[0].ipBlock.except;
          for (const m of IPV4_METADATA) expect(excepts).toContain(m);
          expect(excepts.includes('10.0.0.0/8')).toBe(o?.exceptPrivateRanges !== false);
        });
    }), runs(NUM_RUNS));
  });

  test('Peer.fqdn / Peer.fqdnPattern: a named error, or exactly that name on Cilium (never every name)', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constantFrom('api.example.com', '*.example.com', '*', '*.*')), fc.boolean(), (name, pattern) => {
      expectNamedOrTyped(name, [pattern ? 'Peer.fqdnPattern' : 'Peer.fqdn', 'test/p'],
        (n: any) => egressTo(pattern ? Peer.fqdnPattern(n) : Peer.fqdn(n), Cni.cilium()),
        (n) => typeof n === 'string' && !/^[*.]+$/.test(n),
        (rules, n) => expect(rules.find((r: any) => r.toFQDNs).toFQDNs).toEqual([pattern ? { matchPattern: n } : { matchName: n }]));
    }), runs(NUM_RUNS));
  });
});

describe('Port factories', () => {
  const number = fc.oneof(garbage, fc.integer({ min: 1, max: 65535 }));
  test('Port.tcp/udp/sctp/tcpRange: a named error, or exactly that port', () => {
    fc.assert(fc.property(number, number, fc.constantFrom('tcp', 'udp', 'sctp', 'tcpRange', 'udpRange'), (a, b, kind) => {
      const build = ([x, y]: any) => {
        const port = kind === 'tcpRange' ? Port.tcpRange(x, y) : kind === 'udpRange' ? Port.udpRange(x, y) : (Port as any)[kind](x);
        const chart = chartFor(Cni.calico());
        new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()], ports: [port] }] });
        return find(synthValid(chart), 'NetworkPolicy', 'p').spec.ingress[0].ports;
      };
      const range = kind.endsWith('Range');
      expectNamedOrTyped([a, b], [`Port.${kind}`, 'test/p'], build,
        ([x, y]: any) => typeof x === 'number' && (!range || typeof y === 'number'),
        (ports, [x, y]: any) => expect(ports).toEqual([{
          protocol: kind.startsWith('udp') ? 'UDP' : kind === 'sctp' ? 'SCTP' : 'TCP', port: x, ...(range ? { endPort: y } : {}),
        }]));
    }), runs(NUM_RUNS));
  });

  test('Port.named(name, protocol): a named error, or exactly that named port and protocol', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constant('http')), fc.oneof(garbage, fc.constantFrom(...Object.values(Protocol), undefined)), (name, protocol) => {
      const build = ([n, p]: any) => {
        const chart = chartFor(Cni.kubernetes());
        new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()], ports: [Port.named(n, p)] }] });
        return find(synthValid(chart), 'NetworkPolicy', 'p').spec.ingress[0].ports;
      };
      expectNamedOrTyped([name, protocol], ['Port.named', 'test/p'], build,
        ([n, p]: any) => typeof n === 'string' && (p === undefined || (Object.values(Protocol) as unknown[]).includes(p)),
        (ports, [n, p]: any) => expect(ports).toEqual([{ protocol: p ?? 'TCP', port: n }]));
    }), runs(NUM_RUNS));
  });
});

describe('Cni factories', () => {
  const optionsOf = (key: string) => fc.oneof(garbage, fc.record({ [key]: fc.oneof(garbage, fc.boolean()) }));
  const booleanOption = (o: unknown, key: string) => o === undefined || (isPlain(o) && (o[key] === undefined || typeof o[key] === 'boolean'));

  test('Cni.kubernetes({ clusterNetworkPolicy }): a named error, or denies exactly when it is true', () => {
    fc.assert(fc.property(optionsOf('clusterNetworkPolicy'), (o) => {
      expectNamedOrTyped(o, ['Cni.kubernetes'], (x: any) => Cni.kubernetes(x), (x) => booleanOption(x, 'clusterNetworkPolicy'),
        (cni, x: any) => expect([cni.capabilities.deny, cni.capabilities.clusterWide])
          .toEqual([x?.clusterNetworkPolicy === true, x?.clusterNetworkPolicy === true]));
    }), runs(NUM_RUNS));
  });

  test('Cni.cilium / Cni.flannel options: a named error, or exactly the boolean given', () => {
    fc.assert(fc.property(optionsOf('kubeProxyReplacement'), optionsOf('acknowledgeUnenforcedPolicies'), (c, f) => {
      expectNamedOrTyped(c, ['Cni.cilium'], (x: any) => Cni.cilium(x), (x) => booleanOption(x, 'kubeProxyReplacement'),
        (cni, x: any) => expect(cni.kubeProxyReplacement).toBe(x?.kubeProxyReplacement ?? true));
      expectNamedOrTyped(f, ['Cni.flannel'], (x: any) => Cni.flannel(x), (x) => booleanOption(x, 'acknowledgeUnenforcedPolicies'),
        (cni, x: any) => expect(cni.acknowledgeUnenforcedPolicies).toBe(x?.acknowledgeUnenforcedPolicies === true));
    }), runs(NUM_RUNS));
  });

  test('Cni.calico options: a named error, or that tier and order', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.record({
      guardrailTier: fc.oneof(garbage, fc.constant('guardrails')), guardrailTierOrder: fc.oneof(garbage, fc.integer({ min: -10, max: 999 })),
    }, { requiredKeys: [] })), (o) => {
      expectNamedOrTyped(o, ['Cni.calico'], (x: any) => Cni.calico(x),
        (x) => x === undefined || (isPlain(x) && (x.guardrailTier === undefined || typeof x.guardrailTier === 'string')
          && (x.guardrailTierOrder === undefined || typeof x.guardrailTierOrder === 'number')),
        (cni, x: any) => expect([cni.calicoGuardrailTier, cni.calicoGuardrailTierOrder]).toEqual([x?.guardrailTier ?? 'platform-guardrails', x?.guardrailTierOrder ?? 100]));
    }), runs(NUM_RUNS));
  });

  const CAPS = ['enforcesNetworkPolicy', 'deny', 'ordering', 'clusterWide', 'l7', 'fqdn', 'entities', 'clusterNetworkPolicy'];
  test('Cni.custom(name, capabilities, options): a named error, or never more than NetworkPolicy and ClusterNetworkPolicy express', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constant('antrea')), fc.oneof(garbage, fc.dictionary(fc.constantFrom(...CAPS), fc.oneof(scalarGarbage, fc.boolean()))),
      fc.oneof(garbage, fc.constant(undefined)), (name, caps, options) => {
        expectNamedOrTyped([name, caps, options], ['Cni.custom'], ([n, c, o]: any) => Cni.custom(n, c, o),
          ([n, c, o]: any) => typeof n === 'string' && n.trim().length > 0 && isPlain(c) && CAPS.every((k) => typeof c[k] === 'boolean')
            && (o === undefined || (isPlain(o) && (o.acknowledgeUnenforcedPolicies === undefined || typeof o.acknowledgeUnenforcedPolicies === 'boolean'))),
          (cni, [, c]: any) => {
            expect([cni.capabilities.l7, cni.capabilities.fqdn, cni.capabilities.entities]).toEqual([false, false, false]);
            expect(cni.capabilities.deny).toBe(c.deny && c.clusterNetworkPolicy);
          });
      }), runs(NUM_RUNS));
  });
});
