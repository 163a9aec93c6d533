/**
 * A pod that declares one port name with two numbers (in two containers: the API server accepts it,
 * though the Pod API asks for names unique within the pod). Kubernetes' model (and Calico's) match
 * a policy's named port against every declaration; Cilium keeps one number per name for the
 * endpoint (its named-port map has one entry per name), so a policy naming the port opens one of the
 * two numbers only, and which one is an implementation detail: indeterminate on Cilium.
 */
import { Cni, Port, Reachability, Target, Verdict } from '../../../src';
import { expectValidManifests } from '../../support/schema';

const server = (ports: Array<Array<{ name: string; containerPort: number }>>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'srv', namespace: 'a', labels: { app: 'srv' } },
  spec: { containers: ports.map((p, i) => ({ name: `c${i}`, image: 'x', ports: p })) },
});
const client = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cli', namespace: 'a', labels: { app: 'cli' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
const TWO_NUMBERS = server([[{ name: 'http', containerPort: 8080 }], [{ name: 'http', containerPort: 9090 }]]);
const ingressByName = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'np', namespace: 'a' },
  spec: { podSelector: { matchLabels: { app: 'srv' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }] },
};
const egressByName = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'out', namespace: 'a' },
  spec: {
    endpointSelector: { matchLabels: { app: 'cli' } },
    egress: [{ toEndpoints: [{ matchLabels: { app: 'srv' } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
  },
};
const CLI = Target.pod('a', { app: 'cli' });
const SRV = Target.pod('a', { app: 'srv' });

function verdicts(manifests: any[], cni: Cni): Verdict[] {
  const reach = Reachability.fromManifests(manifests, { cni });
  return [8080, 9090, 7070].map((port) => reach.check(CLI, SRV, Port.tcp(port)).verdict);
}

describe('a port name declared with two numbers in one pod', () => {
  test('Kubernetes and Calico: a policy naming the port opens both numbers', () => {
    for (const cni of [Cni.kubernetes(), Cni.calico()]) {
      expect(verdicts([TWO_NUMBERS, client, ingressByName], cni)).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.DENY]);
    }
  });

  test('Cilium, ingress (NetworkPolicy): indeterminate on both numbers, with the reason; other ports stay exact', () => {
    const reach = Reachability.fromManifests([TWO_NUMBERS, client, ingressByName], { cni: Cni.cilium() });
    expect(verdicts([TWO_NUMBERS, client, ingressByName], Cni.cilium())).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE, Verdict.DENY]);
    expect(reach.check(CLI, SRV, Port.tcp(8080)).ingress.uncertainties).toEqual([
      'the destination declares a port name that a policy uses with several numbers, and Cilium resolves the name to one of them',
    ]);
    expect(reach.notes.some((n) => n.startsWith('port names that policies use and pods declare with several numbers (http/TCP)'))).toBe(true);
  });

  test('Cilium, egress (CiliumNetworkPolicy): indeterminate on both numbers', () => {
    expect(verdicts([TWO_NUMBERS, client, egressByName], Cni.cilium())).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE, Verdict.DENY]);
  });

  test('Cilium: exact when the name has one number, when no policy names the port, or for numeric ports', () => {
    const oneNumber = server([[{ name: 'http', containerPort: 8080 }], [{ name: 'metrics', containerPort: 9090 }]]);
    expect(verdicts([oneNumber, client, ingressByName], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.DENY]);
    const numeric = { ...ingressByName, spec: { ...ingressByName.spec, ingress: [{ ports: [{ port: 8080 }] }] } };
    expect(verdicts([TWO_NUMBERS, client, numeric], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.DENY]);
    expect(Reachability.fromManifests([TWO_NUMBERS, client, numeric], { cni: Cni.cilium() }).notes.filter((n) => n.includes('port name'))).toEqual([]);
  });
});

describe('a port name two pods declare with different numbers', () => {
  const other = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 9090 }] }] },
  };
  const oneNumber = server([[{ name: 'http', containerPort: 8080 }]]);

  test('Cilium egress by name: indeterminate (Cilium refuses a named port whose pods disagree), with the reason', () => {
    const reach = Reachability.fromManifests([oneNumber, other, client, egressByName], { cni: Cni.cilium() });
    const v = reach.check(CLI, SRV, Port.tcp(8080));
    expect([v.verdict, v.egress.uncertainties]).toEqual([Verdict.INDETERMINATE, [
      "the destination's port name that a policy uses has other numbers on other pods or containers, and Cilium refuses an egress named port whose pods disagree",
    ]]);
    // Without the other pod the name has one number: exact.
    expect(verdicts([oneNumber, client, egressByName], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.DENY]);
  });

  test('Cilium ingress by name is resolved at the pod itself: exact', () => {
    expect(verdicts([oneNumber, other, client, ingressByName], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.DENY]);
  });
});

