/**
 * The LoadBalancer Service rules: a Service open to every address (loadbalancer-source-ranges), an
 * externalTrafficPolicy Cluster in front of ipBlock policies (loadbalancer-cluster-policy-snat), and an
 * AWS NLB that hides the client address behind source ranges (loadbalancer-client-ip-hidden). The
 * LoadBalancerService construct's own output lints clean.
 */
import { Chart, Testing } from 'cdk8s';
import { admitting, brief, deployment, lintRule, netpol } from './support';
import {
  AwsNlbTargetType, CiliumInstall, ClusterNetwork, Cni, Delivery, ExternalTrafficPolicy, IpFamily, LoadBalancerCloud, LoadBalancerService,
  LoadBalancerServiceProps, PolicyLint,
} from '../../src';
import { clientJudge } from '../../src/lint/load-balancer-clients';
import { ingressPolicies } from '../../src/lint/load-balancer-pods';
import { loadBalancerSourceRanges } from '../../src/lint/rules/load-balancer-source-ranges';
import { expectValidManifests, validateManifests } from '../support/schema';
import { chartFor, synthValid } from '../support/synth';

const RANGES = 'loadbalancer-source-ranges';
const SNAT = 'loadbalancer-cluster-policy-snat';
const HIDDEN = 'loadbalancer-client-ip-hidden';
const AWS_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';
const AWS_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
const LEGACY = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const AWS_LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';

/** A LoadBalancer Service `shop/web` for the pods `app: web`, port 80 -> 8080, with `spec` and `annotations` merged in. */
function service(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', ...(annotations ? { annotations } : {}) },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}
const OFFICE = { ipBlock: { cidr: '203.0.113.0/24' } };
const RANGED = { loadBalancerSourceRanges: ['203.0.113.0/24'] };

/** A Calico NetworkPolicy `shop/web-from-office` admitting 203.0.113.0/24 to the pods `app: web` on TCP 8080. */
function calicoFromOffice(): any {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-from-office', namespace: 'shop' },
    spec: {
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { nets: ['203.0.113.0/24'] }, destination: { ports: [8080] } }],
    },
  };
}

/** A CiliumNetworkPolicy `shop/web-from-office` admitting 203.0.113.0/24 to the pods `app: web` on TCP 8080. */
function ciliumFromOffice(): any {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web-from-office', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
    },
  };
}

