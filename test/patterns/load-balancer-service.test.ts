import { Chart, Testing } from 'cdk8s';
import {
  AwsHealthCheckProtocol, AwsNlbTargetType, Cni, ExternalTrafficPolicy, IpFamily, KubeProxyMode, LintSeverity, LoadBalancerCloud, LoadBalancerService,
  LoadBalancerServiceProps, PolicyLint, Port, Protocol, ServiceIpFamilyPolicy, Target, ZeroTrustNamespace,
} from '../../src';
import { reachabilityOf } from '../support/flows';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, chartFor, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const any = (x: unknown) => x as any;
/** The NLB's subnets in the tests: VPC addresses outside the pod CIDR (10.244.0.0/16). */
const NLB_SUBNETS = ['10.0.1.0/24', '10.0.2.0/24'];
const IP_CLOUD = LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: NLB_SUBNETS } });
const WEB = Target.pod('shop', { app: 'web' });
const BASE: LoadBalancerServiceProps = {
  namespace: 'shop',
  podSelector: { app: 'web' },
  ports: [{ port: 443, targetPort: 8443 }],
  allowedSourceRanges: ['203.0.113.0/24'],
};

/** Synthesize one LoadBalancerService `web` on `cni` (validated against the pinned schemas). */
function synth(props: Partial<LoadBalancerServiceProps> = {}, cni: Cni = Cni.kubernetes(), families?: IpFamily[]): any[] {
  const chart = chartFor(cni, families ? { ipFamilies: families } : {});
  new LoadBalancerService(chart, 'web', { ...BASE, ...props });
  return synthValid(chart);
}

/** The reason of the error `props` cause, with the construct path and prop checked. */
function refusal(props: Partial<LoadBalancerServiceProps>, prop: string, cni: Cni = Cni.kubernetes(), families?: IpFamily[]): string {
  const e = validationErrorOf(() => new LoadBalancerService(chartFor(cni, families ? { ipFamilies: families } : {}), 'web', { ...BASE, ...props }));
  expect([e.path, e.prop]).toEqual(['test/web', prop]);
  return e.reason;
}

describe.each(ENFORCING_CNIS)('LoadBalancerService on %s', (_name, cni) => {
  test('a LoadBalancer Service with the ranges, and a plain NetworkPolicy admitting them on the target port', () => {
    const [service, policy, ...rest] = synth({}, cni());
    expect(rest).toEqual([]);
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }],
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: ['203.0.113.0/24'],
      },
    });
    // A plain allow from address ranges is exact as a networking.k8s.io/v1 NetworkPolicy on every CNI.
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-from-load-balancer', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] }],
      },
    });
  });

  test('the analyzer: a client inside the ranges reaches the pods on the target port only; one outside reaches nothing', () => {
    const chart = chartFor(cni());
    new LoadBalancerService(chart, 'web', { ...BASE, allowedSourceRanges: ['203.0.113.0/24', '198.51.100.7/32'] });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443), Port.tcp(443), Port.tcp(9090)] });
    expect(reach).toAllow(Target.external('203.0.113.5'), WEB, Port.tcp(8443));
    expect(reach).toAllow(Target.external('198.51.100.7'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('198.51.100.8'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('192.0.2.1'), WEB, Port.tcp(8443));
    // The Service port is not a pod port: the policy opens the target port, after DNAT.
    expect(reach).toDeny(Target.external('203.0.113.5'), WEB, Port.tcp(443));
    expect(reach).toDeny(Target.external('203.0.113.5'), WEB, Port.tcp(9090));
  });

  test('PolicyLint finds no errors or warnings in the output', () => {
    const objects = synth({ allowedSourceRanges: ['203.0.113.0/24', '10.0.0.0/8'] }, cni());
    expect(PolicyLint.check(objects, { cni: cni() }).filter((f) => f.severity !== LintSeverity.INFO)).toEqual([]);
  });

  test('a range that holds the pod CIDR opens no pod to other pods: the pod CIDR is excepted in the policy, not in the Service', () => {
    const chart = chartFor(cni());
    new LoadBalancerService(chart, 'web', { ...BASE, allowedSourceRanges: ['10.0.0.0/8'], internal: true, cloud: LoadBalancerCloud.azure() });
    const [service, policy] = synthValid(chart);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
    expect(policy.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }]);
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443)] });
    reach.addProbe('other', 'other', { app: 'other' }, { ports: [Port.tcp(8443)] });
    expect(reach).toAllow(Target.external('10.1.2.3'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.pod('other', { app: 'other' }), WEB, Port.tcp(8443));
  });
});

describe('ports', () => {
  test('named and numeric target ports, UDP, and a target port shared by two Service ports opened once', () => {
    const [service, policy] = synth({
      ports: [
        { name: 'https', port: 443, targetPortName: 'https' },
        { name: 'alt', port: 8443, targetPortName: 'https' },
        { name: 'metrics', port: 9000, targetPort: 9090 },
        { name: 'syslog', port: 514, protocol: Protocol.UDP },
      ],
    });
    expect(service.spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      { name: 'alt', port: 8443, targetPort: 'https', protocol: 'TCP' },
      { name: 'metrics', port: 9000, targetPort: 9090, protocol: 'TCP' },
      { name: 'syslog', port: 514, targetPort: 514, protocol: 'UDP' },
    ]);
    expect(policy.spec.ingress[0].ports).toEqual([
      { port: 'https', protocol: 'TCP' },
      { port: 9090, protocol: 'TCP' },
      { port: 514, protocol: 'UDP' },
    ]);
  });

  test.each<[string, Partial<LoadBalancerServiceProps>, string, string]>([
    ['no port', { ports: [] }, 'ports', 'at least one port is required (a load balancer publishes ports)'],
    ['port 0', { ports: [{ port: 0 }] }, 'ports[0].port', 'port 0 is outside 1-65535'],
    ['target port 70000', { ports: [{ port: 80, targetPort: 70000 }] }, 'ports[0].targetPort', 'port 70000 is outside 1-65535'],
    ['a bad target port name', { ports: [{ port: 80, targetPortName: 'HTTP' }] }, 'ports[0].targetPortName',
      "'HTTP' is not a valid port name (IANA_SVC_NAME: at most 15 lower-case alphanumerics and '-', with a letter)"],
    ['both target ports', { ports: [{ port: 80, targetPort: 8080, targetPortName: 'http' }] }, 'ports[0].targetPortName',
      'give targetPort or targetPortName, not both'],
    ['two ports, one unnamed', { ports: [{ name: 'http', port: 80 }, { port: 443 }] }, 'ports[1].name',
      'the Service has 2 ports: Kubernetes requires a name on each'],
    ['a duplicate name', { ports: [{ name: 'web', port: 80 }, { name: 'web', port: 443 }] }, 'ports[1].name', "'web' is already the name of ports[0]"],
    ['a duplicate port', { ports: [{ name: 'a', port: 80, targetPort: 8080 }, { name: 'b', port: 80, targetPort: 9090 }] }, 'ports[1].port',
      'TCP/80 is already published by ports[0]'],
    ['a port name that is no DNS-1123 label', { ports: [{ name: 'Web', port: 80 }] }, 'ports[0].name',
      "'Web' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)"],
  ])('refuses %s', (_what, props, prop, reason) => {
    expect(refusal(props, prop)).toBe(reason);
  });

  test('the same port number on TCP and UDP is two ports', () => {
    const [service] = synth({ ports: [{ name: 'dns-udp', port: 53, protocol: Protocol.UDP }, { name: 'dns-tcp', port: 53 }] });
    expect(service.spec.ports.map((p: any) => `${p.protocol}/${p.port}`)).toEqual(['UDP/53', 'TCP/53']);
  });
});

