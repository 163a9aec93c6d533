/**
 * The CNI-specific examples (calico-cluster, cilium-cluster, node-local-dns), each for its own
 * setups: every object of every output file validates strictly and applies in order, the files come
 * in install-step order, PolicyLint is clean, re-synthesis is byte-identical, and the flows they
 * promise hold under the analyzer.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { synthAppValid } from './support/synth';
import { PLATFORM_EXAMPLES } from '../examples/synth-all';
import { CiliumInstall, Cni, LintSeverity, PolicyLint, Port, Reachability, Target } from '../src';
import './support/reachability-matchers';

const CNI_OF: Record<string, () => Cni> = {
  'calico-cluster/iptables': () => Cni.calico(),
  'calico-cluster/ebpf': () => Cni.calico(),
  'cilium-cluster/cilium': () => Cni.cilium(),
  'node-local-dns/iptables': () => Cni.calico(),
  'node-local-dns/cilium-lrp': () => Cni.cilium(),
};
const CASES = Object.entries(PLATFORM_EXAMPLES).flatMap(([example, variants]) => Object.keys(variants).map((v) => [example, v]));
const DNS = [Port.udp(53), Port.tcp(53)];
const COREDNS = Target.pod('kube-system', { 'k8s-app': 'kube-dns' });

function synth(example: string, variant: string): { app: App; byChart: Record<string, any[]>; all: any[] } {
  const app = new App();
  PLATFORM_EXAMPLES[example][variant](app);
  return { app, ...synthAppValid(app) };
}

function reachability(all: any[], cni: Cni): Reachability {
  const reach = Reachability.fromManifests(all, { cni });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: DNS });
  reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  return reach;
}

test('every platform example has its CNI listed here', () => {
  expect(CASES.map(([e, v]) => `${e}/${v}`).sort()).toEqual(Object.keys(CNI_OF).sort());
});

describe.each(CASES)('example %s (%s)', (example, variant) => {
  const cni = CNI_OF[`${example}/${variant}`];
  const { all } = synth(example, variant);

  test('PolicyLint finds no errors or warnings', () => {
    expect(PolicyLint.check(all, { cni: cni() }).filter((f) => f.severity !== LintSeverity.INFO)).toEqual([]);
  });

  test('synthesizes byte-identical YAML twice', () => {
    const yaml = () => {
      const app = new App();
      PLATFORM_EXAMPLES[example][variant](app);
      return app.synthYaml();
    };
    expect(yaml()).toBe(yaml());
  });
});

describe('calico-cluster', () => {
  test.each(['iptables', 'ebpf'])('%s: files in install-step order, Argo CD waves, the dataplane and the tenants\' flows', (variant) => {
    const { app, byChart, all } = synth('calico-cluster', variant);
    expect(app.charts.map((c) => c.node.id)).toEqual(['calico-operator', 'calico-resources', 'calico-config', 'calico-cluster']);
    expect(byChart['calico-operator'].map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/tigera-operator', 'Application/calico-crds', 'Application/tigera-operator']);
    const network = byChart['calico-resources'][0].spec.calicoNetwork;
    expect(network.linuxDataplane).toBe(variant === 'ebpf' ? 'BPF' : 'Iptables');
    expect(network.ipPools.map((p: any) => [p.name, p.cidr, p.encapsulation, p.natOutgoing])).toEqual([
      ['default-ipv4-ippool', '10.244.0.0/17', 'VXLANCrossSubnet', 'Enabled'], ['edge-ipv4-ippool', '10.244.128.0/17', 'VXLAN', 'Enabled'],
    ]);
    if (variant === 'ebpf') expect([network.bpfNetworkBootstrap, network.kubeProxyManagement]).toEqual(['Enabled', 'Enabled']);
    expect(byChart['calico-config'][0].spec).toEqual({ wireguardEnabled: true });
    const calicoObjects = byChart['calico-cluster'].filter((o) => o.apiVersion === 'projectcalico.org/v3');
    expect(calicoObjects.length).toBeGreaterThan(0);
    for (const o of calicoObjects) expect(Number(o.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThanOrEqual(10);

    const reach = reachability(all, Cni.calico());
    reach.addProbe('acme-web', 'acme', { app: 'web' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('globex-web', 'globex', { app: 'web' }, { ports: [Port.tcp(8080)] });
    const acme = Target.workload('acme', 'acme-web');
    const globex = Target.workload('globex', 'globex-web');
    expect(reach).toAllow(Target.pod('ingress-nginx'), acme, Port.tcp(8080));
    expect(reach).toDeny(globex, acme, Port.tcp(8080));
    for (const port of DNS) expect(reach).toAllow(acme, COREDNS, port);
    expect(reach).toAllow(acme, Target.external('93.184.216.34'), Port.tcp(443));
    expect(reach).toDeny(acme, Target.external('169.254.169.254'), Port.tcp(80));
  });
});

describe('cilium-cluster', () => {
  const { app, byChart, all } = synth('cilium-cluster', 'cilium');
  const install = app.node.findAll().find((c): c is CiliumInstall => c instanceof CiliumInstall)!;

  test('Flux HelmRelease with the lab\'s values, every key in the pinned chart; the values file says the same', () => {
    expect(app.charts.map((c) => c.node.id)).toEqual(['cilium-install', 'cilium-cluster']);
    const release = byChart['cilium-install'].find((o) => o.kind === 'HelmRelease');
    expect(release.spec.values).toEqual(install.values);
    expect(release.spec.values).toMatchObject({
      kubeProxyReplacement: 'true',
      k8sServiceHost: '192.168.10.10',
      k8sServicePort: 6443,
      routingMode: 'tunnel',
      tunnelProtocol: 'vxlan',
      encryption: { enabled: true, type: 'wireguard' },
      hubble: { relay: { enabled: true }, ui: { enabled: true }, tls: { auto: { method: 'cronJob' } } },
      bandwidthManager: { enabled: true, bbr: true },
    });
    expect(JSON.stringify(release.spec.values)).not.toMatch(/strict|"tunnel":/);
    expect(parse(install.valuesYaml())).toEqual(release.spec.values);
    const chartValues = parse(fs.readFileSync(path.resolve(__dirname, '../../shared/crds/cilium/1.20.0/chart/values.yaml'), 'utf8'));
    const missing = (v: any, c: any, p = ''): string[] => Object.entries(v).flatMap(([k, x]) => {
      const q = p ? `${p}.${k}` : k;
      if (c === null || typeof c !== 'object' || !(k in c)) return [q];
      return x !== null && typeof x === 'object' && !Array.isArray(x) ? missing(x, c[k], q) : [];
    });
    expect(missing(release.spec.values, chartValues)).toEqual([]);
  });

  test('the L7 policy: web may reach the api on 8080 only with the HTTP constraint; nothing else may', () => {
    const policy = byChart['cilium-cluster'].find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'api-from-web-http');
    expect(policy.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'k8s:app': 'web' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }],
    }]);
    const reach = reachability(all, Cni.cilium());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('api', 'shop', { app: 'api' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('other', 'shop', { app: 'other' });
    const web = Target.workload('shop', 'web');
    const api = Target.workload('shop', 'api');
    const result = reach.check(web, api, Port.tcp(8080));
    expect(result.allowed).toBe(true);
    expect(result.l7Constraints.join(' ')).toMatch(/GET.*\/api/);
    expect(reach).toDeny(Target.workload('shop', 'other'), api, Port.tcp(8080));
    expect(reach).toDeny(web, api, Port.tcp(9090));
    expect(reach).toAllow(Target.pod('ingress-nginx'), web, Port.tcp(8080));
    for (const port of DNS) expect(reach).toAllow(web, COREDNS, port);
  });

  test('the egress allow list: the api reaches api.stripe.com on 443 only, by name; the web pods do not', () => {
    const policy = byChart['cilium-cluster'].find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'api-egress');
    expect(policy.spec.egress.filter((r: any) => r.toFQDNs)).toEqual([
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    const reach = reachability(all, Cni.cilium());
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('api', 'shop', { app: 'api' }, { ports: [Port.tcp(8080)] });
    const stripe = Target.external('54.187.216.72', 'api.stripe.com');
    expect(reach).toAllow(Target.workload('shop', 'api'), stripe, Port.tcp(443));
    expect(reach).toDeny(Target.workload('shop', 'api'), stripe, Port.tcp(80));
    expect(reach).toDeny(Target.workload('shop', 'api'), Target.external('93.184.216.34', 'example.com'), Port.tcp(443));
    // An address with no name may be one api.stripe.com resolves to: the analyzer cannot tell.
    expect(reach.check(Target.workload('shop', 'api'), Target.external('54.187.216.72'), Port.tcp(443)).indeterminate).toBe(true);
    expect(reach).toDeny(Target.workload('shop', 'web'), stripe, Port.tcp(443));
    for (const port of DNS) expect(reach).toAllow(Target.workload('shop', 'api'), COREDNS, port);
  });
});

describe('node-local-dns', () => {
  test('iptables: DNS from the zero-trust namespace to the local IP, the kube-dns ClusterIP and CoreDNS', () => {
    const { all } = synth('node-local-dns', 'iptables');
    expect(all.find((o) => o.kind === 'DaemonSet').spec.template.spec.hostNetwork).toBe(true);
    const reach = reachability(all, Cni.calico());
    reach.addProbe('web', 'shop', { app: 'web' });
    const web = Target.workload('shop', 'web');
    for (const port of DNS) {
      expect(reach).toAllow(web, Target.external('169.254.20.10'), port);
      expect(reach).toAllow(web, Target.external('10.96.0.10'), port);
      expect(reach).toAllow(web, COREDNS, port);
    }
  });

  test('cilium-lrp: the LRP, local redirect policies in the values, DNS to the node-local-dns pods and CoreDNS', () => {
    const { app, all } = synth('node-local-dns', 'cilium-lrp');
    expect(all.filter((o) => o.kind === 'CiliumLocalRedirectPolicy').map((o) => o.metadata.name)).toEqual(['nodelocaldns']);
    const install = app.node.findAll().find((c): c is CiliumInstall => c instanceof CiliumInstall)!;
    expect(install.values.localRedirectPolicies).toEqual({ enabled: true });
    const reach = reachability(all, Cni.cilium());
    reach.addProbe('web', 'shop', { app: 'web' });
    const web = Target.workload('shop', 'web');
    for (const port of DNS) {
      expect(reach).toAllow(web, Target.pod('kube-system', { 'k8s-app': 'node-local-dns' }), port);
      expect(reach).toAllow(web, COREDNS, port);
    }
    expect(reach).toDeny(web, Target.external('169.254.20.10'), Port.udp(53));
  });
});