describe('loadbalancer-source-ranges', () => {
  test('no ranges anywhere: a warning on spec naming the open default and the fix', () => {
    const [f] = lintRule(RANGES, [service()]);
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toBe('is a LoadBalancer Service without spec.loadBalancerSourceRanges: it is open to every address (the load balancer admits '
      + '0.0.0.0/0 when no range is given)');
    expect(f.fix).toContain('LoadBalancerService allowFromAnywhere: true');
  });

  test('/0 next to narrower ranges of its family: a warning on the /0 entry; /0 alone: info (public by choice); other family untouched', () => {
    expect(brief(lintRule(RANGES, [service({ loadBalancerSourceRanges: ['203.0.113.0/24', '0.0.0.0/0'] })]))).toEqual([
      { rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec.loadBalancerSourceRanges[1]' },
    ]);
    expect(brief(lintRule(RANGES, [service({ loadBalancerSourceRanges: ['0.0.0.0/0', '2001:db8::/32'] })]))).toEqual([
      { rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec.loadBalancerSourceRanges[0]' },
    ]);
    expect(brief(lintRule(RANGES, [service({ loadBalancerSourceRanges: ['0.0.0.0/0', '::/0'] })]))).toEqual([
      { rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec.loadBalancerSourceRanges[0]' },
      { rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec.loadBalancerSourceRanges[1]' },
    ]);
  });

  test('the legacy annotation counts when the field is empty, /0 in it included; the field wins over it', () => {
    expect(lintRule(RANGES, [service({}, { [LEGACY]: '203.0.113.0/24, 198.51.100.0/24' })])).toEqual([]);
    expect(brief(lintRule(RANGES, [service({}, { [LEGACY]: '203.0.113.0/24,0.0.0.0/0' })]))).toEqual([
      { rule: RANGES, severity: 'warning', object: 'Service shop/web', path: `metadata.annotations["${LEGACY}"]` },
    ]);
    expect(lintRule(RANGES, [service(RANGED, { [LEGACY]: '0.0.0.0/0' })])).toEqual([]);
  });

  test('no ranges, but Local and the pods\' NetworkPolicies admit outside clients by ipBlock only: info naming the ranges', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const web = deployment('shop', 'web');
    const fromOfficeAndApi = admitting('web-in', 'web', [OFFICE, { podSelector: { matchLabels: { app: 'api' } } }]);
    const [f, ...rest] = lintRule(RANGES, [local, web, fromOfficeAndApi]);
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toBe('is a LoadBalancer Service without spec.loadBalancerSourceRanges, so the load balancer accepts every address; the pods\' '
      + 'policies admit outside clients only from 203.0.113.0/24, and see the client address');
    const warning = [{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }];
    // Cluster (the default): the pods see node addresses, not the client.
    expect(brief(lintRule(RANGES, [service(), web, fromOfficeAndApi]))).toEqual(warning);
    // Another policy admits everyone on the port, or every address by ipBlock.
    const everyone = netpol('all', 'shop', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] });
    expect(brief(lintRule(RANGES, [local, web, fromOfficeAndApi, everyone]))).toEqual(warning);
    expect(brief(lintRule(RANGES, [local, web, admitting('any', 'web', [{ ipBlock: { cidr: '0.0.0.0/0' } }])]))).toEqual(warning);
    // A pod behind the Service no policy isolates, or no workload shown.
    const frontOnly = netpol('front-in', 'shop', {
      podSelector: { matchLabels: { tier: 'front' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [OFFICE], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const front = deployment('shop', 'web', { labels: { tier: 'front' } });
    expect(brief(lintRule(RANGES, [local, front, frontOnly]))[0].severity).toBe('info');
    expect(brief(lintRule(RANGES, [local, front, deployment('shop', 'web2', { labels: { app: 'web' } }), frontOnly]))).toEqual(warning);
    expect(brief(lintRule(RANGES, [local, fromOfficeAndApi]))).toEqual(warning);
  });

  test('judged by the analyzer for the lint\'s CNI: Calico and Cilium policies admitting by address give the info; no CNI told, a warning that cannot tell', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const web = deployment('shop', 'web');
    const objects = [local, web, calicoFromOffice(), ciliumFromOffice()];
    const info = [{ rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec' }];
    for (const [cni, policy] of [[Cni.calico(), calicoFromOffice()], [Cni.cilium(), ciliumFromOffice()]] as const) {
      const [f, ...rest] = lintRule(RANGES, [local, web, policy], { cni });
      expect(rest).toEqual([]);
      expect(brief([f])).toEqual(info);
      expect(f.message).toContain('the pods\' policies admit outside clients only from 203.0.113.0/24, and see the client address');
    }
    // Both kinds at once, each CNI enforcing only its own (the other's object is foreign): cannot tell.
    expect(brief(lintRule(RANGES, objects, { cni: Cni.calico() }))[0].severity).toBe('warning');
    // No CNI told: plain NetworkPolicy semantics, under which the Calico policy is a foreign object the analyzer cannot weigh.
    const [f] = lintRule(RANGES, [local, web, calicoFromOffice()]);
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toMatch(/^is a LoadBalancer Service without spec.loadBalancerSourceRanges, so the load balancer accepts every address; the analysis cannot tell whether the pods' policies refuse some outside clients: .*NetworkPolicy shop\/web-from-office/);
    expect(f.fix).toContain('PolicyLintOptions.cni');
  });

  test('a policy the CNI enforces that admits every address opens the pods again (Cilium world entity, Calico GlobalNetworkPolicy): the warning', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const web = deployment('shop', 'web');
    const world = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'web-from-world' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
    };
    const everyone = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'web-from-anywhere' },
      spec: { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }] },
    };
    const warning = [{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }];
    const fromOffice = admitting('web-from-office', 'web', [OFFICE]);
    expect(brief(lintRule(RANGES, [local, web, fromOffice], { cni: Cni.cilium() }))[0].severity).toBe('info');
    expect(brief(lintRule(RANGES, [local, web, fromOffice, world], { cni: Cni.cilium() }))).toEqual(warning);
    expect(brief(lintRule(RANGES, [local, web, fromOffice], { cni: Cni.calico() }))[0].severity).toBe('info');
    expect(brief(lintRule(RANGES, [local, web, fromOffice, everyone], { cni: Cni.calico() }))).toEqual(warning);
  });

  test('a CNI that enforces no NetworkPolicy (Flannel): the ipBlock policy refuses nobody, so the warning, not the info', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const objects = [local, deployment('shop', 'web'), admitting('web-from-office', 'web', [OFFICE])];
    expect(brief(lintRule(RANGES, objects))[0].severity).toBe('info');
    expect(brief(lintRule(RANGES, objects, { cni: Cni.flannel() }))).toEqual([{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
  });

  test('a Cilium policy\'s rules in specs[] carve their ranges too: the info names the range it admits, never only the NetworkPolicy\'s', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const inSpecs = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-from-partner', namespace: 'shop' },
      specs: [{
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromCIDR: ['198.51.100.0/24'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      }],
    };
    const [f, ...rest] = lintRule(RANGES, [local, deployment('shop', 'web'), admitting('web-from-office', 'web', [OFFICE]), inSpecs], { cni: Cni.cilium() });
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toContain('the pods\' policies admit outside clients only from 198.51.100.0/24, 203.0.113.0/24, and see the client address');
  });

  test('a Calico rule admitting every IPv6 client (ipVersion 6, no nets) opens the pods though no policy names an IPv6 block: the warning', () => {
    const local = service({ externalTrafficPolicy: 'Local' });
    const everyV6 = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-from-ipv6', namespace: 'shop' },
      spec: { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', ipVersion: 6, destination: { ports: [8080] } }] },
    };
    const objects = [local, deployment('shop', 'web'), calicoFromOffice(), everyV6];
    expect(brief(lintRule(RANGES, objects, { cni: Cni.calico() }))).toEqual([{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
    // A cluster told to be IPv4 only has no IPv6 client: the office range alone gets in.
    const [f] = lintRule(RANGES, objects, { cni: Cni.calico(), ipFamilies: [IpFamily.IPV4] });
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toContain('only from 203.0.113.0/24, and see');
  });

  test('each pod is asked only about the regions of the CIDRs that can bear on it, not every Service\'s ranges', () => {
    const objects: any[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `web${i}`;
      objects.push({ ...service({ externalTrafficPolicy: 'Local', selector: { app: name } }), metadata: { name, namespace: 'shop' } });
      objects.push(deployment('shop', name), admitting(name, name, [{ ipBlock: { cidr: `198.51.${i}.0/24` } }]));
    }
    expectValidManifests(objects);
    const documents = objects.map((obj, index) => ({ obj, index }));
    const judge = clientJudge(documents, undefined, ingressPolicies(documents));
    const decide = jest.spyOn(judge.model, 'decide');
    const findings = loadBalancerSourceRanges.check({ documents });
    expect(findings.map((f) => f.severity)).toEqual(new Array(40).fill('info'));
    expect(findings[7].message).toContain('only from 198.51.7.0/24, and see');
    // Per pod: its own /24 and the two roots (the metadata address is a destination only).
    expect(decide).toHaveBeenCalledTimes(40 * 3);
  });

  test('an internal load balancer without ranges: info (the cloud network only), naming what makes it internal', () => {
    const info = (annotations: Record<string, string>, spec: Record<string, unknown> = {}) => lintRule(RANGES, [service(spec, annotations)])
      .map((f) => `${f.severity}: ${f.message.slice(0, f.message.indexOf(')') + 1)}`);
    expect(info({ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }))
      .toEqual(['info: is an internal LoadBalancer Service (service.beta.kubernetes.io/aws-load-balancer-scheme: internal)']);
    expect(info({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' }))
      .toEqual(['info: is an internal LoadBalancer Service (the AWS Load Balancer Controller\'s default scheme, internal)']);
    expect(info({}, { loadBalancerClass: 'service.k8s.aws/nlb' }))
      .toEqual(['info: is an internal LoadBalancer Service (the AWS Load Balancer Controller\'s default scheme, internal)']);
    expect(info({ 'networking.gke.io/load-balancer-type': 'Internal' }))
      .toEqual(['info: is an internal LoadBalancer Service (networking.gke.io/load-balancer-type: Internal)']);
    expect(info({ 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }))
      .toEqual(['info: is an internal LoadBalancer Service (service.beta.kubernetes.io/azure-load-balancer-internal: "true")']);
    // internet-facing, explicitly or under the in-tree AWS provider's default: the warning.
    expect(lintRule(RANGES, [service({}, {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    })]).map((f) => f.severity)).toEqual(['warning']);
    expect(lintRule(RANGES, [service({}, { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' })]).map((f) => f.severity)).toEqual(['warning']);
  });

  test('another implementation\'s loadBalancerClass: cloud "internal" annotations are ignored by the cloud provider, so the warning', () => {
    const metallb = { loadBalancerClass: 'metallb.io/metallb' };
    const internal: Array<Record<string, string>> = [{ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }, { 'networking.gke.io/load-balancer-type': 'Internal' },
      { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }, { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' }];
    for (const annotations of internal) {
      expect(lintRule(RANGES, [service(metallb, annotations)]).map((f) => f.severity)).toEqual(['warning']);
    }
  });

  // Before: a named targetPort resolved over plain init containers too, first declared first: the pods were asked on port 9090 (the
  // init container's), where the policy on 8080 admits nobody (the warning); and a policy admitting the office on 9090 gave the info,
  // though the pods are no endpoints of a port only a plain init container names. Kubernetes FindPort (pkg/api/v1/pod/util.go) reads containers, then native sidecars, never another init container.
  test('a named targetPort resolves as Kubernetes FindPort does: a native sidecar\'s port counts, a plain init container\'s does not', () => {
    const local = service({ externalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 'http' }] });
    const web = (initContainers: unknown[]) => {
      const d = deployment('shop', 'web', { ports: [9100] });
      d.spec.template.spec.initContainers = initContainers;
      return d;
    };
    const migrate = { name: 'migrate', image: 'migrate:1', ports: [{ name: 'http', containerPort: 9090 }] };
    const tls = { name: 'tls', image: 'tls:1', restartPolicy: 'Always', ports: [{ name: 'http', containerPort: 8080 }] };
    const fromOffice = admitting('web-from-office', 'web', [OFFICE]);
    // A container's restartPolicy (Kubernetes 1.28+) is unknown to the primary pinned version v1.27: the only finding allowed.
    const withSidecar = [local, web([migrate, tls]), fromOffice];
    for (const f of validateManifests(withSidecar)) {
      expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
    }
    const [f, ...rest] = PolicyLint.check(withSidecar).filter((x) => x.rule === RANGES);
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toContain('the pods\' policies admit outside clients only from 203.0.113.0/24, and see the client address');
    // Only the plain init container names the port: the pods are no endpoints of it, and nothing checks the clients.
    const onInitPort = admitting('web-from-office', 'web', [OFFICE], [{ protocol: 'TCP', port: 9090 }]);
    expect(brief(lintRule(RANGES, [local, web([migrate]), onInitPort]))).toEqual([{ rule: RANGES, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
  });

  test('only LoadBalancer Services: ClusterIP and NodePort Services are not reported', () => {
    expect(lintRule(RANGES, [service({ type: 'ClusterIP' }), service({ type: 'NodePort' })])).toEqual([]);
  });
});

describe('loadbalancer-cluster-policy-snat', () => {
  const web = deployment('shop', 'web');
  const fromOffice = admitting('web-from-office', 'web', [OFFICE]);

  test('Cluster by default, a workload behind the Service, an ipBlock on the target port: a warning on spec naming the peer', () => {
    const [f, ...rest] = lintRule(SNAT, [service(RANGED), web, fromOffice]);
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: SNAT, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toContain('externalTrafficPolicy Cluster (the default) to pods whose ingress is admitted by address: '
      + 'NetworkPolicy shop/web-from-office spec.ingress[0] (admits 203.0.113.0/24). A node forwarding');
    expect(f.fix).toContain('externalTrafficPolicy: Local');
    expect(f.fix).toContain('Calico\'s eBPF dataplane always');
  });

  test('explicit Cluster: the finding points at spec.externalTrafficPolicy; Local: none', () => {
    expect(brief(lintRule(SNAT, [service({ ...RANGED, externalTrafficPolicy: 'Cluster' }), web, fromOffice]))).toEqual([
      { rule: SNAT, severity: 'warning', object: 'Service shop/web', path: 'spec.externalTrafficPolicy' },
    ]);
    expect(lintRule(SNAT, [service({ ...RANGED, externalTrafficPolicy: 'Local' }), web, fromOffice])).toEqual([]);
  });

  test('no workload in the manifests: the selector\'s labels stand for the pods, judged only by policies that select every such pod', () => {
    expect(brief(lintRule(SNAT, [service(RANGED), fromOffice]))).toEqual([
      { rule: SNAT, severity: 'warning', object: 'Service shop/web', path: 'spec' },
    ]);
    // A NotIn expression may exclude some pods the Service picks: not exact, so silent.
    const notIn = netpol('web-from-office', 'shop', {
      podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] },
      policyTypes: ['Ingress'],
      ingress: [{ from: [OFFICE], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(lintRule(SNAT, [service(RANGED), notIn])).toEqual([]);
    // With the workload shown, the same policy selects it: exact again.
    expect(lintRule(SNAT, [service(RANGED), web, notIn])).toHaveLength(1);
  });

  test('named target ports resolve on the workload; other ports, pod peers, 0.0.0.0/0 without except and other pods are not reported', () => {
    const named = deployment('shop', 'web', { namedPorts: true });
    expect(lintRule(SNAT, [service({ ...RANGED, ports: [{ port: 80, targetPort: 'p8080' }] }), named, fromOffice])).toHaveLength(1);
    expect(lintRule(SNAT, [service({ ...RANGED, ports: [{ port: 80, targetPort: 'p9090' }] }), named, fromOffice])).toEqual([]);
    expect(lintRule(SNAT, [service(RANGED), web, admitting('p', 'web', [OFFICE], [{ protocol: 'TCP', port: 9090 }])])).toEqual([]);
    expect(lintRule(SNAT, [service(RANGED), web, admitting('p', 'web', [{ podSelector: {} }])])).toEqual([]);
    expect(lintRule(SNAT, [service(RANGED), web, admitting('p', 'web', [{ ipBlock: { cidr: '0.0.0.0/0' } }])])).toEqual([]);
    expect(lintRule(SNAT, [service(RANGED), web, deployment('shop', 'api'), admitting('p', 'api', [OFFICE])])).toEqual([]);
    // 0.0.0.0/0 with except may except the nodes: reported.
    expect(lintRule(SNAT, [service(RANGED), web,
      admitting('p', 'web', [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }])])).toHaveLength(1);
  });

  test('Calico nets and Cilium fromCIDR admitting by address, judged by the lint\'s CNI: the warning names the rule; Cilium\'s world entity: none', () => {
    const cases = [
      [Cni.calico(), calicoFromOffice(), 'NetworkPolicy shop/web-from-office spec.ingress[0] (admits 203.0.113.0/24)'],
      [Cni.cilium(), ciliumFromOffice(), 'CiliumNetworkPolicy shop/web-from-office spec.ingress[0] (admits 203.0.113.0/24)'],
    ] as const;
    for (const [cni, policy, where] of cases) {
      const [f, ...rest] = lintRule(SNAT, [service(RANGED), web, policy], { cni });
      expect(rest).toEqual([]);
      expect(brief([f])).toEqual([{ rule: SNAT, severity: 'warning', object: 'Service shop/web', path: 'spec' }]);
      expect(f.message).toContain(`to pods whose ingress is admitted by address: ${where}. A node forwarding`);
    }
    const world = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-from-world', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
    };
    expect(lintRule(SNAT, [service(RANGED), web, world], { cni: Cni.cilium() })).toEqual([]);
  });

  test('no CNI told and a Calico policy on the pods: an info that cannot tell, never silence or a claim', () => {
    const [f, ...rest] = lintRule(SNAT, [service(RANGED), web, calicoFromOffice()]);
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: SNAT, severity: 'info', object: 'Service shop/web', path: 'spec' }]);
    expect(f.message).toMatch(/^sends load balancer traffic with externalTrafficPolicy Cluster \(the default\), which a node forwarding to a pod on another node SNATs to its own address; the analysis cannot tell whether the pods' policies admit clients by address \(then they would see the node\): .*NetworkPolicy shop\/web-from-office/);
    // A CNI that enforces no policy: nothing admits by address.
    expect(lintRule(SNAT, [service(RANGED), web, calicoFromOffice(), fromOffice], { cni: Cni.flannel() })).toEqual([]);
  });

  test('Calico\'s eBPF dataplane keeps the client address (Installation BPF, or FelixConfiguration default bpfEnabled): not reported', () => {
    const installation = (linuxDataplane: string, name = 'default') => ({
      apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name }, spec: { calicoNetwork: { linuxDataplane } },
    });
    const felix = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { bpfEnabled: true } };
    expect(lintRule(SNAT, [service(RANGED), web, fromOffice, installation('BPF')])).toEqual([]);
    expect(lintRule(SNAT, [service(RANGED), web, fromOffice, felix])).toEqual([]);
    // The iptables dataplane SNATs like kube-proxy; an Installation wins over a FelixConfiguration (the operator sets the dataplane).
    expect(lintRule(SNAT, [service(RANGED), web, fromOffice, installation('Iptables')])).toHaveLength(1);
    expect(lintRule(SNAT, [service(RANGED), web, fromOffice, installation('Iptables'), felix])).toHaveLength(1);
  });

  test('a Service picking only host-network workloads: no NetworkPolicy applies to them, so no stand-in pod and no finding', () => {
    const host = deployment('shop', 'web');
    host.spec.template.spec.hostNetwork = true;
    expect(lintRule(SNAT, [service(RANGED), host, fromOffice])).toEqual([]);
    // Next to a pod-network workload of the Service, that one is judged.
    expect(lintRule(SNAT, [service(RANGED), host, deployment('shop', 'web2', { labels: { app: 'web' } }), fromOffice])).toHaveLength(1);
  });

  test('AWS NLB IP targets send to the pods (no node hop): not reported', () => {
    expect(lintRule(SNAT, [service(RANGED, { [AWS_TARGET_TYPE]: 'ip', [AWS_ATTRIBUTES]: 'preserve_client_ip.enabled=true' }), web, fromOffice]))
      .toEqual([]);
    // The legacy aws-load-balancer-type nlb-ip asks for IP targets by itself.
    expect(lintRule(SNAT, [service(RANGED, { [AWS_LB_TYPE]: 'nlb-ip', [AWS_ATTRIBUTES]: 'preserve_client_ip.enabled=true' }), web, fromOffice]))
      .toEqual([]);
  });
});

describe('loadbalancer-client-ip-hidden', () => {
  test('preserve_client_ip.enabled=false with source ranges: an error on the attributes annotation', () => {
    const [f, ...rest] = lintRule(HIDDEN, [service(RANGED, { [AWS_ATTRIBUTES]: 'deregistration_delay.timeout_seconds=30, preserve_client_ip.enabled=false' })]);
    expect(rest).toEqual([]);
    expect(brief([f])).toEqual([{ rule: HIDDEN, severity: 'error', object: 'Service shop/web', path: `metadata.annotations["${AWS_ATTRIBUTES}"]` }]);
    expect(f.message).toBe('restricts clients with spec.loadBalancerSourceRanges, but its target group attributes turn preserve_client_ip.enabled off: '
      + 'the NLB sends from its own private addresses, so the AWS Load Balancer Controller ignores the source ranges and the pods (and their '
      + 'NetworkPolicy) see the NLB, not the client');
  });

  test('IP targets over TCP without the attribute: an error on the target type; with it true (Go spellings) or over UDP only: none', () => {
    expect(brief(lintRule(HIDDEN, [service(RANGED, { [AWS_TARGET_TYPE]: 'ip' })]))).toEqual([
      { rule: HIDDEN, severity: 'error', object: 'Service shop/web', path: `metadata.annotations["${AWS_TARGET_TYPE}"]` },
    ]);
    expect(lintRule(HIDDEN, [service(RANGED, { [AWS_TARGET_TYPE]: 'ip', [AWS_ATTRIBUTES]: 'preserve_client_ip.enabled=True' })])).toEqual([]);
    expect(lintRule(HIDDEN, [service({ ...RANGED, ports: [{ port: 53, targetPort: 5353, protocol: 'UDP' }] }, { [AWS_TARGET_TYPE]: 'ip' })])).toEqual([]);
    expect(lintRule(HIDDEN, [service(RANGED, { [AWS_TARGET_TYPE]: 'instance' })])).toEqual([]);
    // The legacy aws-load-balancer-type nlb-ip: IP targets, reported on that annotation.
    expect(brief(lintRule(HIDDEN, [service(RANGED, { [AWS_LB_TYPE]: 'nlb-ip' })]))).toEqual([
      { rule: HIDDEN, severity: 'error', object: 'Service shop/web', path: `metadata.annotations["${AWS_LB_TYPE}"]` },
    ]);
  });

  test('a Service of another implementation\'s loadBalancerClass (MetalLB): the AWS annotations are read by no controller, none', () => {
    const metallb = { ...RANGED, loadBalancerClass: 'metallb.io/metallb' };
    expect(lintRule(HIDDEN, [service(metallb, { [AWS_ATTRIBUTES]: 'preserve_client_ip.enabled=false' })])).toEqual([]);
    expect(lintRule(HIDDEN, [service(metallb, { [AWS_TARGET_TYPE]: 'ip' })])).toEqual([]);
    // The AWS Load Balancer Controller's own class still reads them.
    expect(lintRule(HIDDEN, [service({ ...RANGED, loadBalancerClass: 'service.k8s.aws/nlb' }, { [AWS_TARGET_TYPE]: 'ip' })])).toHaveLength(1);
  });

  test('without source ranges there is nothing the controller ignores: none (loadbalancer-source-ranges reports the Service)', () => {
    expect(lintRule(HIDDEN, [service({}, { [AWS_TARGET_TYPE]: 'ip', [AWS_ATTRIBUTES]: 'preserve_client_ip.enabled=false' })])).toEqual([]);
  });
});

describe('the LoadBalancerService construct lints clean', () => {
  const synth = (props: Partial<LoadBalancerServiceProps>, loadBalancerMode?: string) => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.cilium({ kubeProxyReplacement: true }) });
    // CiliumInstall writes the Flux HelmRelease into a chart of its own (installed first).
    if (loadBalancerMode !== undefined) {
      new CiliumInstall(chart, 'cilium', {
        delivery: Delivery.flux(),
        k8sServiceHost: '192.168.10.10',
        k8sServicePort: 6443,
        extraValues: { loadBalancer: { mode: loadBalancerMode } },
      });
    }
    new LoadBalancerService(chart, 'web', {
      namespace: 'shop',
      podSelector: { app: 'web' },
      ports: [{ port: 80, targetPort: 8080 }],
      allowedSourceRanges: ['203.0.113.0/24'],
      ...props,
    });
    const objects = [...app.charts.flatMap((c) => c.toJson()), deployment('shop', 'web')];
    expectValidManifests(objects);
    return brief(PolicyLint.check(objects), RANGES, SNAT, HIDDEN);
  };
  const preserved = { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: true };

  test.each([
    ['Local, instance targets', { cloud: LoadBalancerCloud.aws() }],
    ['Cluster, AWS IP targets', { cloud: LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: ['10.0.1.0/24'] } }), externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER }],
    ['allowFromAnywhere', { allowedSourceRanges: undefined, allowFromAnywhere: true }],
  ])('%s: no load balancer warning or error', (_, props) => {
    expect(synth(props).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('allowFromAnywhere: public by choice, an info only', () => {
    expect(synth({ allowedSourceRanges: undefined, allowFromAnywhere: true })).toEqual([
      { rule: RANGES, severity: 'info', object: 'Service shop/web', path: 'spec.loadBalancerSourceRanges[0]' },
    ]);
  });

  test.each([['calico', () => Cni.calico()], ['cilium', () => Cni.cilium()]])('linted with the CNI told (%s): no load balancer finding at all', (_, cni) => {
    const lint = (props: Partial<LoadBalancerServiceProps>) => {
      const chart = chartFor(cni());
      new LoadBalancerService(chart, 'web', { namespace: 'shop', podSelector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...props });
      const objects = [...synthValid(chart), deployment('shop', 'web')];
      expectValidManifests(objects);
      return brief(PolicyLint.check(objects, { cni: cni() }), RANGES, SNAT, HIDDEN);
    };
    expect(lint({ allowedSourceRanges: ['203.0.113.0/24', '10.0.0.0/8'] })).toEqual([]);
    expect(lint({
      allowedSourceRanges: ['203.0.113.0/24'],
      cloud: LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: ['10.0.1.0/24'] } }),
      externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
    })).toEqual([]);
  });

  test('Cluster acknowledged as preserving: clean when the manifests\' Cilium values say dsr, a warning when they say snat or are absent', () => {
    expect(synth(preserved, 'dsr')).toEqual([]);
    const warning = [{ rule: SNAT, severity: 'warning', object: 'Service shop/web', path: 'spec.externalTrafficPolicy' }];
    expect(synth(preserved, 'snat')).toEqual(warning);
    expect(synth(preserved)).toEqual(warning);
  });
});
