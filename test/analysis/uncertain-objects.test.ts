/**
 * Valid objects the analyzer cannot evaluate exactly make every flow they could affect
 * indeterminate, with the reason, and are listed in the notes; flows they cannot affect keep their
 * verdicts.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { PolicyLint } from '../../src/lint';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';

const ports = { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] };
const base = [
  namespace('shop'), namespace('other'),
  deployment('shop', 'web', { app: 'web' }, ports),
  deployment('shop', 'db', { app: 'db' }, ports),
  deployment('other', 'tool', { app: 'tool' }, ports),
];
const web = Target.workload('shop', 'web');
const db = Target.workload('shop', 'db');
const tool = Target.workload('other', 'tool');
const p8080 = Port.tcp(8080);

function verdicts(reach: Reachability): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const [a, b, name] of [[web, db, 'web>db'], [db, web, 'db>web'], [tool, db, 'tool>db'], [tool, web, 'tool>web'], [web, tool, 'web>tool']] as const) {
    out[name] = reach.check(a, b, p8080).verdict;
  }
  return out;
}

describe('AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 are not evaluated', () => {
  const anp = (kind: string, rules: any) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind,
    metadata: { name: kind === 'AdminNetworkPolicy' ? 'x' : 'default' },
    spec: { ...(kind === 'AdminNetworkPolicy' ? { priority: 10 } : {}), subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }, ...rules },
  });

  test('an ANP with Deny ingress rules makes the allowed ingress of the pods it selects indeterminate, nothing else', () => {
    const reach = Reachability.fromManifests([...base, anp('AdminNetworkPolicy', { ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] })], { cni: Cni.kubernetes() });
    expect(verdicts(reach)).toEqual({
      'web>db': Verdict.INDETERMINATE, 'db>web': Verdict.ALLOW, 'tool>db': Verdict.INDETERMINATE, 'tool>web': Verdict.ALLOW, 'web>tool': Verdict.ALLOW,
    });
    const result = reach.check(web, db, p8080);
    expect(result.ingress.uncertainties).toEqual(['AdminNetworkPolicy x selects the destination and is not evaluated (AdminNetworkPolicy v1alpha1): its rules may override NetworkPolicy']);
    expect(reach.notes).toEqual(['AdminNetworkPolicy x (policy.networking.k8s.io/v1alpha1) is not evaluated: whether and how the CNI enforces '
      + 'AdminNetworkPolicy v1alpha1 is unknown (ClusterNetworkPolicy v1alpha2 replaces it); flows of the pods it selects are indeterminate where its rules could change them']);
  });

  test('an ANP with only Allow rules cannot change an allowed flow, only a denied one', () => {
    const denyDb = networkPolicy('deny-db', 'shop', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    const allowOnly = anp('AdminNetworkPolicy', { ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] });
    expect(verdicts(Reachability.fromManifests([...base, allowOnly], { cni: Cni.kubernetes() }))['web>db']).toBe(Verdict.ALLOW);
    expect(verdicts(Reachability.fromManifests([...base, allowOnly, denyDb], { cni: Cni.kubernetes() }))['web>db']).toBe(Verdict.INDETERMINATE);
  });

  test('a BANP only matters where no NetworkPolicy isolates the pod', () => {
    const banp = anp('BaselineAdminNetworkPolicy', { ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
    const allowWeb = networkPolicy('db-from-web', 'shop', {
      podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    expect(verdicts(Reachability.fromManifests([...base, banp], { cni: Cni.kubernetes() }))['web>db']).toBe(Verdict.INDETERMINATE);
    const isolated = verdicts(Reachability.fromManifests([...base, banp, allowWeb], { cni: Cni.kubernetes() }));
    expect([isolated['web>db'], isolated['tool>db']]).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });

  test('a pair\'s uncertainty says which side the policy selects (it said "this pod")', () => {
    const banp = anp('BaselineAdminNetworkPolicy', { egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
    const reach = Reachability.fromManifests([...base, banp], { cni: Cni.kubernetes() });
    expect(reach.check(db, web, p8080).uncertainties).toEqual(['BaselineAdminNetworkPolicy default selects the source and is not evaluated '
      + '(BaselineAdminNetworkPolicy v1alpha1): its rules may apply where no NetworkPolicy isolates it']);
    // The flow into db is not the subject's egress: the BANP does not touch it.
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.ALLOW);
  });
});

describe('objects of another CNI than the one analysed', () => {
  const calicoDeny = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'db-ingress', namespace: 'shop' },
    spec: { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { namespaceSelector: "kubernetes.io/metadata.name == 'other'" } }] },
  };
  const ciliumAllow = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'db-ingress', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
  };

  test('the manifests are valid', () => {
    expectValidManifests([calicoDeny, ciliumAllow]);
  });

  test('Calico objects with Cni.kubernetes(): only the sides of the endpoints they select are indeterminate', () => {
    const reach = Reachability.fromManifests([...base, calicoDeny], { cni: Cni.kubernetes() });
    expect(verdicts(reach)).toEqual({
      'web>db': Verdict.INDETERMINATE, 'db>web': Verdict.ALLOW, 'tool>db': Verdict.INDETERMINATE, 'tool>web': Verdict.ALLOW, 'web>tool': Verdict.ALLOW,
    });
    expect(reach.check(tool, db, p8080).uncertainties).toEqual([
      'NetworkPolicy shop/db-ingress may select the destination and is not evaluated (a Calico policy, analysed for the kubernetes CNI (a cluster that runs Calico enforces it))',
    ]);
    expect(reach.notes).toHaveLength(1);
    // With Cni.calico() the same object is evaluated exactly.
    expect(verdicts(Reachability.fromManifests([...base, calicoDeny], { cni: Cni.calico() }))).toEqual({
      'web>db': Verdict.DENY, 'db>web': Verdict.ALLOW, 'tool>db': Verdict.DENY, 'tool>web': Verdict.ALLOW, 'web>tool': Verdict.ALLOW,
    });
  });

  test('PolicyLint says no more than the analyzer: "restricts nothing" only of a cluster that runs the CNI given', () => {
    // The analyzer keeps the flows the object could change indeterminate (the cluster may run Calico
    // after all); the lint error is about a cluster that runs what was said, and says so.
    const [finding] = PolicyLint.check([...base, calicoDeny], { cni: Cni.kubernetes() }).filter((f) => f.rule === 'policy-on-unenforcing-cni');
    expect(finding.message).toBe("projectcalico.org policies are enforced only by calico, not by 'kubernetes': "
      + "on a cluster that runs 'kubernetes' this policy is accepted by the API server but restricts nothing");
    expect(Reachability.fromManifests([...base, calicoDeny], { cni: Cni.kubernetes() }).check(tool, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('Cilium objects with Cni.calico(): the selected pods\' ingress is indeterminate (default deny and allows)', () => {
    const reach = Reachability.fromManifests([...base, ciliumAllow], { cni: Cni.calico() });
    expect(verdicts(reach)).toEqual({
      'web>db': Verdict.INDETERMINATE, 'db>web': Verdict.ALLOW, 'tool>db': Verdict.INDETERMINATE, 'tool>web': Verdict.ALLOW, 'web>tool': Verdict.ALLOW,
    });
    expect(verdicts(Reachability.fromManifests([...base, ciliumAllow], { cni: Cni.cilium() }))).toMatchObject({ 'web>db': Verdict.ALLOW, 'tool>db': Verdict.DENY });
  });

  test('a CNI that enforces nothing ignores them all (no uncertainty: nothing is enforced)', () => {
    const reach = Reachability.fromManifests([...base, calicoDeny, ciliumAllow], { cni: Cni.flannel({ acknowledgeUnenforcedPolicies: true }) });
    expect(Object.values(verdicts(reach)).every((v) => v === Verdict.ALLOW)).toBe(true);
    expect(reach.notes).toEqual(['2 policy object(s) ignored: flannel enforces no NetworkPolicy']);
  });

  test('Calico staged policies are never enforced: a note, no effect', () => {
    const staged = { ...calicoDeny, kind: 'StagedNetworkPolicy' };
    const reach = Reachability.fromManifests([...base, staged], { cni: Cni.calico() });
    expect(verdicts(reach)['tool>db']).toBe(Verdict.ALLOW);
    expect(reach.notes).toEqual(['1 Calico staged policy is not enforced (staged policies only report what they would do)']);
  });
});

describe('Cilium rules the analyzer does not resolve', () => {
  const cnp = (egress: any[]) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web-egress', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress },
  });

  test('toServices only affects the egress of the endpoints it selects', () => {
    const reach = Reachability.fromManifests([...base, cnp([{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }])], { cni: Cni.cilium() });
    expect(verdicts(reach)).toEqual({
      'web>db': Verdict.INDETERMINATE, 'db>web': Verdict.ALLOW, 'tool>db': Verdict.ALLOW, 'tool>web': Verdict.ALLOW, 'web>tool': Verdict.INDETERMINATE,
    });
  });

  test('each policy holding rules evaluated in part is a note naming the object and the JSON paths', () => {
    const policy = {
      ...cnp([{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }, { toNodes: [{ matchLabels: { role: 'infra' } }] }]),
      specs: [{ endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{}], authentication: { mode: 'required' } }] }],
    };
    expectValidManifests([policy]);
    const reach = Reachability.fromManifests([...base, policy], { cni: Cni.cilium() });
    expect(reach.notes).toEqual(['CiliumNetworkPolicy shop/web-egress is evaluated in part: '
      + 'spec.egress[0].toServices (the Service backends are not resolved); spec.egress[1].toNodes (node labels are not in the manifests); '
      + "specs[0].ingress[0].authentication.mode required (mutual authentication depends on the cluster's SPIRE, not on the manifests) "
      + 'are not modelled exactly; the flows they could change are indeterminate']);
    // explain() and the matrix carry the note; the reason is on each flow.
    expect(reach.explain(web, db, p8080)).toContain(`note: ${reach.notes[0]}`);
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    // Analysed for another CNI, the policy is a policy of another CNI (one note of that kind instead).
    expect(Reachability.fromManifests([...base, policy], { cni: Cni.kubernetes() }).notes).toEqual([
      'CiliumNetworkPolicy shop/web-egress (cilium.io/v2) is not evaluated: a Cilium policy, analysed for the kubernetes CNI '
      + '(a cluster that runs Cilium enforces it); flows of the endpoints it selects are indeterminate where it could change them',
    ]);
  });

  test('toNodes: the policy applies only when the agent runs with enable-node-selector-labels, so what it denies pods is indeterminate', () => {
    const reach = Reachability.fromManifests([...base, cnp([{ toNodes: [{ matchLabels: { role: 'infra' } }] }])], { cni: Cni.cilium() });
    const toDb = reach.check(web, db, p8080);
    expect(toDb.verdict).toBe(Verdict.INDETERMINATE);
    expect(toDb.uncertainties.join('\n')).toContain('enable-node-selector-labels');
    expect(reach.check(web, Target.remoteNode(), p8080).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('authentication.mode required makes the allow depend on mutual authentication', () => {
    const reach = Reachability.fromManifests([...base, cnp([{ toEndpoints: [{ matchLabels: { app: 'db' } }], authentication: { mode: 'required' } }])],
      { cni: Cni.cilium() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    expect(reach.check(web, tool, p8080).verdict).toBe(Verdict.DENY);
  });
});

describe('Calico rules and host endpoints the analyzer does not resolve', () => {
  const gnp = (name: string, spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });

  test('a services rule may match any peer; its other constraints still apply', () => {
    const policy = gnp('db-from-svc', {
      selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { services: { name: 'web', namespace: 'shop' } } }],
    });
    const reach = Reachability.fromManifests([...base, policy], { cni: Cni.calico() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    expect(reach.check(web, db, Port.udp(8080)).verdict).toBe(Verdict.DENY);
    expect(reach.check(web, db, p8080).uncertainties).toEqual([
      "GlobalNetworkPolicy db-from-svc spec.ingress[0] (Allow): source.services: the Service's endpoints are not resolved by the analysis",
    ]);
  });

  test('source ports are ephemeral: a rule on them (ports or notPorts) may or may not match', () => {
    for (const source of [{ ports: [1024] }, { notPorts: [1024] }]) {
      const policy = gnp('db-src-port', { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source }] });
      expectValidManifests([policy]);
      expect(Reachability.fromManifests([...base, policy], { cni: Cni.calico() }).check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    }
  });

  test('a note names each Calico policy with services peers or source ports, and the JSON paths', () => {
    const policy = gnp('db-in', {
      selector: "app == 'db'",
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 'TCP', source: { services: { name: 'web', namespace: 'shop' } } },
        { action: 'Deny', protocol: 'TCP', source: { notPorts: [1024] } },
      ],
    });
    expectValidManifests([policy]);
    expect(Reachability.fromManifests([...base, policy], { cni: Cni.calico() }).notes).toEqual(['GlobalNetworkPolicy db-in is evaluated in part: '
      + "spec.ingress[0].source.services (the Service's endpoints are not resolved); "
      + 'spec.ingress[1].source.notPorts (the source port of a connection is ephemeral) '
      + 'are not modelled exactly; the flows they could change are indeterminate']);
  });

  test('with HostEndpoints, policies that may select them make node and forwarded flows indeterminate', () => {
    const hep = { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'node-1-eth0', labels: { role: 'node' } }, spec: { node: 'node-1', interfaceName: 'eth0' } };
    const hostPolicy = gnp('hosts', { selector: "role == 'node'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [22] } }] });
    const forward = gnp('forward', { selector: "role == 'node'", applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny', source: { nets: ['203.0.113.0/24'] } }] });
    expectValidManifests([hep, hostPolicy, forward]);
    const onlyHosts = Reachability.fromManifests([...base, hep, hostPolicy], { cni: Cni.calico() });
    expect(onlyHosts.check(web, Target.remoteNode(), p8080).verdict).toBe(Verdict.INDETERMINATE);
    expect(onlyHosts.check(web, db, p8080).verdict).toBe(Verdict.ALLOW);
    const forwarding = Reachability.fromManifests([...base, hep, forward], { cni: Cni.calico() });
    expect(forwarding.check(Target.external('203.0.113.9'), db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    // Host-to-local-workload traffic is allowed before any policy.
    expect(forwarding.check(Target.localNode(), db, p8080).verdict).toBe(Verdict.ALLOW);
    // Without HostEndpoints the same policies select nothing.
    const noHosts = Reachability.fromManifests([...base, hostPolicy], { cni: Cni.calico() });
    expect(noHosts.check(web, Target.remoteNode(), p8080).verdict).toBe(Verdict.ALLOW);
  });
});