describe('source ranges', () => {
  test('allowFromAnywhere admits every address of the cluster\'s families, on the Service and in the policy (pods excepted)', () => {
    const [service, policy] = synth({ allowedSourceRanges: undefined, allowFromAnywhere: true }, Cni.calico(), [IpFamily.IPV4, IpFamily.IPV6]);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['0.0.0.0/0', '::/0']);
    expect(policy.spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } },
      { ipBlock: { cidr: '::/0', except: ['fd00:10:244::/56'] } },
    ]);
  });

  test('IPv6 ranges on a dual-stack cluster', () => {
    const [service, policy] = synth({ allowedSourceRanges: ['203.0.113.0/24', '2001:db8::/32'] }, Cni.cilium(), [IpFamily.IPV4, IpFamily.IPV6]);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    expect(policy.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '2001:db8::/32' } }]);
  });

  test.each<[string, Partial<LoadBalancerServiceProps>, string, string]>([
    ['no ranges', { allowedSourceRanges: undefined }, 'allowedSourceRanges',
      'name the client ranges that may connect (e.g. your office or partner CIDRs), or set allowFromAnywhere: true for a public service'],
    ['an empty list', { allowedSourceRanges: [] }, 'allowedSourceRanges',
      'name the client ranges that may connect (e.g. your office or partner CIDRs), or set allowFromAnywhere: true for a public service'],
    ['ranges and allowFromAnywhere', { allowFromAnywhere: true }, 'allowedSourceRanges', 'give allowedSourceRanges or allowFromAnywhere, not both'],
    ['0.0.0.0/0 without the acknowledgement', { allowedSourceRanges: ['203.0.113.0/24', '0.0.0.0/0'] }, 'allowedSourceRanges[1]',
      '0.0.0.0/0 admits every address: say allowFromAnywhere: true instead, so that a public service is a decision'],
    ['the metadata address', { allowedSourceRanges: ['169.254.169.254/32'] }, 'allowedSourceRanges[0]',
      '169.254.169.254/32 overlaps the cloud metadata addresses (169.254.169.254/32), which are never clients of a load balancer: '
      + 'a range this wide or link-local is a mistake; name the client ranges'],
    ['a range holding the metadata address', { allowedSourceRanges: ['128.0.0.0/1'] }, 'allowedSourceRanges[0]',
      '128.0.0.0/1 overlaps the cloud metadata addresses (169.254.169.254/32), which are never clients of a load balancer: '
      + 'a range this wide or link-local is a mistake; name the client ranges'],
    ['an invalid CIDR', { allowedSourceRanges: ['203.0.113.0/33'] }, 'allowedSourceRanges[0]', 'invalid CIDR: '],
    ['host bits set', { allowedSourceRanges: ['203.0.113.1/24'] }, 'allowedSourceRanges[0]', 'invalid CIDR: '],
    ['an IPv6 range on an IPv4 cluster', { allowedSourceRanges: ['2001:db8::/32'] }, 'allowedSourceRanges[0]',
      "'2001:db8::/32' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['a range given twice', { allowedSourceRanges: ['203.0.113.0/24', '203.0.113.0/24'] }, 'allowedSourceRanges[1]',
      '203.0.113.0/24 is already allowedSourceRanges[0]'],
    ['a range inside the pod CIDR', { allowedSourceRanges: ['10.244.1.0/24'] }, 'allowedSourceRanges[0]',
      '10.244.1.0/24 is inside the pod CIDR 10.244.0.0/16: pods are not load balancer clients; allow them with a TrafficPolicy'],
  ])('refuses %s', (_what, props, prop, reason) => {
    expect(refusal(props, prop)).toContain(reason);
  });
});