describe('a conflicting port name on a subject that is not in default deny', () => {
  const named = (entry: any) => ({ ports: [{ port: 'http', protocol: 'TCP' }], ...entry });
  const ingressCnp = (name: string, spec: any) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'a' },
    spec: { endpointSelector: { matchLabels: { app: 'srv' } }, ...spec },
  });

  test('enableDefaultDeny.ingress false with an allow by name: Cilium allows every flow, whatever number the name resolves to', () => {
    const policy = ingressCnp('allow-by-name', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{}], toPorts: [named({})] }] });
    const reach = Reachability.fromManifests([TWO_NUMBERS, client, policy], { cni: Cni.cilium() });
    expect(verdicts([TWO_NUMBERS, client, policy], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(reach.check(CLI, SRV, Port.tcp(8080)).ingress.uncertainties).toEqual([]);
    // Egress by name from a source without default deny: allowed too.
    const egressOff = { ...egressByName, spec: { ...egressByName.spec, enableDefaultDeny: { egress: false } } };
    expect(verdicts([TWO_NUMBERS, client, egressOff], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
  });

  test('still indeterminate where the name matters: a deny rule by name, L7 rules, or a NetworkPolicy isolating the subject', () => {
    const deny = ingressCnp('deny-by-name', { enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{}], toPorts: [named({})] }] });
    expect(verdicts([TWO_NUMBERS, client, deny], Cni.cilium())).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE, Verdict.ALLOW]);
    const l7 = ingressCnp('l7-by-name', {
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [{}], toPorts: [named({ rules: { http: [{ method: 'GET' }] } })] }],
    });
    expect(verdicts([TWO_NUMBERS, client, l7], Cni.cilium())).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE, Verdict.ALLOW]);
    const off = ingressCnp('allow-by-name', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{}], toPorts: [named({})] }] });
    const isolating = { ...ingressByName, spec: { ...ingressByName.spec, ingress: [{ ports: [{ port: 7070 }] }] } };
    expect(verdicts([TWO_NUMBERS, client, off, isolating], Cni.cilium())).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE, Verdict.ALLOW]);
  });
});

/**
 * Cilium matches a NetworkPolicy's podSelector against the pod's security identity, which leaves out
 * the labels its default label filter drops (util/cilium-label-filter; docs.cilium.io "Limiting
 * Identity-Relevant Labels"): a policy selecting by `controller-revision-hash` selects nothing, so the
 * names it uses cannot matter, and it isolates nobody.
 */
describe('NetworkPolicies selecting by labels Cilium leaves out of identities', () => {
  const hashed = { ...TWO_NUMBERS, metadata: { ...TWO_NUMBERS.metadata, labels: { 'app': 'srv', 'controller-revision-hash': 'srv-7f' } } };
  const byHash = {
    ...ingressByName,
    metadata: { name: 'np-hash', namespace: 'a' },
    spec: { ...ingressByName.spec, podSelector: { matchLabels: { 'controller-revision-hash': 'srv-7f' } } },
  };

  test('the manifests are valid', () => {
    expectValidManifests([hashed, client, byHash]);
  });

  test('a policy naming a conflicting port selects no identity: every flow allowed, no uncertainty (was indeterminate)', () => {
    const reach = Reachability.fromManifests([hashed, client, byHash], { cni: Cni.cilium() });
    expect(verdicts([hashed, client, byHash], Cni.cilium())).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(reach.check(CLI, SRV, Port.tcp(8080)).ingress.uncertainties).toEqual([]);
    // Kubernetes' own model selects by every pod label: the policy isolates srv.
    expect(verdicts([hashed, client, byHash], Cni.kubernetes())).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.DENY]);
  });

  test('a duplicated policy stays indeterminate next to one that isolates nothing under Cilium (was a confident allow)', () => {
    const isolateByHash = { ...byHash, spec: { podSelector: { matchLabels: { 'controller-revision-hash': 'srv-7f' } }, policyTypes: ['Ingress'] } };
    const copy = (ports: number[]) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'dup', namespace: 'a' },
      spec: { podSelector: { matchLabels: { app: 'srv' } }, policyTypes: ['Ingress'], ingress: [{ ports: ports.map((port) => ({ port })) }] },
    });
    const manifests = [hashed, client, isolateByHash, copy([8080]), copy([9090])];
    expectValidManifests(manifests);
    // Under Cilium nothing surely isolates srv: each copy of dup may, so 7070 is indeterminate, not allowed.
    expect(verdicts(manifests, Cni.cilium())[2]).toBe(Verdict.INDETERMINATE);
  });
});
