/**
 * Cases modelled on the Kubernetes network-policy e2e suite (test/e2e/network/netpol/network_policy.go):
 * the same cluster shape and the same expected reachability, evaluated statically.
 */
import { allFrom, allInto, deniedPairs, e2eReach, networkPolicy, w } from './fixtures';
import { Verdict } from '../../src/analysis/verdict';
import { Port } from '../../src/policy/port';

const inX = (...pods: string[]) => pods.flatMap((p) => allInto(`x/${p}`));
const sort = (pairs: string[]) => [...new Set(pairs)].sort();

describe('Kubernetes NetworkPolicy e2e cases', () => {
  test("should support a 'default-deny-ingress' policy", () => {
    const reach = e2eReach([networkPolicy('deny-ingress', 'x', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(deniedPairs(reach)).toEqual(sort(inX('a', 'b', 'c')));
  });

  test('should support a default-deny-all policy', () => {
    const reach = e2eReach([networkPolicy('deny-all', 'x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    const expected = sort(['a', 'b', 'c'].flatMap((p) => [...allInto(`x/${p}`), ...allFrom(`x/${p}`)]));
    expect(deniedPairs(reach)).toEqual(expected);
  });

  test('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector', () => {
    const reach = e2eReach([networkPolicy('allow-from-y', 'x', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }],
    })]);
    expect(deniedPairs(reach)).toEqual(sort(['a', 'b', 'c'].flatMap((p) => allInto(`x/${p}`, ['y/a', 'y/b', 'y/c']))));
  });

  test('should enforce policy based on PodSelector with MatchExpressions', () => {
    const reach = e2eReach([networkPolicy('allow-b', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }],
    })]);
    // podSelector alone = same namespace as the policy: y/b and z/b are not allowed.
    expect(deniedPairs(reach)).toEqual(allInto('x/a', ['x/b']));
  });

  test('should enforce policy based on NamespaceSelector with MatchExpressions', () => {
    const reach = e2eReach([networkPolicy('allow-ns-y', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y'] }] } }] }],
    })]);
    expect(deniedPairs(reach)).toEqual(allInto('x/a', ['y/a', 'y/b', 'y/c']));
  });

  test('should enforce policy based on PodSelector or NamespaceSelector', () => {
    const reach = e2eReach([networkPolicy('or', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{
        from: [
          { namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } },
          { podSelector: { matchLabels: { pod: 'b' } } },
        ],
      }],
    })]);
    expect(deniedPairs(reach)).toEqual(['x/c->x/a']);
  });

  test('should enforce policy based on PodSelector and NamespaceSelector', () => {
    const reach = e2eReach([networkPolicy('and', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{
        from: [{
          namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] },
          podSelector: { matchLabels: { pod: 'b' } },
        }],
      }],
    })]);
    expect(deniedPairs(reach)).toEqual(allInto('x/a', ['y/b', 'z/b']));
  });

  test('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', () => {
    const reach = e2eReach([networkPolicy('multi', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{
        from: [{
          namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] },
          podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
        }],
      }],
    })]);
    expect(deniedPairs(reach)).toEqual(allInto('x/a', ['y/b', 'y/c', 'z/b', 'z/c']));
  });

  test('should enforce policy based on Ports', () => {
    const reach = e2eReach([networkPolicy('port-81', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81, protocol: 'TCP' }] }],
    })]);
    expect(deniedPairs(reach, Port.tcp(80))).toEqual(allInto('x/a'));
    expect(deniedPairs(reach, Port.tcp(81))).toEqual(allInto('x/a', ['y/a', 'y/b', 'y/c']));
  });

  test('should enforce multiple, stacked policies with overlapping podSelectors', () => {
    const first = networkPolicy('allow-81', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }] }],
    });
    const second = networkPolicy('allow-80', 'x', {
      podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 80 }] }],
    });
    expect(e2eReach([first]).check(w('y/a'), w('x/a'), Port.tcp(80)).allowed).toBe(false);
    const stacked = e2eReach([first, second]);
    // Allowed = union of the rules of every selecting policy.
    expect(stacked.check(w('y/a'), w('x/a'), Port.tcp(80)).allowed).toBe(true);
    expect(stacked.check(w('y/a'), w('x/a'), Port.tcp(81)).allowed).toBe(true);
    expect(stacked.check(w('z/a'), w('x/a'), Port.tcp(80)).allowed).toBe(false);
  });

  test('should support allow-all policy', () => {
    const reach = e2eReach([
      networkPolicy('deny', 'x', { podSelector: {} }),
      networkPolicy('allow-all', 'x', { podSelector: {}, ingress: [{}] }),
    ]);
    expect(deniedPairs(reach)).toEqual([]);
    expect(deniedPairs(reach, Port.udp(81))).toEqual([]);
  });

  test('should allow ingress access on one named port', () => {
    const reach = e2eReach([networkPolicy('named', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ ports: [{ port: 'serve-81-tcp' }] }],
    })]);
    expect(deniedPairs(reach, Port.tcp(81))).toEqual([]);
    expect(deniedPairs(reach, Port.tcp(80))).toEqual(allInto('x/a'));
  });

  test('should allow egress access on one named port', () => {
    const reach = e2eReach([networkPolicy('named-egress', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 'serve-80-tcp' }] }],
    })]);
    expect(deniedPairs(reach, Port.tcp(80))).toEqual([]);
    expect(deniedPairs(reach, Port.tcp(81))).toEqual(allFrom('x/a'));
  });

  test('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', () => {
    const reach = e2eReach([networkPolicy('egress-y-a', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] }],
    })]);
    expect(deniedPairs(reach)).toEqual(allFrom('x/a', ['y/a']));
  });

  test('should enforce ingress policy allowing any port traffic to a server on a specific protocol', () => {
    const reach = e2eReach([networkPolicy('udp-any', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ ports: [{ protocol: 'UDP' }] }],
    })]);
    expect(deniedPairs(reach, Port.udp(80))).toEqual([]);
    expect(deniedPairs(reach, Port.udp(81))).toEqual([]);
    expect(deniedPairs(reach, Port.tcp(80))).toEqual(allInto('x/a'));
  });

  test('should not allow access by TCP when a policy specifies only UDP', () => {
    const reach = e2eReach([networkPolicy('udp-81', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }],
    })]);
    expect(deniedPairs(reach, Port.tcp(81))).toEqual(allInto('x/a'));
    expect(deniedPairs(reach, Port.udp(81))).toEqual([]);
  });

  test('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label', () => {
    const reach = e2eReach([networkPolicy('default-ns-label', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }],
    })]);
    expect(deniedPairs(reach)).toEqual(allInto('x/a', ['y/a', 'y/b', 'y/c']));
  });

  test('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)', () => {
    const reach = e2eReach([
      networkPolicy('deny-egress-a', 'x', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] }),
      networkPolicy('allow-ingress-all', 'y', { podSelector: {}, ingress: [{}] }),
    ]);
    const result = reach.check(w('x/a'), w('y/b'), Port.tcp(80));
    expect(result.allowed).toBe(false);
    expect(result.ingress.allowed).toBe(true);
    expect(result.egress.allowed).toBe(false);
    expect(result.egress.decidingObjects).toEqual(['NetworkPolicy x/deny-egress-a']);
    expect(result.ingress.decidingObjects).toEqual(['NetworkPolicy y/allow-ingress-all']);
  });

  test('should work with Ingress, Egress specified together', () => {
    const reach = e2eReach([networkPolicy('both', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 80 }] }],
    })]);
    expect(deniedPairs(reach)).toEqual(sort([...allInto('x/a', ['x/b']), ...allFrom('x/a', ['y/a', 'y/b', 'y/c'])]));
    expect(reach.check(w('x/a'), w('y/a'), Port.tcp(81)).allowed).toBe(false);
  });

  test('should deny egress from pods based on PodSelector', () => {
    const reach = e2eReach([networkPolicy('deny-egress-a', 'x', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] })]);
    expect(deniedPairs(reach)).toEqual(allFrom('x/a'));
  });

  test('should deny egress from all pods in a namespace', () => {
    const reach = e2eReach([networkPolicy('deny-egress', 'x', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(deniedPairs(reach)).toEqual(sort(['a', 'b', 'c'].flatMap((p) => allFrom(`x/${p}`))));
  });
});

describe('ipBlock e2e cases (servers with known pod IPs)', () => {
  function withServers(policy: any) {
    const reach = e2eReach([policy]);
    reach.addProbe('server', 'y', { pod: 'server' }, { ip: '10.244.2.7', ports: [Port.tcp(80)] });
    reach.addProbe('other', 'y', { pod: 'other' }, { ip: '10.244.2.8', ports: [Port.tcp(80)] });
    return reach;
  }

  test('should allow egress access to server in CIDR block', () => {
    const reach = withServers(networkPolicy('cidr', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.244.2.7/32' } }] }],
    }));
    expect(reach.check(w('x/a'), w('y/server'), Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(w('x/a'), w('y/other'), Port.tcp(80)).allowed).toBe(false);
    // A pod whose IP the manifests do not give may or may not be 10.244.2.7: indeterminate, not denied.
    const unknown = reach.check(w('x/a'), w('y/a'), Port.tcp(80));
    expect(unknown.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknown.uncertainties).toEqual(["NetworkPolicy x/cidr spec.egress[0].to[0].ipBlock: ipBlock 10.244.2.7/32 may or may not contain the destination's "
      + 'address: its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)']);
    // With the pod CIDR known, a /32 inside it still covers only one of its addresses.
    const withCidr = e2eReach([networkPolicy('cidr', 'x', {
      podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.2.7/32' } }] }],
    })], { podCidrs: ['10.244.0.0/16'] });
    expect(withCidr.check(w('x/a'), w('y/a'), Port.tcp(80)).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('should enforce except clause while egress access to server in CIDR block', () => {
    const reach = withServers(networkPolicy('except', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.7/32'] } }] }],
    }));
    expect(reach.check(w('x/a'), w('y/server'), Port.tcp(80)).verdict).toBe(Verdict.DENY);
    expect(reach.check(w('x/a'), w('y/other'), Port.tcp(80)).verdict).toBe(Verdict.ALLOW);
  });

  test('should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (by another rule)', () => {
    const reach = withServers(networkPolicy('overlap', 'x', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.7/32'] } }] },
        { to: [{ ipBlock: { cidr: '10.244.2.7/32' } }] },
      ],
    }));
    const result = reach.check(w('x/a'), w('y/server'), Port.tcp(80));
    expect(result.allowed).toBe(true);
    expect(result.egress.reasons).toEqual(['NetworkPolicy x/overlap spec.egress[1] allows to y/server on TCP/80']);
  });
});
