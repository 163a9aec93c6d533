import { Cni, Direction, Peer, Port, PodSecurityLevel, ZeroTrustNamespace } from '../../src';
import { IPV4_METADATA } from '../support/metadata';
import { ENFORCING_CNIS, chartFor, find, ofKind, synthValid } from '../support/synth';

const DNS_RULE = {
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

describe.each(ENFORCING_CNIS)('ZeroTrustNamespace on %s', (cniName, cni) => {
  test('namespace with Pod Security restricted, default deny both ways, DNS on UDP and TCP 53', () => {
    const chart = chartFor(cni());
    new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    const objects = synthValid(chart);

    expect(find(objects, 'Namespace', 'payments').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
    expect(find(objects, 'NetworkPolicy', 'default-deny-all', 'payments').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(objects, 'NetworkPolicy', 'allow-dns', 'payments').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [DNS_RULE] });

    // Nothing else allows ingress or egress: the only policies with rules are DNS (egress to kube-dns).
    const k8sPolicies = ofKind(objects, 'NetworkPolicy').filter((o) => o.apiVersion === 'networking.k8s.io/v1');
    expect(k8sPolicies.map((p) => p.metadata.name).sort()).toEqual(['allow-dns', 'default-deny-all']);
  });

  test('metadata service: no allow ever reaches it; Calico and Cilium also deny it explicitly', () => {
    const chart = chartFor(cni());
    new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    const objects = synthValid(chart);
    const guard = objects.filter((o) => o.metadata.name.endsWith('deny-cloud-metadata'));
    if (cniName === 'kubernetes') {
      expect(guard).toEqual([]);
    } else if (cniName === 'calico') {
      expect(guard).toHaveLength(1);
      expect(guard[0]).toMatchObject({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { namespace: 'payments' } });
      expect(guard[0].spec.egress).toEqual(IPV4_METADATA.map((cidr) => ({ action: 'Deny', destination: { nets: [cidr] } })));
      expect(guard[0].spec.tier).toBe('platform-guardrails');
    } else {
      expect(guard).toHaveLength(1);
      expect(guard[0].kind).toBe('CiliumNetworkPolicy');
      expect(guard[0].spec.egressDeny).toEqual([{ toCIDRSet: IPV4_METADATA.map((cidr) => ({ cidr })) }]);
      expect(guard[0].spec.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    }
  });

  test('optional allows: same namespace, monitoring scrape, ingress controller', () => {
    const chart = chartFor(cni());
    new ZeroTrustNamespace(chart, 'web', {
      name: 'web',
      allowSameNamespace: true,
      monitoringPorts: [Port.tcp(9090)],
      ingressControllerPorts: [Port.tcp(8080)],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'NetworkPolicy', 'allow-same-namespace', 'web').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'allow-monitoring', 'web').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 9090 }],
    }]);
    expect(find(objects, 'NetworkPolicy', 'allow-ingress-controller', 'web').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
      }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
  });
});

