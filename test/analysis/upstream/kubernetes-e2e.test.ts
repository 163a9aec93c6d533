/**
 * The Kubernetes network-policy e2e suite as truth tables, run under every CNI semantics.
 *
 * Source, unless a case says otherwise: kubernetes/kubernetes test/e2e/network/netpol/network_policy.go
 * read at commit 008b3652959ca58af8be3fb5b6ecfe9ae7638282 (the per-test pod topologies of that
 * version; the expectations are applied here to the full x/y/z x a/b/c model, which the e2e
 * `Reachability` peer rules describe just as well). Policies are written as the e2e helpers build
 * them (policies.go `SetSpecIngressRules` / `SetSpecEgressRules` also set `policyTypes`). Loopback
 * pairs are left out: the suite ignores them (`ignoreLoopback`, kubernetes/kubernetes#95879).
 *
 * Every CNI semantics implements NetworkPolicy the same way, with two documented exceptions:
 * - Cilium never matches its own endpoints with CIDR rules, ipBlock included (docs.cilium.io policy
 *   language "IP/CIDR based", cilium/cilium Documentation/security/policy/language.rst @012a3bf2;
 *   cilium/cilium#14497): the ipBlock-of-a-pod cases are denied there (overrides below).
 * - SCTP: Cilium enforces SCTP only with the Helm value `sctp.enabled` (chart 1.20.0 default false),
 *   which the policy model cannot see: cases that expect an SCTP flow to be allowed are not run
 *   under Cilium; SCTP denials hold either way and are.
 */
import { E2E_NAMESPACES, e2eCluster, e2eIp, inX } from './e2e-cluster';
import { ALL_CNIS, UpstreamCase, describeCaseData, describeCases, networkPolicy, tt } from './support';

const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const podIs = (name: string) => ({ matchLabels: { pod: name } });
const cluster = e2eCluster();

