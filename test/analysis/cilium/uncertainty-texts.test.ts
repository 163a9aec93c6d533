/**
 * Cilium allow rules with `authentication.mode` only admit peers that pass the agent's authentication,
 * which the manifests do not describe: the side is indeterminate, and the text says what the mode
 * means. `required` is mutual authentication (SPIRE); `test-always-fail` is Cilium's test handler
 * that denies every authentication request (cilium/cilium#24609), so it must not be explained as
 * depending on SPIRE. A flow that Cilium 1.18 (which applies fromRequires/toRequires) and 1.19+
 * (which rejects those policies) decide differently names the requiring policies that select its
 * subject, not every requiring policy of the cluster.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';

function pod(name: string, app: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { containers: [{ name: 'app', image: `example/${app}:1.0`, ports: [{ containerPort: 8080 }] }] },
  };
}

const cluster = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, pod('web-1', 'web'), pod('api-1', 'api')];

function withMode(mode: string): any {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-auth', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], authentication: { mode } }],
    },
  };
}

function analyse(mode: string) {
  const reach = Reachability.fromManifests([...cluster, withMode(mode)], { cni: Cni.cilium() });
  const result = reach.check(Target.workload('shop', 'web-1'), Target.workload('shop', 'api-1'), Port.tcp(8080));
  const flow = reach.matrix().flows.find((f) => f.source === 'shop/web-1' && f.destination === 'shop/api-1')!;
  return { verdict: result.verdict, uncertainties: result.uncertainties, reason: flow.reason, notes: reach.notes };
}

describe('Cilium authentication texts say what the mode means', () => {
  test('required: mutual authentication depends on the cluster\'s SPIRE setup', () => {
    const why = 'CiliumNetworkPolicy shop/api-auth spec.ingress[0]: authentication.mode required: the allow needs Cilium mutual authentication, '
      + 'which depends on the cluster\'s SPIRE setup';
    expect(analyse('required')).toEqual({
      verdict: Verdict.INDETERMINATE,
      uncertainties: [why],
      reason: `ingress: ${why}`,
      notes: ['CiliumNetworkPolicy shop/api-auth is evaluated in part: spec.ingress[0].authentication.mode required (mutual authentication depends '
        + 'on the cluster\'s SPIRE, not on the manifests) is not modelled exactly; the flows it could change are indeterminate'],
    });
  });

  test('test-always-fail: a test handler that fails every request, not SPIRE (the text said SPIRE)', () => {
    const why = 'CiliumNetworkPolicy shop/api-auth spec.ingress[0]: authentication.mode test-always-fail: the allow needs Cilium\'s test '
      + 'authentication, which fails every request; whether the agent enforces it is not in the manifests';
    expect(analyse('test-always-fail')).toEqual({
      verdict: Verdict.INDETERMINATE,
      uncertainties: [why],
      reason: `ingress: ${why}`,
      notes: ['CiliumNetworkPolicy shop/api-auth is evaluated in part: spec.ingress[0].authentication.mode test-always-fail (a test handler that '
        + 'fails every authentication; whether the agent enforces it is not in the manifests) is not modelled exactly; the flows it could change are indeterminate'],
    });
  });
});

describe('fromRequires: the text names the requiring policy that selects the subject', () => {
  const requiring = (name: string, app: string): any => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app } },
      ingress: [{ fromRequires: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ops' } }], fromEndpoints: [{}] }],
    },
  });

  test('two requiring policies: the flow into web names web-requires only (it named both)', () => {
    const reach = Reachability.fromManifests([...cluster, requiring('web-requires', 'web'), requiring('api-requires', 'api')], { cni: Cni.cilium() });
    const why = 'CiliumNetworkPolicy shop/web-requires uses fromRequires/toRequires, which Cilium 1.18 applies and 1.19+ rejects with the whole '
      + 'policy (cilium/cilium#42615): the two give different verdicts here';
    const result = reach.check(Target.workload('shop', 'api-1'), Target.workload('shop', 'web-1'), Port.tcp(8080));
    expect([result.verdict, result.uncertainties]).toEqual([Verdict.INDETERMINATE, [why]]);
    const flow = reach.matrix().flows.find((f) => f.source === 'shop/api-1' && f.destination === 'shop/web-1')!;
    expect(flow.reason).toBe(`ingress: ${why}`);
  });
});