describe('ZeroTrustNamespace', () => {
  test('NodeLocal DNS adds 169.254.20.10 and the kube-dns ClusterIP it also binds (iptables mode) to the DNS allow', () => {
    const chart = chartFor(Cni.kubernetes(), { nodeLocalDns: true });
    new ZeroTrustNamespace(chart, 'a', { name: 'a' });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      to: [...DNS_RULE.to, { ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } }],
      ports: DNS_RULE.ports,
    }]);
  });

  test('NodeLocal DNS on Cilium with kube-proxy replacement allows the node-local-dns pods the LRP redirects to, no address', () => {
    const chart = chartFor(Cni.cilium(), { nodeLocalDns: true });
    new ZeroTrustNamespace(chart, 'a', { name: 'a' });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress[0].to).toEqual([
      ...DNS_RULE.to,
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } } },
    ]);
  });

  test('custom DNS labels and namespace from the ClusterNetwork', () => {
    const chart = chartFor(Cni.kubernetes(), { dns: { namespace: 'dns', podLabels: { app: 'coredns' } } });
    new ZeroTrustNamespace(chart, 'a', { name: 'a' });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } },
    ]);
  });

  test('extra policies through allowIngress/allowEgress', () => {
    const chart = chartFor(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'a', { name: 'a', podSecurity: PodSecurityLevel.BASELINE, createNamespace: false });
    ns.allowEgress('api-to-db', { app: 'api' }, [Peer.pods({ app: 'db' })], [Port.tcp(5432)]);
    ns.addPolicy('isolate-only', { podSelector: { app: 'x' }, isolate: [Direction.INGRESS] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'Namespace')).toEqual([]);
    expect(find(objects, 'NetworkPolicy', 'api-to-db').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    // Both are registered on the namespace under their names, each with the one NetworkPolicy above.
    expect(ns.policy('api-to-db')?.apiObjects.map((o) => o.name)).toEqual(['api-to-db']);
    expect(find(objects, 'NetworkPolicy', 'isolate-only').spec).toEqual({ podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress'] });
    expect(ns.policy('no-such-policy')).toBeUndefined();
  });

  test('allowFlow: an egress allow on the clients and an ingress allow on the servers, same ports', () => {
    const chart = chartFor(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'a', { name: 'a' });
    const policies = ns.allowFlow('api-to-db', { app: 'api' }, { app: 'db' }, [Port.tcp(5432), Port.tcp(5433)]);
    const objects = synthValid(chart);
    const ports = [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 5433 }];
    expect(find(objects, 'NetworkPolicy', 'api-to-db-egress').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports }],
    });
    expect(find(objects, 'NetworkPolicy', 'api-to-db-ingress').spec).toEqual({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports }],
    });
    expect(policies).toEqual([ns.policy('api-to-db-egress'), ns.policy('api-to-db-ingress')]);
  });

  test.each([
    ['no client labels', () => [{}, { app: 'db' }, [Port.tcp(5432)]], "[test/a] from: pods by at least one label are required for flow 'f'"],
    ['no server labels', () => [{ app: 'api' }, {}, [Port.tcp(5432)]], "[test/a] to: pods by at least one label are required for flow 'f'"],
    ['no ports', () => [{ app: 'api' }, { app: 'db' }, []], "[test/a] ports: at least one port is required for flow 'f'"],
    ['a bad port', () => [{ app: 'api' }, { app: 'db' }, [Port.tcp(70000)]], '[test/a] ports[0]: port 70000 is outside 1-65535'],
  ])('allowFlow with %s is an error naming the prop', (_what, args, message) => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'a', { name: 'a' });
    const [from, to, ports] = args() as [Record<string, string>, Record<string, string>, Port[]];
    expect(() => ns.allowFlow('f', from, to, ports)).toThrow(message);
  });

  test.each([
    ['invalid name', { name: 'Payments' }, /\[test\/ns\] name: 'Payments' is not a valid DNS-1123 label/],
    ['too long', { name: 'a'.repeat(64) }, /name: 'a{64}' is not a valid DNS-1123 label/],
    ['bad label', { name: 'a', labels: { 'bad key!': 'x' } }, /\[test\/ns\] labels: 'bad key!' is not a valid label key/],
    ['a bad monitoring port', { name: 'a', monitoringPorts: [Port.tcp(9090), Port.tcp(0)] }, /^\[test\/ns\] monitoringPorts\[1\]: port 0 is outside 1-65535/],
    ['a bad ingress-controller range', { name: 'a', ingressControllerPorts: [Port.tcpRange(90, 80)] }, /^\[test\/ns\] ingressControllerPorts\[0\]: range 90-80/],
    ['the DNS namespace', { name: 'kube-system' }, /\[test\/ns\] name: 'kube-system' runs the cluster DNS/],
    ['a reserved label', { name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }, /labels\.pod-security.kubernetes.io\/enforce: .* is reserved/],
    ['bad PSA version', { name: 'a', podSecurityVersion: '1.27' }, /\[test\/ns\] podSecurityVersion: '1.27'/],
  ])('%s', (_what, props, message) => {
    expect(() => new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', props as any)).toThrow(message);
  });

  test('flannel: refuses to emit unenforced policies', () => {
    expect(() => new ZeroTrustNamespace(chartFor(Cni.flannel()), 'ns', { name: 'a' })).toThrow(/CNI 'flannel': it enforces no network policy/);
  });

  test('two ZeroTrustNamespaces with the same name collide with a clear error', () => {
    const chart = chartFor(Cni.kubernetes());
    new ZeroTrustNamespace(chart, 'one', { name: 'a' });
    expect(() => new ZeroTrustNamespace(chart, 'two', { name: 'a' })).toThrow("[test/two] metadata.name: Namespace 'a' in the cluster scope is already emitted by 'test/one'");
  });

  test('calico, NodeLocal DNS, monitoring: exactly the documented objects (snapshot as second layer)', () => {
    const chart = chartFor(Cni.calico(), { nodeLocalDns: true });
    new ZeroTrustNamespace(chart, 'payments', { name: 'payments', monitoringPorts: [Port.tcp(9090)] });
    const objects = synthValid(chart);
    // README "Constructs": the Namespace, default-deny-all, allow-dns, allow-monitoring, and on Calico the
    // deny-cloud-metadata guard rail in the platform-guardrails Tier.
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'networking.k8s.io/v1 NetworkPolicy payments/allow-dns',
      'networking.k8s.io/v1 NetworkPolicy payments/allow-monitoring',
      'networking.k8s.io/v1 NetworkPolicy payments/default-deny-all',
      'projectcalico.org/v3 NetworkPolicy payments/platform-guardrails.deny-cloud-metadata',
      'projectcalico.org/v3 Tier /platform-guardrails',
      'v1 Namespace /payments',
    ]);
    // NodeLocal DNSCache in iptables mode listens on 169.254.20.10 and on the kube-dns ClusterIP (10.96.0.10, the
    // 10th address of the default service CIDR 10.96.0.0/12): both are DNS destinations (NETWORKING-FACTS.md).
    expect(find(objects, 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      to: [...DNS_RULE.to, { ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } }],
      ports: DNS_RULE.ports,
    }]);
    expect(objects).toMatchSnapshot();
  });
});