describe('externalTrafficPolicy', () => {
  const CLUSTER_REASON = 'Cluster lets a node forward to a pod on another node after SNATing the client to the node\'s own address (kube-proxy, '
    + 'and Cilium\'s kube-proxy replacement in SNAT mode), so the pods\' source-range policy would drop those connections. Keep the default '
    + 'Local, use LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck }) (the NLB sends to the pods), or set clientAddressPreservedWithCluster: '
    + 'true if the datapath keeps the client address (Cilium kube-proxy replacement with loadBalancer.mode dsr)';

  test.each(ENFORCING_CNIS)('Cluster with a source-range allow is refused on %s', (_name, cni) => {
    expect(refusal({ externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER }, 'externalTrafficPolicy', cni())).toBe(CLUSTER_REASON);
  });

  test('Cluster is refused for a public service too (on Cilium CIDR rules never match node addresses)', () => {
    expect(refusal({ allowedSourceRanges: undefined, allowFromAnywhere: true, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER },
      'externalTrafficPolicy', Cni.cilium())).toBe(CLUSTER_REASON);
  });

  test('Cluster with AWS IP targets: the NLB sends to the pod IPs, with the client address kept', () => {
    const [service] = synth({ externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, cloud: IP_CLOUD });
    expect(service.spec.externalTrafficPolicy).toBe('Cluster');
    expect(service.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']).toBe('preserve_client_ip.enabled=true');
  });

  test('Cluster with the acknowledgement', () => {
    const [service] = synth({ externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: true }, Cni.cilium());
    expect(service.spec.externalTrafficPolicy).toBe('Cluster');
  });

  // Before: accepted; kube-proxy masquerades all external traffic of a Cluster Service, so a range holding node addresses admitted every client.
  test.each<[string, Cni, KubeProxyMode | undefined]>([
    ['Calico with kube-proxy (iptables)', Cni.calico(), undefined],
    ['Cilium without its kube-proxy replacement', Cni.cilium({ kubeProxyReplacement: false }), undefined],
    ['kube-proxy in IPVS mode', Cni.kubernetes(), KubeProxyMode.IPVS],
  ])('the acknowledgement is refused where kube-proxy forwards: %s', (_what, cni, kubeProxyMode) => {
    const e = validationErrorOf(() => new LoadBalancerService(chartFor(cni, kubeProxyMode ? { kubeProxyMode } : {}), 'web',
      { ...BASE, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: true }));
    expect([e.path, e.prop]).toEqual(['test/web', 'clientAddressPreservedWithCluster']);
    expect(e.reason).toBe(`the ClusterNetwork runs kube-proxy (${kubeProxyMode ?? 'iptables'}), which SNATs all external traffic of an `
      + 'externalTrafficPolicy: Cluster Service to the node\'s address: the client address is not kept. Keep the default Local');
  });

  test('the acknowledgement is accepted where the CNI replaces kube-proxy (Calico eBPF declared as replaced)', () => {
    const chart = chartFor(Cni.calico(), { kubeProxyMode: KubeProxyMode.REPLACED });
    new LoadBalancerService(chart, 'web', { ...BASE, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: true });
    expect(synthValid(chart)[0].spec.externalTrafficPolicy).toBe('Cluster');
  });

  test('the acknowledgement with Local is a mistake', () => {
    expect(refusal({ clientAddressPreservedWithCluster: true }, 'clientAddressPreservedWithCluster')).toBe('only applies with externalTrafficPolicy: Cluster');
  });
});

describe('cloud annotations', () => {
  const AWS_BASE = {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
  };
  test.each<[string, Partial<LoadBalancerServiceProps>, { [key: string]: string } | undefined]>([
    ['generic, external', {}, undefined],
    ['AWS, internet-facing instance targets by default', { cloud: LoadBalancerCloud.aws() },
      { ...AWS_BASE, 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' }],
    ['AWS, internal', { cloud: LoadBalancerCloud.aws(), internal: true }, { ...AWS_BASE, 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }],
    ['AWS, IP targets keep the client address and are health-checked on the traffic port over TCP', { cloud: IP_CLOUD }, {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': 'traffic-port',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'TCP',
    }],
    ['GKE, external', { cloud: LoadBalancerCloud.gke() }, undefined],
    ['GKE, internal', { cloud: LoadBalancerCloud.gke(), internal: true }, { 'networking.gke.io/load-balancer-type': 'Internal' }],
    ['Azure, external', { cloud: LoadBalancerCloud.azure() }, undefined],
    ['Azure, internal', { cloud: LoadBalancerCloud.azure(), internal: true }, { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }],
    ['extra annotations are merged', { cloud: LoadBalancerCloud.gke(), internal: true, annotations: { 'example.com/team': 'shop' } },
      { 'example.com/team': 'shop', 'networking.gke.io/load-balancer-type': 'Internal' }],
  ])('%s', (_what, props, annotations) => {
    const [service] = synth(props);
    expect(service.metadata.annotations).toEqual(annotations);
  });

  test.each<[string, Partial<LoadBalancerServiceProps>, string, string]>([
    ['an internal load balancer without a cloud', { internal: true }, 'internal',
      'LoadBalancerCloud.generic() has no annotation for an internal load balancer: choose the cloud (LoadBalancerCloud.aws(), .gke(), .azure()), '
      + 'or leave internal unset and give the implementation\'s own annotations (and loadBalancerClass)'],
    ['an annotation the cloud writes', { cloud: LoadBalancerCloud.aws(), annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' } },
      'annotations.service.beta.kubernetes.io/aws-load-balancer-scheme',
      'is written by LoadBalancerCloud.aws({ targetType: instance }) (internal: false); do not set it again'],
    ['the legacy source-ranges annotation', { annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': '0.0.0.0/0' } },
      'annotations.service.beta.kubernetes.io/load-balancer-source-ranges',
      'use allowedSourceRanges (written to spec.loadBalancerSourceRanges, and checked by the pods\' policy too)'],
  ])('refuses %s', (_what, props, prop, reason) => {
    expect(refusal(props, prop)).toBe(reason);
  });
});

describe('what makes the load balancer hide or bypass the client address', () => {
  const TG = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';
  const PRESERVE_OFF = 'preserve_client_ip.enabled=false makes the NLB send from its own private addresses: the controller then ignores the source '
    + 'ranges, and the pods\' policy would see the NLB instead of the client (a range holding the NLB\'s subnets would admit everyone). Leave the '
    + 'attribute out (the construct turns it on where it is off by default)';

  // Before: accepted on instance targets, so an internet-facing NLB with a range holding its subnets (10.0.0.0/8) opened the pods to everyone.
  test.each<[string, Partial<LoadBalancerServiceProps>, string]>([
    ['on AWS instance targets', { cloud: LoadBalancerCloud.aws(), annotations: { [TG]: 'deregistration_delay.timeout_seconds=30,preserve_client_ip.enabled=false' } },
      PRESERVE_OFF],
    ['on AWS IP targets', { cloud: IP_CLOUD, annotations: { [TG]: 'preserve_client_ip.enabled=false' } },
      PRESERVE_OFF],
    ['spelt as Go reads it (spaces, False)', { cloud: LoadBalancerCloud.aws(), annotations: { [TG]: ' preserve_client_ip.enabled = False ' } },
      PRESERVE_OFF.replace('=false', '=False')],
    ['on a generic cloud (whichever controller reads it)', { annotations: { [TG]: 'preserve_client_ip.enabled=0' } }, PRESERVE_OFF.replace('=false', '=0')],
    ['a pair without =', { cloud: LoadBalancerCloud.aws(), annotations: { [TG]: 'preserve_client_ip.enabled' } },
      '\'preserve_client_ip.enabled\' is not a key=value pair (the controller refuses the annotation)'],
  ])('preserve_client_ip.enabled other than true is refused %s', (_what, props, reason) => {
    expect(refusal(props, `annotations.${TG}`)).toBe(reason);
  });

  test('IP targets: the caller\'s target group attributes are kept, with preserve_client_ip.enabled=true added', () => {
    const [service] = synth({
      cloud: IP_CLOUD,
      annotations: { [TG]: 'deregistration_delay.timeout_seconds=30, preserve_client_ip.enabled=TRUE' },
    });
    expect(service.metadata.annotations[TG]).toBe('deregistration_delay.timeout_seconds=30,preserve_client_ip.enabled=true');
  });

  test('instance targets: target group attributes pass through (client IP preservation is on by default)', () => {
    const [service] = synth({ cloud: LoadBalancerCloud.aws(), annotations: { [TG]: 'deregistration_delay.timeout_seconds=30' } });
    expect(service.metadata.annotations[TG]).toBe('deregistration_delay.timeout_seconds=30');
  });

  test.each(['service.beta.kubernetes.io/aws-load-balancer-type', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'])(
    'the AWS controller annotation %s outside LoadBalancerCloud.aws() is refused (IP targets would lack client IP preservation)', (key) => {
      expect(refusal({ annotations: { [key]: key.endsWith('type') && key.includes('nlb') ? 'ip' : 'external' } }, `annotations.${key}`, Cni.calico()))
        .toBe('chooses the AWS load balancer and its targets: use cloud: LoadBalancerCloud.aws({ targetType }), which keeps the client address the '
          + 'pods\' policy checks (IP targets get preserve_client_ip.enabled=true)');
    });

  test('IP targets allocate no NodePorts (a path around the load balancer on every node); instance targets need them', () => {
    const [ip] = synth({ cloud: IP_CLOUD, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    expect(ip.spec).toEqual({
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }],
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: false,
      loadBalancerSourceRanges: ['203.0.113.0/24'],
    });
    const [instance] = synth({ cloud: LoadBalancerCloud.aws() });
    expect(instance.spec.allocateLoadBalancerNodePorts).toBeUndefined();
  });

  // Before: accepted here, then refused by the inner policy's renderer under test/web/Policy (ingress[0]), after the pod-CIDR
  // and metadata checks had skipped it as IPv6 (Kubernetes reads it as IPv4).
  test.each(ENFORCING_CNIS)('an IPv4-mapped range is refused under allowedSourceRanges[i] on %s, naming the IPv4 block', (_name, cni) => {
    const families = [IpFamily.IPV4, IpFamily.IPV6];
    expect(refusal({ allowedSourceRanges: ['203.0.113.0/24', '::ffff:10.244.0.0/112'] }, 'allowedSourceRanges[1]', cni(), families))
      .toBe('::ffff:10.244.0.0/112 is an IPv4-mapped IPv6 block, which Kubernetes reads as 10.244.0.0/16: give that IPv4 block');
    expect(refusal({ allowedSourceRanges: ['::ffff:203.0.113.0/120'] }, 'allowedSourceRanges[0]', cni(), families))
      .toBe('::ffff:203.0.113.0/120 is an IPv4-mapped IPv6 block, which Kubernetes reads as 203.0.113.0/24: give that IPv4 block');
  });
});

describe('AWS IP targets: the NLB health-checks the pods from its subnets', () => {
  const HC = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck';
  const aws = (healthCheck: unknown) => LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: any(healthCheck) });

  // Before: the policy admitted only the ranges, so every health check from the NLB's own addresses was dropped.
  test.each(ENFORCING_CNIS)('on %s the policy admits the subnets on the traffic port (TCP, as every health check), the ranges on it as before', (_name, cni) => {
    const [, policy, ...rest] = synth({ cloud: IP_CLOUD }, cni());
    expect(rest).toEqual([]);
    expect(policy.spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '10.0.1.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] },
    ]);
  });

  test.each(ENFORCING_CNIS)('the analyzer on %s: a dedicated port lets the subnets reach that port only, the clients the traffic port only', (_name, cni) => {
    const chart = chartFor(cni());
    new LoadBalancerService(chart, 'web', { ...BASE, cloud: aws({ subnetCidrs: NLB_SUBNETS, port: 8081, protocol: AwsHealthCheckProtocol.HTTP, path: '/healthz' }) });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443), Port.tcp(8081), Port.tcp(9090)] });
    expect(reach).toAllow(Target.external('10.0.1.7'), WEB, Port.tcp(8081));
    expect(reach).toAllow(Target.external('10.0.2.200'), WEB, Port.tcp(8081));
    expect(reach).toDeny(Target.external('10.0.1.7'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('10.0.3.7'), WEB, Port.tcp(8081));
    expect(reach).toDeny(Target.external('203.0.113.5'), WEB, Port.tcp(8081));
    expect(reach).toAllow(Target.external('203.0.113.5'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('10.0.1.7'), WEB, Port.tcp(9090));
  });

  test('the annotations of a dedicated HTTP port and path', () => {
    const [service] = synth({ cloud: aws({ subnetCidrs: NLB_SUBNETS, port: 8081, protocol: AwsHealthCheckProtocol.HTTPS, path: '/ready?full=1' }) });
    expect(service.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      [`${HC}-port`]: '8081',
      [`${HC}-protocol`]: 'HTTPS',
      [`${HC}-path`]: '/ready?full=1',
    });
  });

  test('HTTP without a path checks / (the controller\'s default, written out)', () => {
    const [service] = synth({ cloud: aws({ subnetCidrs: NLB_SUBNETS, protocol: AwsHealthCheckProtocol.HTTP }) });
    expect([service.metadata.annotations[`${HC}-port`], service.metadata.annotations[`${HC}-path`]]).toEqual(['traffic-port', '/']);
  });

  test('UDP and named target ports: the traffic-port health checks reach each target port over TCP, once each', () => {
    const [, policy] = synth({
      cloud: IP_CLOUD,
      ports: [{ name: 'dns', port: 53, protocol: Protocol.UDP }, { name: 'web', port: 443, targetPortName: 'https' }, { name: 'alt', port: 8443, targetPortName: 'https' }],
    });
    expect(policy.spec.ingress[1].ports).toEqual([{ port: 53, protocol: 'TCP' }, { port: 'https', protocol: 'TCP' }]);
  });

  // Before: the health-check allow was TCP on the name 'dns', which names a UDP container port: it matched nothing, every check was dropped.
  test('a named UDP target port with traffic-port health checks is refused; numbered, or with a dedicated port, it is not', () => {
    const dns = { name: 'dns', port: 53, protocol: Protocol.UDP, targetPortName: 'dns' };
    expect(refusal({ cloud: IP_CLOUD, ports: [{ name: 'web', port: 443, targetPort: 8443 }, dns] }, 'ports[1].targetPortName')).toBe('\'dns\' is a UDP port, which the NLB health-checks over TCP on the traffic port: the pods\' policy cannot admit TCP on a '
      + 'UDP port name (a named port matches name and protocol), so every health check would be dropped. Give targetPort (the number), or a '
      + 'dedicated health-check port (cloud healthCheck.port)');
    const [, policy] = synth({ cloud: aws({ subnetCidrs: NLB_SUBNETS, port: 8081 }), ports: [dns] });
    expect(policy.spec.ingress[1].ports).toEqual([{ port: 8081, protocol: 'TCP' }]);
  });

  test('a subnet that holds the pod CIDR gets it excepted', () => {
    const [, policy] = synth({ cloud: aws({ subnetCidrs: ['10.0.0.0/8'] }) });
    expect(policy.spec.ingress[1].from).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }]);
  });

  // Before: IP targets without a health check were accepted, and the pods' policy dropped every health check.
  test('IP targets without healthCheck are refused', () => {
    const ip = validationErrorOf(() => LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP }));
    expect([ip.path, ip.prop]).toEqual(['LoadBalancerCloud.aws', 'healthCheck']);
    expect(ip.reason).toBe('is required with IP targets: the NLB health-checks each pod from its own private addresses in its subnets, which the pods\' '
      + 'policy (admitting only the source ranges) would drop, so every target would be unhealthy and the NLB would fail open to all of them. Give '
      + 'healthCheck: { subnetCidrs: [<the NLB subnets\' CIDRs>] } (and port for a dedicated health-check port)');
  });

  test.each<[string, unknown, string, string]>([
    ['no subnets', { subnetCidrs: [] }, 'healthCheck.subnetCidrs', 'name the CIDRs of the NLB\'s subnets: its health checks come from its private addresses there'],
    ['subnets as a string', { subnetCidrs: '10.0.1.0/24' }, 'healthCheck.subnetCidrs', "must be a list, got the string '10.0.1.0/24'"],
    ['a subnet that is no CIDR', { subnetCidrs: ['10.0.1.0/24', '10.0.2.0/33'] }, 'healthCheck.subnetCidrs[1]', '10.0.2.0/33'],
    ['port 0', { subnetCidrs: NLB_SUBNETS, port: 0 }, 'healthCheck.port', 'port 0'],
    ['a port as a string', { subnetCidrs: NLB_SUBNETS, port: '8081' }, 'healthCheck.port', "must be a number, got the string '8081'"],
    ['a protocol in lower case', { subnetCidrs: NLB_SUBNETS, protocol: 'http' }, 'healthCheck.protocol', "'http' is not an AwsHealthCheckProtocol (one of TCP, HTTP, HTTPS)"],
    ['a path with TCP', { subnetCidrs: NLB_SUBNETS, path: '/healthz' }, 'healthCheck.path', 'a TCP health check has no path: set protocol HTTP or HTTPS, or omit path'],
    ['a relative path', { subnetCidrs: NLB_SUBNETS, protocol: AwsHealthCheckProtocol.HTTP, path: 'healthz' }, 'healthCheck.path',
      "'healthz' is not a health-check path (it must start with '/', at most 1024 printable ASCII characters, no spaces)"],
    ['a path with a space', { subnetCidrs: NLB_SUBNETS, protocol: AwsHealthCheckProtocol.HTTP, path: '/a b' }, 'healthCheck.path', 'is not a health-check path'],
    ['a path too long', { subnetCidrs: NLB_SUBNETS, protocol: AwsHealthCheckProtocol.HTTP, path: `/${'a'.repeat(1024)}` }, 'healthCheck.path', 'is not a health-check path'],
    ['an unknown field', { subnetCidrs: NLB_SUBNETS, interval: 10 }, 'healthCheck.interval', 'unknown field (expected one of subnetCidrs, port, protocol, path)'],
    ['not an object', 'traffic-port', 'healthCheck', "must be an object, got the string 'traffic-port'"],
  ])('LoadBalancerCloud.aws refuses %s', (_what, healthCheck, prop, reason) => {
    const e = validationErrorOf(() => aws(healthCheck));
    expect([e.path, e.prop]).toEqual(['LoadBalancerCloud.aws', prop]);
    expect(e.reason).toContain(reason);
  });

  test.each<[string, string[], IpFamily[] | undefined, string, string]>([
    ['every address', ['0.0.0.0/0'], undefined, 'cloud.healthCheck.subnetCidrs[0]',
      '0.0.0.0/0 admits every address to the health-check port: name the CIDRs of the NLB\'s subnets'],
    ['the metadata addresses', ['10.0.1.0/24', '169.254.0.0/16'], undefined, 'cloud.healthCheck.subnetCidrs[1]',
      '169.254.0.0/16 overlaps the cloud metadata addresses (169.254.169.254/32), which are never clients of a load balancer: a range this wide or '
      + 'link-local is a mistake; name the NLB\'s subnets'],
    ['a subnet inside the pod CIDR', ['10.244.3.0/24'], undefined, 'cloud.healthCheck.subnetCidrs[0]',
      '10.244.3.0/24 is inside the pod CIDR 10.244.0.0/16: an allow from it would admit pods too; run the NLB in subnets outside the pod CIDRs'],
    ['a subnet twice', ['10.0.1.0/24', '10.0.1.0/24'], undefined, 'cloud.healthCheck.subnetCidrs[1]', '10.0.1.0/24 is already cloud.healthCheck.subnetCidrs[0]'],
    ['IPv6 on an IPv4 cluster', ['2001:db8::/64'], undefined, 'cloud.healthCheck.subnetCidrs[0]', '2001:db8::/64'],
    ['IPv6 behind an IPv4-only NLB', ['10.0.1.0/24', '2001:db8::/64'], [IpFamily.IPV4, IpFamily.IPV6], 'cloud.healthCheck.subnetCidrs[1]',
      '2001:db8::/64 is IPv6, but LoadBalancerCloud.aws({ targetType: ip }) makes an IPv4 NLB'],
  ])('the construct refuses %s among the subnets (checked as the ranges are)', (_what, subnetCidrs, families, prop, reason) => {
    expect(refusal({ cloud: aws({ subnetCidrs }) }, prop, Cni.kubernetes(), families)).toContain(reason);
  });

  test('the caller cannot move the health check with annotations (the port the policy opens is the one annotated)', () => {
    expect(refusal({ cloud: IP_CLOUD, annotations: { [`${HC}-port`]: '9090' } }, `annotations.${HC}-port`))
      .toBe('is written by LoadBalancerCloud.aws({ targetType: ip }) (internal: false); do not set it again');
  });
});

