/**
 * Under `Cni.calico()`, every uncertainty text names the policy, the rule and its action, and the
 * side (source or destination) whose unknown address it is about: a Kubernetes NetworkPolicy ipBlock
 * as Calico enforces it (in the default tier, as an Allow rule), and a selector or notSelector that
 * reaches a network set whose CIDRs may or may not hold the peer's address
 * (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset). The texts are shown
 * alike by check, the flow matrix and the diff.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';

const UNKNOWN_IP = 'its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)';

function pod(ns: string, name: string, app: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app } },
    spec: { containers: [{ name: 'app', image: `example/${app}:1.0`, ports: [{ containerPort: 8080 }] }] },
  };
}

const cluster = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  pod('shop', 'web-1', 'web'),
  pod('shop', 'api-1', 'api'),
];
const web = Target.workload('shop', 'web-1');
const api = Target.workload('shop', 'api-1');
const HTTP = Port.tcp(8080);

function calico(kind: string, name: string, spec: any, extra: any = {}): any {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(kind === 'NetworkPolicy' ? { namespace: 'shop' } : {}), ...extra }, spec };
}

const partners = calico('GlobalNetworkSet', 'partners', { nets: ['10.0.0.0/8'] }, { labels: { role: 'partner' } });

/** check's uncertainties, and the matrix reason and diff deciders of the web -> api flow, which must carry them. */
function shown(reach: Reachability): { check: string[]; matrix?: string; diff: string[] } {
  const result = reach.check(web, api, HTTP);
  expect(result.verdict).toBe(Verdict.INDETERMINATE);
  const flow = reach.matrix().flows.find((f) => f.source === 'shop/web-1' && f.destination === 'shop/api-1')!;
  const change = Reachability.fromManifests(cluster, { cni: Cni.calico() }).diff(reach).changes
    .find((c) => c.source === 'shop/web-1' && c.destination === 'shop/api-1')!;
  return { check: result.uncertainties, matrix: flow.reason, diff: change.decidedAfter.filter((d) => d.includes('indeterminate')) };
}

describe('Calico uncertainty texts name their policy, rule and side', () => {
  test('a Kubernetes NetworkPolicy ipBlock under Calico names the policy and the rule (it named neither)', () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-in', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    };
    const why = 'Kubernetes NetworkPolicy shop/api-in spec.ingress[0].from[0].ipBlock (Allow): ipBlock 10.0.0.0/8 may or may not contain the '
      + `source's address: ${UNKNOWN_IP}`;
    expect(shown(Reachability.fromManifests([...cluster, np], { cni: Cni.calico() })))
      .toEqual({ check: [why], matrix: `ingress: ${why}`, diff: [`ingress: indeterminate: ${why}`] });
    // The same policy under Kubernetes semantics names it the same way (without Calico's tier wording).
    expect(Reachability.fromManifests([...cluster, np], { cni: Cni.kubernetes() }).check(web, api, HTTP).uncertainties)
      .toEqual([`NetworkPolicy shop/api-in spec.ingress[0].from[0].ipBlock: ipBlock 10.0.0.0/8 may or may not contain the source's address: ${UNKNOWN_IP}`]);
  });

  test('a source selector reaching a network set says it is the source\'s address (it said "the address")', () => {
    const policy = calico('NetworkPolicy', 'api-partners', {
      selector: 'app == "api"',
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { selector: 'role == "partner"', namespaceSelector: 'global()' } }],
    });
    const why = `NetworkPolicy shop/api-partners spec.ingress[0] (Allow): source.selector: the network sets it reaches may or may not contain the source's address: ${UNKNOWN_IP}`;
    expect(shown(Reachability.fromManifests([...cluster, partners, policy], { cni: Cni.calico() })))
      .toEqual({ check: [why], matrix: `ingress: ${why}`, diff: [`ingress: indeterminate: ${why}`] });
  });

  test('a destination notSelector reaching a network set says it is the destination\'s address', () => {
    const policy = calico('GlobalNetworkPolicy', 'web-out', {
      selector: 'app == "web"',
      types: ['Egress'],
      egress: [{ action: 'Allow', destination: { notSelector: 'role == "partner"' } }],
    });
    const why = 'GlobalNetworkPolicy web-out spec.egress[0] (Allow): destination.notSelector: the network sets it reaches may or may not contain '
      + `the destination's address: ${UNKNOWN_IP}`;
    expect(shown(Reachability.fromManifests([...cluster, partners, policy], { cni: Cni.calico() })))
      .toEqual({ check: [why], matrix: `egress: ${why}`, diff: [`egress: indeterminate: ${why}`] });
  });
});