export const KUBERNETES_E2E_CASES: UpstreamCase[] = [
  // "should support a 'default-deny-ingress' policy"
  {
    name: "should support a 'default-deny-ingress' policy",
    manifests: [...cluster, inX('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
    tables: [tt('TCP/80', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "should support a 'default-deny-all' policy"
  {
    name: "should support a 'default-deny-all' policy",
    manifests: [...cluster, inX('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    tables: [tt('TCP/80', 'allow', '* > x/*: deny', 'x/* > *: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy to allow traffic from pods within server namespace based on PodSelector"
  {
    name: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    manifests: [...cluster, inX('x-a-allows-x-b', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: podIs('b') }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy to allow ingress traffic for a target"
  {
    name: 'should enforce policy to allow ingress traffic for a target',
    manifests: [
      ...cluster,
      inX('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      inX('allow-all-to-a', {
        podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', '* > x/b: deny', '* > x/c: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy to allow ingress traffic from pods in all namespaces"
  {
    name: 'should enforce policy to allow ingress traffic from pods in all namespaces',
    manifests: [...cluster, inX('allow-from-another-ns', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }],
    })],
    tables: [tt('TCP/80', 'allow'), tt('TCP/80', null, 'ext:203.0.113.9 > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector"
  {
    name: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    manifests: [...cluster, inX('allow-client-a-via-ns-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y') }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on PodSelector with MatchExpressions"
  {
    name: 'should enforce policy based on PodSelector with MatchExpressions',
    manifests: [...cluster, inX('x-a-allows-x-b', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }],
    })],
    // A podSelector alone means pods of the policy's namespace: y/b and z/b are not allowed.
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on NamespaceSelector with MatchExpressions"
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions',
    manifests: [...cluster, inX('allow-ns-y-match-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y'] }] } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on PodSelector or NamespaceSelector"
  {
    name: 'should enforce policy based on PodSelector or NamespaceSelector',
    manifests: [...cluster, inX('allow-ns-y-match-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{
        from: [
          { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] } },
          { podSelector: podIs('b') },
        ],
      }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/c > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on PodSelector and NamespaceSelector"
  {
    name: 'should enforce policy based on PodSelector and NamespaceSelector',
    manifests: [...cluster, inX('allow-ns-y-podselector-and-nsselector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] },
          podSelector: podIs('b'),
        }],
      }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'y/b > x/a: allow', 'z/b > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on Multiple PodSelectors and NamespaceSelectors"
  {
    name: 'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    manifests: [...cluster, inX('allow-ns-y-z-pod-b-c', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] },
          podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
        }],
      }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/* > x/a: deny', 'y/a > x/a: deny', 'z/a > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on any PodSelectors"
  {
    name: 'should enforce policy based on any PodSelectors',
    manifests: [...cluster, inX('allow-ns-x-pod-b-c', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: podIs('b') }, { podSelector: podIs('c') }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow', 'x/c > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector"
  {
    name: 'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    manifests: [...cluster, inX('allow-ns-y-pod-a-via-namespace-pod-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: podIs('a') }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'y/a > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on Ports"
  {
    name: 'should enforce policy based on Ports',
    manifests: [...cluster, inX('allow-client-a-via-ns-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
    })],
    tables: [tt('TCP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce multiple, stacked policies with overlapping podSelectors" (first step: only the port-81 policy)
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors (port-81 policy only)',
    manifests: [...cluster, inX('allow-client-a-via-ns-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
    })],
    tables: [
      tt('TCP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
      tt('TCP/80', 'allow', '* > x/a: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // "should enforce multiple, stacked policies with overlapping podSelectors" (after adding the port-80 policy)
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors (both policies)',
    manifests: [
      ...cluster,
      inX('allow-client-a-via-ns-selector', {
        podSelector: podIs('a'),
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'TCP' }] }],
      }),
      inX('allow-client-a-via-ns-selector-80', {
        podSelector: podIs('a'),
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 80, protocol: 'TCP' }] }],
      }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
      tt('TCP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // "should support allow-all policy"
  {
    name: 'should support allow-all policy',
    manifests: [...cluster, inX('allow-all', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{}] })],
    tables: [tt('TCP/80', 'allow'), tt('TCP/81', 'allow')],
    cnis: ALL_CNIS,
  },
  // "should allow ingress access on one named port"
  {
    name: 'should allow ingress access on one named port',
    manifests: [...cluster, inX('allow-all', {
      podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'serve-81-tcp' }] }],
    })],
    tables: [tt('TCP/81', 'allow'), tt('TCP/80', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "should allow ingress access from namespace on one named port"
  {
    name: 'should allow ingress access from namespace on one named port',
    manifests: [...cluster, inX('allow-client-a-via-ns-selector-80', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }],
    })],
    tables: [
      tt('TCP/80', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
      tt('TCP/81', 'allow', '* > x/a: deny'),
      // The same question asked with the port's name: it resolves on x/a to TCP/80.
      tt('TCP/serve-80-tcp', null, 'y/b > x/a: allow', 'z/b > x/a: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // "should allow egress access on one named port"
  {
    name: 'should allow egress access on one named port',
    manifests: [...cluster, inX('allow-egress', {
      podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }],
    })],
    tables: [tt('TCP/80', 'allow'), tt('TCP/81', 'allow', 'x/* > *: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce updated policy" (final state: the allow-all policy updated to `ingress: []`)
  {
    name: 'should enforce updated policy (allow-all mutated to deny-all)',
    manifests: [...cluster, inX('allow-all-mutate-to-deny-all', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [] })],
    tables: [tt('TCP/81', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "should allow ingress access from updated namespace" (before namespace y gets the label)
  {
    name: 'should allow ingress access from updated namespace (before the label)',
    manifests: [...cluster, inX('allow-client-a-via-ns-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should allow ingress access from updated namespace" (after labelling namespace y ns2=updated)
  {
    name: 'should allow ingress access from updated namespace (after the label)',
    manifests: [...e2eCluster({ y: { ns2: 'updated' } }), inX('allow-client-a-via-ns-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'y/* > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should allow ingress access from updated pod" (after labelling x/b pod2=updated)
  {
    name: 'should allow ingress access from updated pod (after the label)',
    manifests: [...e2eCluster({ 'x/b': { pod2: 'updated' } }), inX('allow-client-a-via-pod-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should deny ingress from pods on other namespaces"
  {
    name: 'should deny ingress from pods on other namespaces',
    manifests: [...cluster, inX('deny-empty-policy', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'y/* > x/*: deny', 'z/* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "should deny ingress access to updated pod" (before and after labelling x/a target=isolated)
  {
    name: 'should deny ingress access to updated pod (before the label)',
    manifests: [...cluster, inX('deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'] })],
    tables: [tt('TCP/80', 'allow')],
    cnis: ALL_CNIS,
  },
  {
    name: 'should deny ingress access to updated pod (after the label)',
    manifests: [
      ...e2eCluster({ 'x/a': { target: 'isolated' } }),
      inX('deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'] }),
    ],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should deny egress from pods based on PodSelector"
  {
    name: 'should deny egress from pods based on PodSelector',
    manifests: [...cluster, inX('deny-egress-pod-a', { podSelector: podIs('a'), policyTypes: ['Egress'] })],
    tables: [tt('TCP/80', 'allow', 'x/a > *: deny'), tt('TCP/80', null, 'x/a > ext:198.51.100.20: deny')],
    cnis: ALL_CNIS,
  },
  // "should deny egress from all pods in a namespace"
  {
    name: 'should deny egress from all pods in a namespace',
    manifests: [...cluster, inX('deny-egress-ns-x', { podSelector: {}, policyTypes: ['Egress'] })],
    tables: [tt('TCP/80', 'allow', 'x/* > *: deny')],
    cnis: ALL_CNIS,
  },
  // "should work with Ingress, Egress specified together"
  {
    name: 'should work with Ingress, Egress specified together',
    manifests: [...cluster, inX('allow-client-a-via-pod-selector', {
      podSelector: podIs('a'),
      policyTypes: ['Egress', 'Ingress'],
      ingress: [{ from: [{ podSelector: podIs('b') }] }],
      egress: [{ ports: [{ port: 80 }] }],
    })],
    tables: [
      tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow'),
      tt('TCP/81', 'allow', '* > x/a: deny', 'x/a > *: deny', 'x/b > x/a: allow'),
    ],
    cnis: ALL_CNIS,
  },
  // "should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)"
  {
    name: 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    manifests: [
      ...cluster,
      inX('allow-to-ns-y-pod-a', { podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('y'), podSelector: podIs('a') }] }] }),
      networkPolicy('y', 'allow-from-xa-on-ya-match-selector', {
        podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('x'), podSelector: podIs('a') }] }],
      }),
      networkPolicy('y', 'allow-from-xa-on-yb-match-selector', {
        podSelector: podIs('b'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('x'), podSelector: podIs('a') }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', 'x/a > *: deny', '* > y/a: deny', 'x/a > y/a: allow', '* > y/b: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector"
  {
    name: 'should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    manifests: [...cluster, inX('allow-to-ns-y-pod-a', {
      podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('y'), podSelector: podIs('a') }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > *: deny', 'x/a > y/a: allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce ingress policy allowing any port traffic to a server on a specific protocol"
  {
    name: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    manifests: [...cluster, inX('allow-ingress-by-proto', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP' }] }],
    })],
    tables: [tt('TCP/80', 'allow'), tt('UDP/80', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should enforce multiple ingress policies with ingress allow-all policy taking precedence" (first step, then both)
  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence (port-80 policy only)',
    manifests: [...cluster, inX('allow-ingress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] })],
    tables: [tt('TCP/81', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence (with allow-all)',
    manifests: [
      ...cluster,
      inX('allow-ingress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] }),
      inX('allow-ingress', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{}] }),
    ],
    tables: [tt('TCP/81', 'allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce multiple egress policies with egress allow-all policy taking precedence" (first step, then both)
  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence (port-80 policy only)',
    manifests: [...cluster, inX('allow-egress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })],
    tables: [tt('TCP/81', 'allow', 'x/* > *: deny')],
    cnis: ALL_CNIS,
  },
  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence (with allow-all)',
    manifests: [
      ...cluster,
      inX('allow-egress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      inX('allow-egress', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{}] }),
    ],
    tables: [tt('TCP/81', 'allow')],
    cnis: ALL_CNIS,
  },
  // "should allow egress access to server in CIDR block": egress of x/a to y/b's podIP/32
  {
    name: 'should allow egress access to server in CIDR block',
    manifests: [...cluster, inX('allow-client-a-via-cidr-egress-rule', {
      podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${e2eIp('y/b')}/32` } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > *: deny', 'x/a > y/b: allow')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > y/b: deny'] } },
  },
  // "should enforce except clause while egress access to server in CIDR block": the /4 around x/b's
  // IP (makeLargeCIDRForIP: 10.244.1.11 -> 0.0.0.0/4) except x/b's /32.
  {
    name: 'should enforce except clause while egress access to server in CIDR block',
    manifests: [...cluster, inX('allow-client-a-via-cidr-egress-rule', {
      podSelector: podIs('a'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/4', except: [`${e2eIp('x/b')}/32`] } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > x/b: deny'), tt('TCP/80', null, 'x/a > ext:15.1.2.3: allow', 'x/a > ext:16.0.0.1: deny')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > *: deny'] } },
  },
  // "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed": the second
  // policy has the first one's name and is applied with UpdatePolicy, so the code ends with the /32
  // policy alone (the test title suggests both rules coexist; the code replaces the first).
  {
    name: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (final state: the /32 policy replaced the /4 one)',
    manifests: [...cluster, inX('allow-client-a-via-cidr-egress-rule', {
      podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${e2eIp('x/b')}/32` } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > *: deny', 'x/a > x/b: allow')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > x/b: deny'] } },
  },
  // The same test's intent, both rules present at once: the allowed set of a pod is the union of
  // every rule of every policy that selects it (kubernetes/api networking/v1 types.go, NetworkPolicySpec.Egress).
  {
    name: 'an IP in one ipBlock\'s except is still allowed by another ipBlock rule (union of rules)',
    manifests: [
      ...cluster,
      inX('allow-client-a-via-cidr-egress-rule', {
        podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/4', except: [`${e2eIp('x/b')}/32`] } }] }],
      }),
      inX('allow-client-a-to-x-b', {
        podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${e2eIp('x/b')}/32` } }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > *: deny'] } },
  },
  // "should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector"
  {
    name: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    manifests: [
      ...cluster,
      inX('allow-egress-for-target', { podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{}] }),
      inX('deny-ingress-via-label-selector', { podSelector: podIs('a'), policyTypes: ['Ingress'] }),
    ],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP"
  {
    name: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    manifests: [
      ...cluster,
      inX('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
      inX('allow-only-sctp-ingress-on-port-81', { podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] }),
    ],
    tables: [tt('TCP/81', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP"
  {
    name: "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
    manifests: [...cluster, inX('allow-only-sctp-ingress-on-port-80', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }],
    })],
    tables: [tt('TCP/81', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "should not allow access by TCP when a policy specifies only UDP"
  {
    name: 'should not allow access by TCP when a policy specifies only UDP',
    manifests: [...cluster, inX('allow-only-udp-ingress-on-port-81', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }],
    })],
    tables: [tt('TCP/81', 'allow', '* > x/a: deny'), tt('UDP/81', 'allow')],
    cnis: ALL_CNIS,
  },
  // "should enforce policy based on NamespaceSelector with MatchExpressions using default ns label"
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions using default ns label',
    manifests: [...cluster, inX('allow-ns-y-match-selector-for-immutable-ns-label', {
      podSelector: podIs('a'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['y'] }] } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > y/*: deny')],
    cnis: ALL_CNIS,
  },
  // "NetworkPolicy between server and client using UDP": "should support a 'default-deny-ingress' policy"
  {
    name: "UDP: should support a 'default-deny-ingress' policy",
    manifests: [...cluster, inX('deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    tables: [tt('UDP/80', 'allow', '* > x/*: deny')],
    cnis: ALL_CNIS,
  },
  // "... using UDP": "should enforce policy based on Ports"
  {
    name: 'UDP: should enforce policy based on Ports',
    manifests: [...cluster, inX('allow-ingress-on-port-81-ns-x', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'UDP' }] }],
    })],
    tables: [tt('UDP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'), tt('TCP/81', 'allow', '* > x/a: deny')],
    cnis: ALL_CNIS,
  },
  // "... using UDP": "should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector"
  {
    name: 'UDP: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    manifests: [...cluster, inX('allow-ns-y-pod-a-via-namespace-pod-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: podIs('a') }] }],
    })],
    tables: [tt('UDP/80', 'allow', '* > x/a: deny', 'y/a > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // "NetworkPolicy between server and client using SCTP": "should support a 'default-deny-ingress' policy"
  {
    name: "SCTP: should support a 'default-deny-ingress' policy",
    manifests: [...cluster, inX('deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    tables: [tt('SCTP/80', null, ...E2E_NAMESPACES.flatMap((n) => [`${n}/b > x/a: deny`, `${n}/c > x/b: deny`]))],
    cnis: ALL_CNIS,
  },
  {
    name: "SCTP: should support a 'default-deny-ingress' policy (flows the policy does not touch)",
    manifests: [...cluster, inX('deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    tables: [tt('SCTP/80', 'allow', '* > x/*: deny')],
    cnis: ['kubernetes', 'calico'],
  },
  // "... using SCTP": "should enforce policy based on Ports"
  {
    name: 'SCTP: should enforce policy based on Ports',
    manifests: [...cluster, inX('allow-ingress-on-port-81-ns-x', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'SCTP' }] }],
    })],
    tables: [tt('SCTP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny')],
    cnis: ['kubernetes', 'calico'],
  },
  // "... using SCTP": "should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector"
  {
    name: 'SCTP: should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    manifests: [...cluster, inX('allow-ns-y-pod-a-via-namespace-pod-selector', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: podIs('a') }] }],
    })],
    tables: [tt('SCTP/80', 'allow', '* > x/a: deny', 'y/a > x/a: allow')],
    cnis: ['kubernetes', 'calico'],
  },
  // endPort: "the range of ports from port to endPort, inclusive" (kubernetes/api networking/v1
  // types.go NetworkPolicyPort.EndPort; KEP-2079, GA in 1.25). Cilium enforces endPort since 1.16.
  {
    name: 'endPort: an ingress port range 80-81 from namespace y',
    manifests: [...cluster, inX('allow-80-81-from-y', {
      podSelector: podIs('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }],
    })],
    tables: [
      tt('TCP/80', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
      tt('TCP/81', 'allow', 'x/* > x/a: deny', 'z/* > x/a: deny'),
      tt('UDP/80', 'allow', '* > x/a: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // policyTypes defaulting (kubernetes/api networking/v1 types.go NetworkPolicySpec.PolicyTypes; the
  // API server defaults it, pkg/apis/networking/v1/defaults.go): omitted = Ingress, plus Egress when
  // the policy has an egress section. An egress-only spec therefore also isolates ingress.
  {
    name: 'policyTypes omitted with an egress section: Ingress and Egress',
    manifests: [...cluster, inX('egress-to-y', { podSelector: podIs('a'), egress: [{ to: [{ namespaceSelector: ns('y') }] }] })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/a > *: deny', 'x/a > y/*: allow')],
    cnis: ALL_CNIS,
  },
  // Same source: policyTypes [Ingress] makes an egress section inert.
  {
    name: 'policyTypes [Ingress] with an egress section: egress is not restricted',
    manifests: [...cluster, inX('ingress-only', {
      podSelector: podIs('a'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: podIs('b') }] }], egress: [{ to: [{ namespaceSelector: ns('y') }] }],
    })],
    tables: [tt('TCP/80', 'allow', '* > x/a: deny', 'x/b > x/a: allow')],
    cnis: ALL_CNIS,
  },
  // The ipBlock cases above read the server's IP from its status (the e2e suite lists the pod and
  // uses `status.podIP`). Manifests kept in Git have no status: a pod is then somewhere in the pod
  // CIDR, and an ipBlock matches it only if it contains every possible pod address.
  {
    name: 'pods without status.podIP: ipBlocks 0.0.0.0/0 and ::/0 contain every pod address',
    manifests: [...e2eCluster({}, false), inX('allow-client-a-to-anywhere', {
      podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }],
    })],
    tables: [tt('TCP/80', 'allow')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > *: deny'] } },
  },
  {
    name: 'pods without status.podIP: whether a /32 ipBlock is one of them is unknown',
    manifests: [...e2eCluster({}, false), inX('allow-client-a-via-cidr-egress-rule', {
      podSelector: podIs('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${e2eIp('y/b')}/32` } }] }],
    })],
    tables: [tt('TCP/80', 'allow', 'x/a > *: indeterminate'), tt('TCP/80', null, `x/a > ext:${e2eIp('y/b')}: allow`, 'x/a > ext:198.51.100.1: deny')],
    cnis: ALL_CNIS,
    overrides: { cilium: { 'TCP/80': ['x/a > *: deny'] } },
  },
];

describeCaseData(KUBERNETES_E2E_CASES);
for (const cni of ALL_CNIS) describeCases(cni, KUBERNETES_E2E_CASES);