describe('AWS and IPv6: the controller makes an IPv4 NLB unless told dualstack', () => {
  const DUAL = [IpFamily.IPV4, IpFamily.IPV6];
  const IP_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-ip-address-type';
  const WHY = 'LoadBalancerCloud.aws({ targetType: instance }) makes an IPv4 NLB, and the AWS Load Balancer Controller refuses IPv6 on it: add the '
    + `annotation ${IP_TYPE}: dualstack (needs dual-stack subnets)`;

  // Before: ['0.0.0.0/0', '::/0'], which the controller refuses ("unsupported v6 cidr ::/0 when lb is not dualstack"): no load balancer.
  test('allowFromAnywhere on a dual-stack cluster admits the IPv4 addresses the NLB serves, on the Service and in the policy', () => {
    const [service, policy] = synth({ allowedSourceRanges: undefined, allowFromAnywhere: true, cloud: LoadBalancerCloud.aws() }, Cni.calico(), DUAL);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['0.0.0.0/0']);
    expect(policy.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }]);
  });

  test('with the dualstack annotation, IPv6 is admitted', () => {
    const [service, policy] = synth({
      allowedSourceRanges: undefined,
      allowFromAnywhere: true,
      cloud: LoadBalancerCloud.aws(),
      annotations: { [IP_TYPE]: 'dualstack' },
      ipFamilyPolicy: ServiceIpFamilyPolicy.PREFER_DUAL_STACK,
    }, Cni.calico(), DUAL);
    expect(service.spec).toMatchObject({ loadBalancerSourceRanges: ['0.0.0.0/0', '::/0'], ipFamilies: ['IPv4', 'IPv6'] });
    expect(policy.spec.ingress[0].from.map((f: any) => f.ipBlock.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  });

  test.each<[string, Partial<LoadBalancerServiceProps>, IpFamily[], string, string]>([
    ['an IPv6 range', { allowedSourceRanges: ['203.0.113.0/24', '2001:db8::/32'], cloud: LoadBalancerCloud.aws() }, DUAL,
      'allowedSourceRanges[1]', `2001:db8::/32 is IPv6, but ${WHY}, or give IPv4 ranges only`],
    ['a dual-stack Service', { ipFamilyPolicy: ServiceIpFamilyPolicy.PREFER_DUAL_STACK, cloud: LoadBalancerCloud.aws() }, DUAL,
      'ipFamilyPolicy', `the Service gets an IPv6 family from the ClusterNetwork, but ${WHY}`],
    ['an IPv6-only cluster', { allowedSourceRanges: ['2001:db8::/32'], cloud: LoadBalancerCloud.aws() }, [IpFamily.IPV6],
      'cloud', `the Service gets an IPv6 family from the ClusterNetwork, but ${WHY}`],
  ])('refuses %s without it', (_what, props, families, prop, reason) => {
    expect(refusal(props, prop, Cni.calico(), families)).toBe(reason);
  });

  test('other clouds keep both families', () => {
    const [service] = synth({ allowedSourceRanges: undefined, allowFromAnywhere: true, cloud: LoadBalancerCloud.gke() }, Cni.calico(), DUAL);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['0.0.0.0/0', '::/0']);
  });
});