describe('ZeroTrustNamespace names and enums', () => {
  const make = (props: any, clusterProps: any = {}) => () => new ZeroTrustNamespace(chartFor(Cni.kubernetes(), clusterProps), 'ns', props);

  test.each([
    ['kube-public', {}, "[test/ns] name: 'kube-public' is a system namespace (kube-*, owned by the control plane): default deny there would cut off the system components in it"],
    ['ingress-nginx', {}, "[test/ns] name: 'ingress-nginx' runs the ingress controller (ClusterNetwork ingressController), which every workload relies on: default deny there would cut it off from them"],
    ['monitoring', {}, "[test/ns] name: 'monitoring' runs the monitoring pods (ClusterNetwork monitoring), which every workload relies on: default deny there would cut it off from them"],
    ['edge', { ingressController: { namespace: 'edge' } }, "[test/ns] name: 'edge' runs the ingress controller (ClusterNetwork ingressController)"],
    ['coredns', { dns: { namespace: 'coredns' } }, "[test/ns] name: 'coredns' runs the cluster DNS: default deny there would cut every pod in the cluster off DNS"],
  ])('refuses %s, a namespace the cluster depends on', (name, clusterProps, message) => {
    expect(make({ name }, clusterProps)).toThrow(message);
  });

  test('ingress-nginx is an ordinary namespace once the ingress controller runs elsewhere', () => {
    const chart = chartFor(Cni.kubernetes(), { ingressController: { namespace: 'edge' } });
    new ZeroTrustNamespace(chart, 'ns', { name: 'ingress-nginx' });
    expect(find(synthValid(chart), 'Namespace', 'ingress-nginx').metadata.name).toBe('ingress-nginx');
  });

  test('a podSecurity outside the PodSecurityLevel enum (jsii callers pass strings) names the prop', () => {
    expect(make({ name: 'a', podSecurity: 'superuser' })).toThrow(
      "[test/ns] podSecurity: 'superuser' is not a Pod Security level (one of restricted, baseline, privileged)");
  });

  test.each(['v1.01', 'v2.0', '', 'v1.', 'latest '])('podSecurityVersion %p is refused', (version) => {
    expect(make({ name: 'a', podSecurityVersion: version })).toThrow(
      `[test/ns] podSecurityVersion: '${version}' must be 'latest' or 'v1.<minor>' (no leading zeros, e.g. 'v1.30')`);
  });

  test.each(['v1.0', 'v1.30', 'v1.999', 'latest'])('podSecurityVersion %p is accepted and labelled', (version) => {
    const chart = chartFor(Cni.kubernetes());
    new ZeroTrustNamespace(chart, 'ns', { name: 'a', podSecurityVersion: version });
    expect(find(synthValid(chart), 'Namespace', 'a').metadata.labels['pod-security.kubernetes.io/enforce-version']).toBe(version);
  });

  test('addPolicy, allowIngress and allowEgress with an empty name name the prop', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', { name: 'a' });
    expect(() => ns.addPolicy('', { isolate: [Direction.INGRESS] })).toThrow('[test/ns] name: a policy name is required');
    expect(() => ns.allowIngress('', {}, [Peer.allPods()])).toThrow('[test/ns] name: a policy name is required');
    expect(() => ns.allowEgress('', {}, [Peer.allPods()])).toThrow('[test/ns] name: a policy name is required');
  });

  test('addPolicy, allowIngress and allowEgress with a duplicate name name the prop', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', { name: 'a' });
    expect(() => ns.addPolicy('allow-dns', { isolate: [Direction.INGRESS] })).toThrow(
      "[test/ns] name: the namespace already has a policy named 'allow-dns'");
    ns.allowIngress('web', {}, [Peer.allPods()]);
    expect(() => ns.allowEgress('web', {}, [Peer.allPods()])).toThrow("[test/ns] name: the namespace already has a policy named 'web'");
    expect(() => ns.allowIngress('web', {}, [Peer.allPods()])).toThrow("[test/ns] name: the namespace already has a policy named 'web'");
  });

  test('policy names that clash with construct internals are policy-name errors or work', () => {
    const chart = chartFor(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'a' });
    // 'Namespace' is the id of the Namespace object: the error is about the name, not a construct clash.
    expect(() => ns.addPolicy('Namespace', { isolate: [Direction.INGRESS] })).toThrow(
      "[test/ns] name: 'Namespace' is not a valid DNS-1123 subdomain");
    expect(() => ns.allowIngress('a/b', {}, [Peer.allPods()])).toThrow("[test/ns] name: 'a/b' is not a valid DNS-1123 subdomain");
    // 'constructor' is a property of Object.prototype, which constructs mistakes for a taken id.
    ns.addPolicy('constructor', { isolate: [Direction.INGRESS] });
    expect(ns.policy('constructor')).toBeDefined();
    expect(find(synthValid(chart), 'NetworkPolicy', 'constructor').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });
});
