/**
 * L7 rules where a policy uses fromRequires/toRequires. Cilium 1.18 applies such a policy: the
 * requirements of every rule selecting the subject join each fromEndpoints/toEndpoints selector of its
 * rules (pkg/policy/rules.go resolveL4IngressPolicy; api GetSourceEndpointSelectorsWithRequirements
 * leaves entities, CIDRs and rules without fromEndpoints alone; the per-rule requirements of
 * cilium/cilium#40213 only existed in the 1.19 development cycle). 1.19 and later reject the whole
 * policy (cilium/cilium#42615 removed the fields). Both versions may
 * allow a flow at L3/L4 yet judge its HTTP requests differently: the one version's L7 rules (or the
 * allow-all L7 rule an L3/L4 allow of the other version adds) must not decide a request alone.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';

const listen = { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const cluster = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, listen), deployment('shop', 'api', { app: 'api' }, listen)];
const HTTP_GET_PUBLIC = { ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public/.*' }] } };

function cnp(name: string, ingress: any[]): any {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress },
  };
}

/** HTTP rules in the requiring policy itself: 1.18 restricts the requests, 1.19+ (policy rejected, no other policy) allows all. */
const l7InRequiring = [
  ...cluster,
  cnp('api-l7', [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], fromRequires: [{ matchLabels: { app: 'web' } }], toPorts: [HTTP_GET_PUBLIC] }]),
];

/** HTTP rules in another policy, an L3 allow in the requiring one: 1.18 adds the allow-all L7 rule, 1.19+ keeps the HTTP rules. */
const l7Elsewhere = [
  ...cluster,
  cnp('api-l7', [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [HTTP_GET_PUBLIC] }]),
  cnp('api-requires', [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], fromRequires: [{ matchLabels: { app: 'web' } }] }]),
];

function ask(manifests: any[], method: string, path: string) {
  const reach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
  return reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method, path });
}

describe('Cilium L7 rules next to fromRequires: requests both versions judge alike stay exact, the others are indeterminate', () => {
  test('the manifests are valid', () => {
    expectValidManifests(l7InRequiring);
    expectValidManifests(l7Elsewhere);
  });

  test('HTTP rules in the requiring policy: a request they deny is indeterminate (1.19+ rejects the policy and allows it)', () => {
    const denied = ask(l7InRequiring, 'POST', '/admin');
    expect(denied.verdict).toBe(Verdict.INDETERMINATE);
    expect(denied.ingress.uncertainties).toEqual([
      'HTTP GET /public/.* (CiliumNetworkPolicy shop/api-l7 spec.ingress[0]): CiliumNetworkPolicy shop/api-l7 uses fromRequires/toRequires, which Cilium 1.18 applies and 1.19+ rejects with the whole policy '
        + '(cilium/cilium#42615): one allows the request and the other denies it',
    ]);
    expect(ask(l7InRequiring, 'GET', '/public/a').verdict).toBe(Verdict.ALLOW);
  });

  test('HTTP rules in another policy: a request they deny is indeterminate (1.18 adds the allow-all L7 rule of the L3 allow)', () => {
    const denied = ask(l7Elsewhere, 'POST', '/admin');
    expect(denied.verdict).toBe(Verdict.INDETERMINATE);
    expect(denied.ingress.uncertainties).toEqual([
      'allow-all L7 rule Cilium adds on TCP/8080 (redirected by CiliumNetworkPolicy shop/api-l7 spec.ingress[0]); HTTP GET /public/.* '
        + '(CiliumNetworkPolicy shop/api-l7 spec.ingress[0]): CiliumNetworkPolicy shop/api-requires uses fromRequires/toRequires, which Cilium '
        + '1.18 applies and 1.19+ rejects with the whole policy (cilium/cilium#42615): one allows the request and the other denies it',
    ]);
    expect(ask(l7Elsewhere, 'GET', '/public/a').verdict).toBe(Verdict.ALLOW);
  });

  test('a request both versions deny stays denied: the escaped slash the proxy answers with a redirect in both', () => {
    expect(ask(l7Elsewhere, 'GET', '/public%2Fa').verdict).toBe(Verdict.DENY);
  });

  test('the L4 verdict is unchanged: allowed under both versions', () => {
    const reach = Reachability.fromManifests(l7InRequiring, { cni: Cni.cilium() });
    expect(reach.check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080)).verdict).toBe(Verdict.ALLOW);
  });
});

/**
 * Cilium 1.18 keeps NetworkPolicies in the same policy repository as Cilium rules (pkg/k8s
 * network_policy.go ParseNetworkPolicy: pod and namespace peers become fromEndpoints, an empty `from`
 * the wildcard endpoint selector, ipBlocks fromCIDRSet), so the fromRequires of a Cilium policy
 * selecting the pod join the NetworkPolicy's peer selectors too; ipBlock peers keep no requirement.
 */
describe('fromRequires also narrow the NetworkPolicies Cilium 1.18 enforces', () => {
  const requiring = cnp('api-requires', [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], fromRequires: [{ matchLabels: { env: 'prod' } }] }]);
  const netpol = (from?: any[]) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ...(from ? { from } : {}), ports: [{ port: 8080 }] }] },
  });
  const workers = [deployment('shop', 'worker', { app: 'worker' }, listen), deployment('shop', 'batch', { app: 'worker', env: 'prod' }, listen)];
  const verdict = (manifests: any[], source: string) => Reachability.fromManifests(manifests, { cni: Cni.cilium() })
    .check(Target.workload('shop', source), Target.workload('shop', 'api'), Port.tcp(8080)).verdict;

  test('the manifests are valid', () => {
    expectValidManifests([...cluster, ...workers, requiring, netpol([{ podSelector: { matchLabels: { app: 'worker' } } }]), netpol()]);
  });

  test('a NetworkPolicy peer without the required label: 1.18 denies, 1.19+ allows: indeterminate (was a confident allow)', () => {
    const manifests = [...cluster, ...workers, requiring, netpol([{ podSelector: { matchLabels: { app: 'worker' } } }])];
    expect(verdict(manifests, 'worker')).toBe(Verdict.INDETERMINATE);
    // A peer with the required label is allowed under both.
    expect(verdict(manifests, 'batch')).toBe(Verdict.ALLOW);
  });

  test('an empty from is the wildcard selector, which the requirements narrow too', () => {
    const manifests = [...cluster, ...workers, requiring, netpol()];
    expect(verdict(manifests, 'worker')).toBe(Verdict.INDETERMINATE);
    expect(verdict(manifests, 'batch')).toBe(Verdict.ALLOW);
  });
});