describe.each(ENFORCING_CNIS)('inside a ZeroTrustNamespace on %s', (_name, cni) => {
  test('the default deny and the guard rails leave the ranges to the pods on the target port, and nothing else', () => {
    const chart = chartFor(cni());
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    new LoadBalancerService(chart, 'web', BASE);
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443), Port.tcp(9090)] });
    reach.addProbe('db', 'shop', { app: 'db' }, { ports: [Port.tcp(8443)] });
    expect(reach).toAllow(Target.external('203.0.113.5'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('198.51.100.1'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('203.0.113.5'), WEB, Port.tcp(9090));
    // The Service selector is the policy's: other pods of the namespace stay closed.
    expect(reach).toDeny(Target.external('203.0.113.5'), Target.pod('shop', { app: 'db' }), Port.tcp(8443));
  });
});

describe('Service fields', () => {
  test('loadBalancerClass, a name, and dual stack from the ClusterNetwork families', () => {
    const [service, policy] = synth({
      name: 'shop-public', loadBalancerClass: 'service.k8s.aws/nlb', ipFamilyPolicy: ServiceIpFamilyPolicy.PREFER_DUAL_STACK,
    }, Cni.calico(), [IpFamily.IPV4, IpFamily.IPV6]);
    expect(service.metadata.name).toBe('shop-public');
    expect(policy.metadata.name).toBe('shop-public-from-load-balancer');
    expect(service.spec).toMatchObject({ loadBalancerClass: 'service.k8s.aws/nlb', ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] });
  });

  test('SingleStack sets no ipFamilies', () => {
    const [service] = synth({ ipFamilyPolicy: ServiceIpFamilyPolicy.SINGLE_STACK }, Cni.calico(), [IpFamily.IPV4, IpFamily.IPV6]);
    expect(service.spec.ipFamilyPolicy).toBe('SingleStack');
    expect(service.spec.ipFamilies).toBeUndefined();
  });

  test.each<[string, Partial<LoadBalancerServiceProps>, string, string]>([
    ['a Service name starting with a digit', { name: '1web' }, 'name', "'1web' is not a valid Service name (DNS-1035 label: it must start with a letter)"],
    ['an upper-case Service name', { name: 'Web' }, 'name',
      "'Web' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)"],
    ['a bad namespace', { namespace: 'Shop' }, 'namespace',
      "'Shop' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)"],
    ['an empty pod selector', { podSelector: {} }, 'podSelector',
      'at least one label is required: an empty selector sends load balancer traffic to every pod of the namespace'],
    ['a bad loadBalancerClass', { loadBalancerClass: 'not a class' }, 'loadBalancerClass',
      "'not a class' is not a qualified name (an optional DNS subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends)"],
    ['RequireDualStack on a single-stack cluster', { ipFamilyPolicy: ServiceIpFamilyPolicy.REQUIRE_DUAL_STACK }, 'ipFamilyPolicy',
      "RequireDualStack needs a dual-stack cluster, but the ClusterNetwork's ipFamilies are [IPv4]"],
  ])('refuses %s', (_what, props, prop, reason) => {
    expect(refusal(props, prop)).toBe(reason);
  });

  // Before: accepted; a selector matching CoreDNS isolated it from every pod of the cluster (DNS outage).
  test.each<[string, string]>([
    ['kube-system', 'the cluster DNS (ClusterNetwork dns.namespace)'],
    ['kube-public', 'the control plane (kube-* namespaces)'],
  ])('a system namespace (%s) is refused', (namespace, what) => {
    expect(refusal({ namespace, podSelector: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: Protocol.UDP }] }, 'namespace', Cni.calico()))
      .toBe(`'${namespace}' runs ${what}: the source-range policy would isolate the pods it selects there from every client outside the ranges, `
        + 'pods of the cluster included (a selector matching CoreDNS would cut every pod off DNS). Publish workloads from an application namespace');
  });

  test('a second Service of the same name in the namespace is refused', () => {
    const chart = chartFor(Cni.kubernetes());
    new LoadBalancerService(chart, 'web', BASE);
    const e = validationErrorOf(() => new LoadBalancerService(chart, 'web2', { ...BASE, name: 'web' }));
    expect(e.message).toBe("[test/web2] metadata.name: Service 'web' in namespace 'shop' is already emitted by 'test/web'; give one of them another name");
  });
});

