/**
 * NodeLocalDNS: the upstream addon per kube-proxy mode, Cilium's local-redirect variant, agreement
 * with the ClusterNetwork, and DNS from a zero-trust namespace staying allowed in every mode
 * (Reachability). Ground truth: NETWORKING-FACTS.md "NodeLocal DNSCache" and
 * shared/reference/{kubernetes-nodelocaldns,cilium-node-local-dns,cilium-node-local-dns-lrp}.yaml.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import {
  CiliumInstall, ClusterNetwork, ClusterNetworkProps, Cni, IpFamily, KubeProxyMode, NodeLocalDNS, NodeLocalDNSProps, NodeLocalDnsMode,
  Port, Reachability, Target, ZeroTrustNamespace,
} from '../../src';
import { find, synthAppValid } from '../support/synth';
import '../support/reachability-matchers';

const DNS_PORTS = [Port.udp(53), Port.tcp(53)];
const LOCAL_IP = Target.external('169.254.20.10');
const KUBE_DNS_IP = Target.external('10.96.0.10');
const COREDNS = Target.pod('kube-system', { 'k8s-app': 'kube-dns' });
const NODE_LOCAL_PODS = Target.pod('kube-system', { 'k8s-app': 'node-local-dns' });
const APP = Target.pod('shop', { app: 'web' });

function build(cni: Cni, cluster: Omit<ClusterNetworkProps, 'cni'> = {}, props: NodeLocalDNSProps = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'platform');
  new ClusterNetwork(chart, 'cluster', { cni, nodeLocalDns: true, ...cluster });
  const dns = new NodeLocalDNS(chart, 'node-local-dns', props);
  new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  return { app, chart, dns };
}

function reachability(objects: any[], cni: Cni): Reachability {
  const reach = Reachability.fromManifests(objects, { cni });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: DNS_PORTS });
  reach.addProbe('web', 'shop', { app: 'web' });
  return reach;
}

const corefileZone = (zone: string, bind: string, forward: string, health?: string) => [
  `${zone}:53 {`, '    errors',
  ...(zone === 'cluster.local' ? ['    cache {', '            success 9984 30', '            denial 9984 5', '    }'] : ['    cache 30']),
  '    reload', '    loop', `    bind ${bind}`,
  ...(zone === '.' ? [`    forward . ${forward}`] : [`    forward . ${forward} {`, '            force_tcp', '    }']),
  '    prometheus :9253', ...(health ? [`    ${health}`] : []), '    }',
];

describe('NodeLocalDNS, kube-proxy in iptables mode', () => {
  test('the upstream addon: objects in apply order, every placeholder but node-cache\'s own replaced', () => {
    const { app, dns } = build(Cni.calico());
    const objects = synthAppValid(app).all.filter((o) => o.metadata.namespace === 'kube-system');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/node-local-dns', 'Service/kube-dns-upstream', 'ConfigMap/node-local-dns', 'DaemonSet/node-local-dns', 'Service/node-local-dns',
    ]);
    expect(dns.mode).toBe(NodeLocalDnsMode.IPTABLES);
    expect(dns.kubeletClusterDns).toBe('10.96.0.10');
    const bind = '169.254.20.10 10.96.0.10';
    expect(find(objects, 'ConfigMap', 'node-local-dns').data.Corefile).toBe([
      ...corefileZone('cluster.local', bind, '__PILLAR__CLUSTER__DNS__', 'health 169.254.20.10:8080'),
      ...corefileZone('in-addr.arpa', bind, '__PILLAR__CLUSTER__DNS__'),
      ...corefileZone('ip6.arpa', bind, '__PILLAR__CLUSTER__DNS__'),
      ...corefileZone('.', bind, '__PILLAR__UPSTREAM__SERVERS__'),
    ].join('\n') + '\n');
    expect(dns.corefile.match(/__PILLAR__[A-Z_]+__/g)?.sort()).toEqual([
      ...Array(3).fill('__PILLAR__CLUSTER__DNS__'), '__PILLAR__UPSTREAM__SERVERS__',
    ]);
    const spec = find(objects, 'DaemonSet', 'node-local-dns').spec.template.spec;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('Default');
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.containers[0].image).toBe('registry.k8s.io/dns/k8s-dns-node-cache:1.26.4');
    expect(spec.containers[0].args).toEqual(['-localip', '169.254.20.10,10.96.0.10', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-pidfile', '/tmp/node-cache.pid']);
    expect(spec.containers[0].securityContext).toEqual({ capabilities: { add: ['NET_ADMIN'] } });
    expect(spec.containers[0].livenessProbe.httpGet).toEqual({ host: '169.254.20.10', path: '/health', port: 8080 });
    expect(find(objects, 'Service', 'kube-dns-upstream').spec.selector).toEqual({ 'k8s-app': 'kube-dns' });
  });

  test.each([['kubernetes', () => Cni.kubernetes()], ['calico', () => Cni.calico()], ['cilium without kube-proxy replacement', () => Cni.cilium({ kubeProxyReplacement: false })]])(
    'DNS from a zero-trust namespace stays allowed (%s): the local IP, the kube-dns ClusterIP, and CoreDNS as fallback', (_name, cni) => {
      const { app } = build(cni());
      const reach = reachability(synthAppValid(app).all, cni());
      for (const port of DNS_PORTS) {
        expect(reach).toAllow(APP, LOCAL_IP, port);
        expect(reach).toAllow(APP, KUBE_DNS_IP, port);
        expect(reach).toAllow(APP, COREDNS, port);
      }
      expect(reach).toDeny(APP, LOCAL_IP, Port.tcp(8080));
      expect(reach).toDeny(APP, KUBE_DNS_IP, Port.tcp(443));
    });

  test('custom domain, image and resources; IPv6 local IP in brackets for health', () => {
    const { app, dns } = build(Cni.kubernetes(), {
      ipFamilies: [IpFamily.IPV6], podCidrs: ['fd00:10:244::/56'], serviceCidrs: ['fd00:10:96::/112'], nodeLocalDnsIp: 'fd00::10',
    }, { clusterDomain: 'corp.internal', image: 'registry.example.com/k8s-dns-node-cache:1.26.4', resources: { memoryLimit: '64Mi' } });
    expect(dns.corefile).toContain('corp.internal:53 {');
    expect(dns.corefile).toContain('    bind fd00::10 fd00:10:96::a\n');
    expect(dns.corefile).toContain('    health [fd00::10]:8080\n');
    const container = find(synthAppValid(app).all, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example.com/k8s-dns-node-cache:1.26.4');
    expect(container.resources).toEqual({ requests: { cpu: '25m', memory: '5Mi' }, limits: { memory: '64Mi' } });
    expect(container.args[1]).toBe('fd00::10,fd00:10:96::a');
  });
});

describe('NodeLocalDNS, kube-proxy in IPVS mode', () => {
  test('binds the local IP only, forwards cluster zones to the kube-dns ClusterIP, and says kubelet --cluster-dns must change', () => {
    const { app, dns } = build(Cni.kubernetes(), { kubeProxyMode: KubeProxyMode.IPVS });
    expect(dns.mode).toBe(NodeLocalDnsMode.IPVS);
    expect(dns.kubeletClusterDns).toBe('169.254.20.10');
    expect(dns.corefile).toBe([
      ...corefileZone('cluster.local', '169.254.20.10', '10.96.0.10', 'health 169.254.20.10:8080'),
      ...corefileZone('in-addr.arpa', '169.254.20.10', '10.96.0.10'),
      ...corefileZone('ip6.arpa', '169.254.20.10', '10.96.0.10'),
      ...corefileZone('.', '169.254.20.10', '__PILLAR__UPSTREAM__SERVERS__'),
    ].join('\n') + '\n');
    const { all } = synthAppValid(app);
    const ds = find(all, 'DaemonSet', 'node-local-dns');
    expect(ds.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['-localip', '169.254.20.10']);
    expect(ds.metadata.annotations).toEqual({ 'cdk8s-networking.dev/kubelet-cluster-dns': '169.254.20.10: set kubelet --cluster-dns (clusterDNS) to this address on every node' });
    const reach = reachability(all, Cni.kubernetes());
    for (const port of DNS_PORTS) {
      expect(reach).toAllow(APP, LOCAL_IP, port);
      expect(reach).toAllow(APP, COREDNS, port);
    }
    expect(reach).toDeny(APP, KUBE_DNS_IP, Port.udp(53));
  });
});

describe('NodeLocalDNS on Cilium with kube-proxy replacement (local redirect)', () => {
  test('Cilium\'s variant: no host network or NET_ADMIN, bind 0.0.0.0, the LRP for the kube-dns Service', () => {
    const { app, dns } = build(Cni.cilium());
    expect(dns.mode).toBe(NodeLocalDnsMode.CILIUM_LOCAL_REDIRECT);
    expect(dns.corefile).toContain('    bind 0.0.0.0\n');
    expect(dns.corefile).toContain('    health\n');
    expect(dns.corefile).not.toContain('169.254.20.10');
    const { all } = synthAppValid(app);
    const spec = find(all, 'DaemonSet', 'node-local-dns').spec.template;
    expect(spec.spec.hostNetwork).toBeUndefined();
    expect(spec.spec.containers[0].securityContext).toBeUndefined();
    expect(spec.spec.containers[0].args).toEqual([
      '-localip', '169.254.20.10,10.96.0.10', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false',
    ]);
    expect(spec.spec.containers[0].livenessProbe.httpGet).toEqual({ path: '/health', port: 8080 });
    expect(spec.spec.volumes.map((v: any) => v.name)).toEqual(['kube-dns-config', 'config-volume']);
    expect(spec.metadata.annotations['policy.cilium.io/no-track-port']).toBe('53');
    expect(find(all, 'CiliumLocalRedirectPolicy', 'nodelocaldns', 'kube-system')).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumLocalRedirectPolicy',
      metadata: { name: 'nodelocaldns', namespace: 'kube-system' },
      spec: {
        redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
        redirectBackend: {
          localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
          toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '53', name: 'dns-tcp', protocol: 'TCP' }],
        },
      },
    });
  });

  test('DNS from a zero-trust namespace stays allowed: the node-local-dns pods, and CoreDNS as fallback; not the addresses', () => {
    const { app } = build(Cni.cilium());
    const reach = reachability(synthAppValid(app).all, Cni.cilium());
    for (const port of DNS_PORTS) {
      expect(reach).toAllow(APP, NODE_LOCAL_PODS, port);
      expect(reach).toAllow(APP, COREDNS, port);
    }
    expect(reach).toDeny(APP, NODE_LOCAL_PODS, Port.tcp(9253));
    expect(reach).toDeny(APP, LOCAL_IP, Port.udp(53));
  });

  test('a CiliumInstall with local redirect policies off is an error, whichever is declared first', () => {
    const install = (chart: Chart) => new CiliumInstall(chart, 'cilium', { k8sServiceHost: 'auto', localRedirectPolicies: false });
    const message = /\[platform\/cilium\] localRedirectPolicies: the ClusterNetwork declares NodeLocal DNS under kube-proxy replacement/;
    const before = build(Cni.cilium());
    expect(() => install(before.chart)).toThrow(message);

    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.cilium(), nodeLocalDns: true });
    expect(() => install(chart)).toThrow(message);
  });

  test('with the CiliumInstall defaults (NodeLocal DNS declared) local redirect policies are on and synth passes', () => {
    const { app, chart } = build(Cni.cilium());
    const cilium = new CiliumInstall(chart, 'cilium', { k8sServiceHost: 'auto' });
    expect(cilium.localRedirectPolicies).toBe(true);
    expect(() => synthAppValid(app)).not.toThrow();
  });
});

describe('NodeLocalDNS with the kube-dns ClusterIP as its listen address (ClusterNetwork nodeLocalDnsIp = dns.serviceIp)', () => {
  test('iptables: the address is bound and passed to -localip once, not twice', () => {
    const { app, dns } = build(Cni.kubernetes(), { nodeLocalDnsIp: '10.96.0.10' });
    expect(dns.corefile).toBe([
      ...corefileZone('cluster.local', '10.96.0.10', '__PILLAR__CLUSTER__DNS__', 'health 10.96.0.10:8080'),
      ...corefileZone('in-addr.arpa', '10.96.0.10', '__PILLAR__CLUSTER__DNS__'),
      ...corefileZone('ip6.arpa', '10.96.0.10', '__PILLAR__CLUSTER__DNS__'),
      ...corefileZone('.', '10.96.0.10', '__PILLAR__UPSTREAM__SERVERS__'),
    ].join('\n') + '\n');
    const container = find(synthAppValid(app).all, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0];
    expect(container.args).toEqual(['-localip', '10.96.0.10', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-pidfile', '/tmp/node-cache.pid']);
    expect(container.livenessProbe.httpGet).toEqual({ host: '10.96.0.10', path: '/health', port: 8080 });
  });

  test('Cilium local redirect: -localip names the address once', () => {
    const { app } = build(Cni.cilium(), { nodeLocalDnsIp: '10.96.0.10' });
    expect(find(synthAppValid(app).all, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0].args).toEqual([
      '-localip', '10.96.0.10', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false',
    ]);
  });

  test('IPVS: an error (kube-ipvs0 owns the ClusterIP, and the cluster zones would forward to the cache itself)', () => {
    expect(() => build(Cni.kubernetes(), { kubeProxyMode: KubeProxyMode.IPVS, nodeLocalDnsIp: '10.96.0.10' })).toThrow(
      "[platform/node-local-dns] localIp: '10.96.0.10' (the ClusterNetwork's nodeLocalDnsIp) is the kube-dns ClusterIP, which kube-proxy in IPVS mode "
      + 'binds to kube-ipvs0 on every node and to which the cache forwards the cluster zones: node-local-dns would forward to itself. '
      + 'Use a link-local address (169.254.20.10 by default)');
  });
});

describe('NodeLocalDNS named errors', () => {
  test.each<[string, () => Cni, Omit<ClusterNetworkProps, 'cni'>, NodeLocalDNSProps, RegExp]>([
    ['ClusterNetwork without nodeLocalDns', () => Cni.kubernetes(), { nodeLocalDns: false }, {},
      /\[platform\/node-local-dns\] ClusterNetwork\.nodeLocalDns: the ClusterNetwork 'platform\/cluster' does not declare nodeLocalDns: true/],
    ['local IP differs from the cluster', () => Cni.kubernetes(), {}, { localIp: '169.254.25.10' }, /localIp: '169\.254\.25\.10' differs from the ClusterNetwork's nodeLocalDnsIp '169\.254\.20\.10'/],
    ['kube-dns IP differs from the cluster', () => Cni.kubernetes(), {}, { kubeDnsIp: '10.96.0.11' }, /kubeDnsIp: '10\.96\.0\.11' differs from the ClusterNetwork's dns\.serviceIp '10\.96\.0\.10'/],
    ['kube-proxy mode differs from the cluster', () => Cni.kubernetes(), {}, { kubeProxyMode: KubeProxyMode.IPVS }, /kubeProxyMode: 'ipvs' differs from the ClusterNetwork's kubeProxyMode 'iptables'/],
    ['kube-proxy replaced by Calico eBPF', () => Cni.calico(), { kubeProxyMode: KubeProxyMode.REPLACED }, {}, /kubeProxyMode: kube-proxy is replaced by calico, for which no NodeLocal DNS variant is documented/],
    ['bad resource quantity', () => Cni.kubernetes(), {}, { resources: { cpuRequest: 'lots' } }, /resources\.cpuRequest: 'lots' is not a Kubernetes quantity/],
    ['bad domain', () => Cni.kubernetes(), {}, { clusterDomain: 'Cluster.Local' }, /clusterDomain: 'Cluster\.Local' is not a valid DNS-1123 subdomain/],
    // No image reference contains whitespace; the API server refuses leading or trailing whitespace outright.
    ['image with a trailing newline', () => Cni.kubernetes(), {}, { image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4\n' },
      /^\[platform\/node-local-dns\] image: "registry\.k8s\.io\/dns\/k8s-dns-node-cache:1\.26\.4\\n" is not a container image reference \(it contains whitespace\)$/],
    ['image with a space inside', () => Cni.kubernetes(), {}, { image: 'registry.example.com/node cache:1' },
      /^\[platform\/node-local-dns\] image: "registry\.example\.com\/node cache:1" is not a container image reference \(it contains whitespace\)$/],
    // The kubelet refuses references outside the distribution grammar (InvalidImageName): the cache would never run.
    ['image with an upper-case repository', () => Cni.kubernetes(), {}, { image: 'registry.example.com/DNS/node-cache:1.26.4' },
      /^\[platform\/node-local-dns\] image: 'registry\.example\.com\/DNS\/node-cache:1\.26\.4' is not a valid image reference: \[registry\[:port\]\/\]path\[:tag\]\[@sha256:<64 hex digits>\], path in lower case/],
    ['image with a URL scheme', () => Cni.kubernetes(), {}, { image: 'https://registry.k8s.io/dns/k8s-dns-node-cache:1.26.4' }, /image: 'https:\/\/registry\.k8s\.io\/dns\/k8s-dns-node-cache:1\.26\.4' is not a valid image reference/],
    ['image with a short digest', () => Cni.kubernetes(), {}, { image: 'registry.k8s.io/dns/k8s-dns-node-cache@sha256:abc' }, /image: 'registry\.k8s\.io\/dns\/k8s-dns-node-cache@sha256:abc' is not a valid image reference/],
    // The API server refuses a container whose request exceeds its limit (requests must be <= limits).
    ['memory limit below the default request', () => Cni.kubernetes(), {}, { resources: { memoryLimit: '4Mi' } },
      /^\[platform\/node-local-dns\] resources\.memoryLimit: '4Mi' is below the memory request '5Mi': the API server refuses a request above its limit$/],
    ['memory limit below the request, in other units', () => Cni.kubernetes(), {}, { resources: { memoryRequest: '1Gi', memoryLimit: '1G' } },
      /^\[platform\/node-local-dns\] resources\.memoryLimit: '1G' is below the memory request '1Gi': the API server refuses a request above its limit$/],
  ])('%s', (_name, cni, cluster, props, message) => {
    expect(() => build(cni(), cluster, props)).toThrow(message);
  });

  test.each([[{ memoryRequest: '64Mi', memoryLimit: '0.0625Gi' }], [{ memoryRequest: '1G', memoryLimit: '1Gi' }], [{ memoryLimit: '5242880' }]])(
    'a memory limit at or above the request is kept (%j)', (resources) => {
      const { app } = build(Cni.kubernetes(), {}, { resources });
      const container = find(synthAppValid(app).all, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0];
      expect(container.resources.limits).toEqual({ memory: resources.memoryLimit });
    });

  test.each(['localhost:5000/k8s-dns-node-cache:1.26.4', 'Registry.Example.com:443/dns/node-cache', `registry.k8s.io/dns/k8s-dns-node-cache:1.26.4@sha256:${'a'.repeat(64)}`,
    `registry.k8s.io/dns/k8s-dns-node-cache@sha512:${'e'.repeat(128)}`, '[fd00:10::5]:5000/dns/k8s-dns-node-cache:1.26.4'])(
    'a valid image reference is emitted as given (%s)', (image) => {
      const { app } = build(Cni.kubernetes(), {}, { image });
      expect(find(synthAppValid(app).all, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0].image).toBe(image);
    });

  test('kube-system labelled restricted is an error at synth', () => {
    const { app, chart } = build(Cni.kubernetes());
    new ApiObject(chart, 'kube-system', {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    expect(() => app.synthYaml()).toThrow(/Namespace 'kube-system' \(platform\/kube-system\) enforces Pod Security 'restricted', which refuses node-local-dns/);
  });
});