describe('a CNI that enforces no policy', () => {
  test('Flannel is refused: only the load balancer would check the ranges', () => {
    expect(refusal({}, 'allowedSourceRanges', Cni.flannel())).toBe('CNI \'flannel\' enforces no network policy: only the load balancer would check '
      + 'the source ranges, and any path around it (a NodePort, another Service) would reach the pods from anywhere. Use a CNI that enforces '
      + 'policy, or pass Cni.flannel({ acknowledgeUnenforcedPolicies: true }) if these manifests also target clusters that do');
  });

  test('Flannel with the acknowledgement emits the Service and the policy for the clusters that enforce it', () => {
    const objects = synth({}, Cni.flannel({ acknowledgeUnenforcedPolicies: true }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/web', 'NetworkPolicy/web-from-load-balancer']);
  });
});

test('without a ClusterNetwork the construct fails closed, naming the CNI choices', () => {
  const e = validationErrorOf(() => new LoadBalancerService(Testing.chart(), 'web', BASE));
  expect([e.path, e.prop]).toEqual(['test/web', 'ClusterNetwork']);
  expect(e.reason).toMatch(/^none is declared: .* with cni one of .*Cni\.calico\(\)/);
});

describe('runtime types (JavaScript and jsii callers)', () => {
  test.each<[string, unknown, string, string]>([
    ['props undefined', undefined, 'props', 'must be an object of props (they are required), got undefined'],
    ['ports as an object', { ...BASE, ports: { port: 80 } }, 'ports', 'must be a list, got a plain object'],
    ['a port as a number', { ...BASE, ports: [80] }, 'ports[0]', 'must be an object, got the number 80'],
    ['a port number as a string', { ...BASE, ports: [{ port: '80' }] }, 'ports[0].port', "must be a number, got the string '80'"],
    ['a protocol in lower case', { ...BASE, ports: [{ port: 80, protocol: 'tcp' }] }, 'ports[0].protocol', "'tcp' is not a Protocol (one of TCP, UDP, SCTP)"],
    ['an unknown port field', { ...BASE, ports: [{ port: 80, target: 8080 }] }, 'ports[0].target', 'unknown field (expected one of port, targetPort, targetPortName, protocol, name)'],
    ['ranges as a string', { ...BASE, allowedSourceRanges: '203.0.113.0/24' }, 'allowedSourceRanges', "must be a list, got the string '203.0.113.0/24'"],
    ['a range as a number', { ...BASE, allowedSourceRanges: [42] }, 'allowedSourceRanges[0]', 'must be a string, got the number 42'],
    ['allowFromAnywhere as a string', { ...BASE, allowedSourceRanges: undefined, allowFromAnywhere: 'yes' }, 'allowFromAnywhere',
      "must be true or false, got the string 'yes'"],
    ['internal as a string', { ...BASE, internal: 'true' }, 'internal', "must be true or false, got the string 'true'"],
    ['externalTrafficPolicy in lower case', { ...BASE, externalTrafficPolicy: 'local' }, 'externalTrafficPolicy', "'local' is not an ExternalTrafficPolicy (one of Local, Cluster)"],
    ['a look-alike cloud', { ...BASE, cloud: { _kind: 'aws' } }, 'cloud', 'must be a LoadBalancerCloud made by its factories'],
    ['podSelector as a string', { ...BASE, podSelector: 'app=web' }, 'podSelector', "must be a map of strings to strings, got the string 'app=web'"],
    ['an unknown prop', { ...BASE, sourceRanges: ['203.0.113.0/24'] }, 'sourceRanges', 'unknown field (expected one of namespace, podSelector, ports, allowedSourceRanges, '],
  ])('%s', (_what, props, prop, reason) => {
    const e = validationErrorOf(() => new LoadBalancerService(chartFor(Cni.kubernetes()), 'web', any(props)));
    expect([e.path, e.prop]).toEqual(['test/web', prop]);
    expect(e.reason).toContain(reason);
  });

  test('LoadBalancerCloud.aws refuses a target type that is not an AwsNlbTargetType', () => {
    const e = validationErrorOf(() => LoadBalancerCloud.aws({ targetType: any('IP') }));
    expect([e.path, e.prop]).toEqual(['LoadBalancerCloud.aws', 'targetType']);
    expect(validationErrorOf(() => LoadBalancerCloud.aws(any('ip'))).prop).toBe('options');
  });
});

describe('AWS instance targets under Cluster: the NLB health-checks the NodePort, and the node forwards the check to a pod', () => {
  const HC = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck';
  const PRESERVED: Partial<LoadBalancerServiceProps> = {
    externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: true,
  };
  const instanceCloud = () => LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: NLB_SUBNETS } });
  /** The datapaths where the acknowledgement is accepted: Cilium's kube-proxy replacement, Calico eBPF. */
  const KUBE_PROXY_FREE: Array<[string, () => Chart]> = [
    ['Cilium', () => chartFor(Cni.cilium())],
    ['Calico eBPF', () => chartFor(Cni.calico(), { kubeProxyMode: KubeProxyMode.REPLACED })],
  ];

  // Before: accepted with a policy admitting only the ranges; the checks, forwarded with the NLB's address kept, were all dropped.
  test.each(KUBE_PROXY_FREE)('without healthCheck it is refused on %s, naming the field and the fix', (_name, chart) => {
    const e = validationErrorOf(() => new LoadBalancerService(chart(), 'web', { ...BASE, ...PRESERVED, cloud: LoadBalancerCloud.aws() }));
    expect([e.path, e.prop]).toEqual(['test/web', 'cloud.healthCheck']);
    expect(e.reason).toBe('is required with instance targets under externalTrafficPolicy Cluster: the NLB then health-checks each node on the '
      + 'Service\'s NodePort (traffic-port; healthCheckNodePort exists only under Local), the node forwards the check to a pod with the NLB\'s private '
      + 'address kept as its source, and the pods\' policy (admitting only the source ranges) drops it, so every target would be unhealthy. Give '
      + 'LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: [<the NLB subnets\' CIDRs>] } }), or keep the default Local');
  });

  // Before: LoadBalancerCloud.aws refused a healthCheck with instance targets, so there was no way to admit the checks.
  test.each(KUBE_PROXY_FREE)('with healthCheck on %s: the traffic-port annotations, and the subnets admitted on the target port', (_name, chart) => {
    const c = chart();
    new LoadBalancerService(c, 'web', { ...BASE, ...PRESERVED, cloud: instanceCloud() });
    const [service, policy, ...rest] = synthValid(c);
    expect(rest).toEqual([]);
    expect(service.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      [`${HC}-port`]: 'traffic-port',
      [`${HC}-protocol`]: 'TCP',
    });
    // Instance targets are reached on the NodePorts: none are switched off.
    expect(service.spec).toEqual({
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }],
      externalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: ['203.0.113.0/24'],
    });
    expect(policy.spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '10.0.1.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] },
    ]);
  });

  test('the analyzer on Cilium: the NLB subnets reach the target port only, the clients as before', () => {
    const chart = chartFor(Cni.cilium());
    new LoadBalancerService(chart, 'web', { ...BASE, ...PRESERVED, cloud: LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: NLB_SUBNETS, protocol: AwsHealthCheckProtocol.HTTP } }) });
    const reach = reachabilityOf(chart, Cni.cilium());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443), Port.tcp(9090)] });
    expect(reach).toAllow(Target.external('10.0.1.7'), WEB, Port.tcp(8443));
    expect(reach).toAllow(Target.external('10.0.2.200'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('10.0.3.7'), WEB, Port.tcp(8443));
    expect(reach).toDeny(Target.external('10.0.1.7'), WEB, Port.tcp(9090));
    expect(reach).toAllow(Target.external('203.0.113.5'), WEB, Port.tcp(8443));
  });

  // Before: refused by LoadBalancerCloud.aws for every instance target (prop healthCheck), the Local case included.
  test('under Local a healthCheck is refused: the NLB checks healthCheckNodePort on the node, the pods never see it', () => {
    expect(refusal({ cloud: instanceCloud() }, 'cloud.healthCheck', Cni.cilium())).toBe('with instance targets and externalTrafficPolicy Local the NLB '
      + 'health-checks each node on the Service\'s healthCheckNodePort, answered by kube-proxy (or the CNI replacing it) on the node, never by the pods: '
      + 'an allow for the subnets would only open the pods to them. Remove healthCheck (it is for IP targets, and for instance targets under '
      + 'externalTrafficPolicy Cluster)');
  });

  // Before: refused under the prop healthCheck, as any instance health check; the port would have been one of the node.
  test('a dedicated port is refused with instance targets: the NLB would check that port of the node', () => {
    const e = validationErrorOf(() => LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: NLB_SUBNETS, port: 8081 } }));
    expect([e.path, e.prop]).toEqual(['LoadBalancerCloud.aws', 'healthCheck.port']);
    expect(e.reason).toBe('8081: with instance targets the NLB checks that port on the node, not on the pods, so the pods\' policy cannot tell where it '
      + 'leads. Leave port out: the NLB then checks the traffic port (the Service\'s NodePort, forwarded to the target port, which the policy admits '
      + 'from the subnets)');
  });

  // Before: accepted, the policy admitting TCP 5353 from the subnets; the NLB's TCP checks on the UDP NodePort reach nothing (no TCP there).
  test.each([
    ['numbered', { name: 'dns', port: 53, protocol: Protocol.UDP, targetPort: 5353 }],
    ['named', { name: 'dns', port: 53, protocol: Protocol.UDP, targetPortName: 'dns' }],
  ])('a %s UDP port without a TCP port of the same number is refused: its TCP health checks reach no pod', (_kind, dns) => {
    expect(refusal({ ...PRESERVED, cloud: instanceCloud(), ports: [{ name: 'web', port: 443, targetPort: 8443 }, dns] }, 'ports[1].protocol', Cni.cilium()))
      .toBe('UDP on port 53 with instance targets under externalTrafficPolicy Cluster: the NLB health-checks a UDP target group over TCP on its '
        + 'traffic port, the Service port\'s NodePort, where nothing answers TCP unless a TCP port of the Service has the same port number (Kubernetes '
        + 'then gives both one NodePort): every node would be unhealthy and the NLB would fail open. Add a TCP port 53 to the Service (its target port '
        + 'then answers the checks), or keep the default Local (checked on healthCheckNodePort, on the node)');
  });

  // Before: the subnets were admitted over TCP on the UDP target port 5353 too (and a named UDP target port was refused), though the UDP
  // target group's TCP check goes to the NodePort it shares with TCP 53, forwarded to that port's target.
  test.each<[string, number | undefined, string | undefined, object]>([
    ['numbered', 5353, undefined, { port: 5354, protocol: 'TCP' }],
    ['named', undefined, 'dns', { port: 'dns-tcp', protocol: 'TCP' }],
  ])('a %s UDP port beside a TCP port of the same number: the subnets reach the TCP port\'s target only', (_kind, udpTarget, udpName, hcPort) => {
    const c = chartFor(Cni.cilium());
    new LoadBalancerService(c, 'web', {
      ...BASE,
      ...PRESERVED,
      cloud: instanceCloud(),
      ports: [
        { name: 'dns', port: 53, protocol: Protocol.UDP, ...(udpName ? { targetPortName: udpName } : { targetPort: udpTarget }) },
        { name: 'dns-tcp', port: 53, ...(udpName ? { targetPortName: 'dns-tcp' } : { targetPort: 5354 }) },
      ],
    });
    const [, policy] = synthValid(c);
    expect(policy.spec.ingress).toHaveLength(2);
    expect(policy.spec.ingress[1]).toEqual({ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }], ports: [hcPort] });
  });

  // Before: accepted; the checks then went through the NodePort to the local pods, from the NLB's addresses, and were all dropped.
  // (The generic cloud with the AWS controller's class: before this review's fix, accepted as well.)
  test.each<[string, string, Partial<LoadBalancerServiceProps>]>([
    ['aws', 'traffic-port', { cloud: LoadBalancerCloud.aws() }],
    ['aws', '31080', { cloud: LoadBalancerCloud.aws() }],
    ['generic with service.k8s.aws/nlb', 'traffic-port', { loadBalancerClass: 'service.k8s.aws/nlb' }],
  ])('under Local the caller may not move the health-check port with annotations (%s, %s)', (_cloud, value, props) => {
    expect(refusal({ ...props, annotations: { [`${HC}-port`]: value } }, `annotations.${HC}-port`)).toBe('sets where the NLB '
      + 'health-checks instance targets, which the construct decides: under externalTrafficPolicy Local the Service\'s healthCheckNodePort (answered '
      + 'on the node), under Cluster the traffic port with LoadBalancerCloud.aws({ healthCheck }) (its subnets admitted by the pods\' policy). On a '
      + 'port the node forwards to the pods the checks would come from the NLB\'s addresses, which the pods\' policy drops. Remove it');
  });

  // Before: accepted; the AWS Load Balancer Controller's class alone makes instance targets, health-checked through the NodePort and dropped.
  test('a generic cloud with the AWS Load Balancer Controller\'s class under Cluster is refused; other classes are not', () => {
    expect(refusal({ ...PRESERVED, loadBalancerClass: 'service.k8s.aws/nlb' }, 'loadBalancerClass', Cni.cilium())).toBe('service.k8s.aws/nlb under '
      + 'externalTrafficPolicy Cluster: the AWS Load Balancer Controller makes an NLB with instance targets, which it health-checks on the Service\'s '
      + 'NodePort (traffic-port); the node forwards the check to a pod with the NLB\'s private address kept as its source, which the pods\' policy '
      + '(admitting only the source ranges) drops, so every target would be unhealthy. Use cloud: LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: '
      + '[<the NLB subnets\' CIDRs>] } }), or keep the default Local');
    const c = chartFor(Cni.cilium());
    new LoadBalancerService(c, 'web', { ...BASE, ...PRESERVED, loadBalancerClass: 'io.cilium/l2-announcer' });
    expect(synthValid(c)[0].spec).toMatchObject({ loadBalancerClass: 'io.cilium/l2-announcer', externalTrafficPolicy: 'Cluster' });
  });

  // Before: accepted; the per-port probes on the NodePort were forwarded to the pods with the probe's address and dropped.
  test('Azure under Cluster is refused (its probes may go to the NodePort; the ClusterNetwork does not record the probe mode)', () => {
    expect(refusal({ ...PRESERVED, cloud: LoadBalancerCloud.azure() }, 'externalTrafficPolicy', Cni.cilium())).toBe('Cluster on Azure: the load '
      + 'balancer probes each node on the Service\'s NodePort (cloud-provider-azure\'s per-port probes) unless the cluster uses the shared kube-proxy '
      + 'probe (clusterServiceLoadBalancerHealthProbeMode shared), which the ClusterNetwork does not record; a NodePort probe reaches a pod with the '
      + 'probe\'s own address kept as its source, which the pods\' policy (admitting only the source ranges) drops, so every node would be unhealthy. '
      + 'Keep the default Local (probed on healthCheckNodePort, on the node)');
  });
});
