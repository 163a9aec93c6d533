/**
 * Pods that choose their address under Calico (projectcalico/calico cni-plugin/pkg/k8s/k8s.go,
 * docs.tigera.io "Use a specific IP address with a pod"): `cni.projectcalico.org/ipAddrs` and
 * `ipAddrsNoIpam` give the pod exactly those IPs (possibly outside the pod CIDRs), `ipv4pools` /
 * `ipv6pools` (pod, else namespace) restrict Calico IPAM to those pools, and Calico IPAM allocates
 * from every pool, including pools outside `podCidrs`. CIDR rules (ipBlock, nets) must see that.
 */
import { external, knp, NAMESPACES, pod } from './helpers';
import { Cni, Port } from '../../../src';
import { calicoModel } from '../../../src/analysis/calico';
import { Endpoint } from '../../../src/analysis/model';
import { Reachability } from '../../../src/analysis/reachability';
import { Verdict } from '../../../src/analysis/verdict';
import { expectValidManifests } from '../../support/schema';
import { checkContract } from '../fast-path-contract';
import { deployment, namespace, networkPolicy, w } from '../fixtures';

const POD_CIDR = '10.244.0.0/16';

function annotated(name: string, annotations: Record<string, string>) {
  const d = deployment('shop', name, { app: name });
  return { ...d, spec: { ...d.spec, template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, annotations } } } };
}

const web = deployment('shop', 'web', { app: 'web' }, { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] });

/** web admits only the given ipBlock on ingress. */
function webAdmits(ipBlock: any) {
  return networkPolicy('web-in', 'shop', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock }] }],
  });
}

/** client may only reach "the internet": everything except the pod CIDR. */
const clientToInternet = networkPolicy('client-out', 'shop', {
  podSelector: { matchLabels: { app: 'client' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [POD_CIDR] } }] }],
});

const installation = (pools: Array<{ name: string; cidr: string }>) => ({
  apiVersion: 'operator.tigera.io/v1',
  kind: 'Installation',
  metadata: { name: 'default' },
  spec: { calicoNetwork: { ipPools: pools } },
});
const ipPool = (name: string, cidr: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name }, spec: { cidr } });

function reach(manifests: any[]): Reachability {
  expectValidManifests(manifests);
  return Reachability.fromManifests(manifests, { cni: Cni.calico(), podCidrs: [POD_CIDR] });
}

function verdict(manifests: any[], from: string, to: string, port = 8080): Verdict {
  return reach(manifests).check(w(from), w(to), Port.tcp(port)).verdict;
}

describe('cni.projectcalico.org/ipAddrsNoIpam: the pod has that address, even outside the pod CIDRs, if it starts at all', () => {
  const legacy = annotated('legacy', { 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' });
  // Calico's CNI fails the pod unless its configuration enables feature_control.ip_addrs_no_ipam (off by default;
  // cni-plugin/pkg/k8s/k8s.go CmdAddK8s), which the manifests do not tell: what the pod could send or receive is not
  // known, what policy refuses stays refused.
  const featureSwitch = 'feature_control.ip_addrs_no_ipam';

  test('an ipBlock admitting 192.0.2.0/24 admits it if it runs (not "a pod in 10.244.0.0/16"); one admitting the pod CIDR refuses it', () => {
    const r = reach([namespace('shop'), web, legacy, webAdmits({ cidr: '192.0.2.0/24' })]).check(w('shop/legacy'), w('shop/web'), Port.tcp(8080));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain(featureSwitch);
    expect(verdict([namespace('shop'), web, legacy, webAdmits({ cidr: POD_CIDR })], 'shop/legacy', 'shop/web')).toBe(Verdict.DENY);
  });

  test('an egress ipBlock 0.0.0.0/0 except the pod CIDR reaches it (the client side allows; the pod may not run)', () => {
    const client = deployment('shop', 'client', { app: 'client' });
    const legacyServing = { ...legacy, spec: { ...legacy.spec, template: { ...legacy.spec.template, spec: web.spec.template.spec } } };
    const r = reach([namespace('shop'), client, legacyServing, clientToInternet]).check(w('shop/client'), w('shop/legacy'), Port.tcp(8080));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain(featureSwitch);
    expect(r.uncertainties.join('\n')).not.toContain('its IP is not in the manifests');
  });

  test('a pod without the annotation stays in the pod CIDR', () => {
    const other = deployment('shop', 'other', { app: 'other' });
    expect(verdict([namespace('shop'), web, other, webAdmits({ cidr: '192.0.2.0/24' })], 'shop/other', 'shop/web')).toBe(Verdict.DENY);
  });

  test('without any policy its flows are indeterminate, not allowed: the pod may never start', () => {
    const r = reach([namespace('shop'), web, legacy]).check(w('shop/legacy'), w('shop/web'), Port.tcp(8080));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain('Calico\'s CNI may never set up shop/legacy (its cni.projectcalico.org/ipAddrsNoIpam annotation is honoured only '
      + `when Calico's CNI configuration enables ${featureSwitch}`);
  });
});

describe('cni.projectcalico.org/ipAddrs: exact addresses from IPAM', () => {
  test('a /32 ipBlock on the annotated address admits it surely, another address is surely refused', () => {
    const fixed = annotated('fixed', { 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]' });
    expect(verdict([namespace('shop'), web, fixed, webAdmits({ cidr: '10.244.5.5/32' })], 'shop/fixed', 'shop/web')).toBe(Verdict.ALLOW);
    expect(verdict([namespace('shop'), web, fixed, webAdmits({ cidr: '10.244.5.6/32' })], 'shop/fixed', 'shop/web')).toBe(Verdict.DENY);
  });

  test('an unusable annotation (both annotations, or not a JSON list of IPs) leaves the address unknown', () => {
    for (const annotations of <Array<Record<string, string>>>[
      { 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]', 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' },
      { 'cni.projectcalico.org/ipAddrs': '10.244.5.5' },
    ]) {
      const r = reach([namespace('shop'), web, annotated('fixed', annotations), webAdmits({ cidr: POD_CIDR })]).check(w('shop/fixed'), w('shop/web'), Port.tcp(8080));
      expect(r.verdict).toBe(Verdict.INDETERMINATE);
    }
  });

  test('Calico\'s CNI refuses such a pod: even flows no CIDR rule decides are indeterminate, not allowed', () => {
    for (const [annotations, why] of <Array<[Record<string, string>, string]>>[
      [{ 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]', 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' }, 'it has both'],
      [{ 'cni.projectcalico.org/ipAddrs': '10.244.5.5' }, 'its cni.projectcalico.org/ipAddrs annotation is not a JSON list'],
      [{ 'cni.projectcalico.org/ipv4pools': 'default-ipv4-ippool' }, 'its cni.projectcalico.org/ipv4pools annotation (default-ipv4-ippool) is not a JSON list'],
    ]) {
      const manifests = [namespace('shop'), web, annotated('fixed', annotations), installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }])];
      const out = reach(manifests).check(w('shop/fixed'), w('shop/web'), Port.tcp(8080));
      expect(out.verdict).toBe(Verdict.INDETERMINATE);
      expect(out.uncertainties.join('\n')).toContain(`Calico's CNI may never set up shop/fixed (${why}`);
      const into = reach(manifests).check(w('shop/web'), w('shop/fixed'), Port.tcp(8080));
      expect(into.verdict).toBe(Verdict.INDETERMINATE);
    }
  });

  test('a valid ipAddrs annotation (Calico IPAM) starts the pod: flows stay exact', () => {
    const fixed = annotated('fixed', { 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]' });
    expect(verdict([namespace('shop'), web, fixed, installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }])], 'shop/fixed', 'shop/web'))
      .toBe(Verdict.ALLOW);
  });
});

describe('cni.projectcalico.org/ipv4pools: the address comes from the named pools (Calico IPAM)', () => {
  const pools = [installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }]), ipPool('legacy-pool', '172.20.0.0/24')];

  test('a pod annotated with a pool outside the pod CIDR is not admitted by an ipBlock on the pod CIDR', () => {
    const pinned = annotated('pinned', { 'cni.projectcalico.org/ipv4pools': '["legacy-pool"]' });
    const manifests = [namespace('shop'), web, pinned, ...pools, webAdmits({ cidr: POD_CIDR })];
    expect(verdict(manifests, 'shop/pinned', 'shop/web')).toBe(Verdict.DENY);
    expect(verdict([...manifests.slice(0, -1), webAdmits({ cidr: '172.20.0.0/24' })], 'shop/pinned', 'shop/web')).toBe(Verdict.ALLOW);
    const partly = reach([...manifests.slice(0, -1), webAdmits({ cidr: '172.20.0.0/25' })]).check(w('shop/pinned'), w('shop/web'), Port.tcp(8080));
    expect(partly.verdict).toBe(Verdict.INDETERMINATE);
    expect(partly.uncertainties.join('\n')).toContain('its IP is not in the manifests, only in the pool 172.20.0.0/24 (cni.projectcalico.org/ipv4pools)');
  });

  test('the namespace annotation applies to its pods; a CIDR entry works like a pool name', () => {
    const ns = { ...namespace('shop'), metadata: { name: 'shop', labels: {}, annotations: { 'cni.projectcalico.org/ipv4pools': '["172.20.0.0/24"]' } } };
    const client = deployment('shop', 'client', { app: 'client' });
    expect(verdict([ns, web, client, ...pools, webAdmits({ cidr: '172.20.0.0/24' })], 'shop/client', 'shop/web')).toBe(Verdict.ALLOW);
  });

  test('a pool the manifests do not define makes the address unknown', () => {
    const pinned = annotated('pinned', { 'cni.projectcalico.org/ipv4pools': '["elsewhere"]' });
    const r = reach([namespace('shop'), web, pinned, ...pools, webAdmits({ cidr: POD_CIDR })]).check(w('shop/pinned'), w('shop/web'), Port.tcp(8080));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain('in pools the manifests do not define (cni.projectcalico.org/ipv4pools: ["elsewhere"])');
  });
});

describe('IP pools outside ReachabilityOptions.podCidrs', () => {
  test('Calico IPAM may give an unannotated pod an address from any pool: an ipBlock on the pod CIDR alone is indeterminate', () => {
    const client = deployment('shop', 'client', { app: 'client' });
    const manifests = [namespace('shop'), web, client, installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }]), ipPool('extra', '10.50.0.0/16'),
      webAdmits({ cidr: POD_CIDR })];
    const r = reach(manifests).check(w('shop/client'), w('shop/web'), Port.tcp(8080));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain('somewhere in the pod CIDR 10.244.0.0/16 or somewhere in the Calico IP pools 10.244.0.0/16, 10.50.0.0/16 (Calico IPAM)');
  });
});

describe('IP pools Calico IPAM never picks for a pod that names no pool (libcalico-go/lib/ipam qualifyPools)', () => {
  const client = deployment('shop', 'client', { app: 'client' });
  const pool = (name: string, spec: Record<string, unknown>) => ({ ...ipPool(name, '10.50.0.0/16'), spec: { cidr: '10.50.0.0/16', ...spec } });

  test.each([
    ['a LoadBalancer pool', { allowedUses: ['LoadBalancer'] }],
    ['a Manual pool', { assignmentMode: 'Manual' }],
    ['a pool selecting no node (kept for the ipv4pools annotation)', { nodeSelector: '!all()' }],
  ])('%s outside the pod CIDR keeps an ipBlock on the pod CIDR exact', (_what, spec) => {
    const manifests = [namespace('shop'), web, client, installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }]), pool('extra', spec),
      webAdmits({ cidr: POD_CIDR })];
    expect(verdict(manifests, 'shop/client', 'shop/web')).toBe(Verdict.ALLOW);
  });

  test('a pod naming such a pool still gets its address from it', () => {
    const pinned = annotated('pinned', { 'cni.projectcalico.org/ipv4pools': '["extra"]' });
    const manifests = [namespace('shop'), web, pinned, installation([{ name: 'default-ipv4-ippool', cidr: POD_CIDR }]),
      pool('extra', { nodeSelector: '!all()' }), webAdmits({ cidr: POD_CIDR })];
    expect(verdict(manifests, 'shop/pinned', 'shop/web')).toBe(Verdict.DENY);
  });
});

describe('fast path (decide, subjectKey, peerKey) agrees with evaluate for pods Calico may not start', () => {
  const withAnnotations = (name: string, labels: Record<string, string>, annotations: Record<string, string>): Endpoint =>
    ({ ...pod('shop', name, labels), annotations });
  const subjects: Endpoint[] = [
    pod('shop', 'web', { app: 'web' }),
    withAnnotations('legacy', { app: 'web' }, { 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' }),
    withAnnotations('both', { app: 'web' }, { 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]', 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' }),
    withAnnotations('fixed', { app: 'web' }, { 'cni.projectcalico.org/ipAddrs': '["10.244.5.5"]' }),
    { kind: 'node', name: 'local-node', nodeLocality: 'local', labels: {}, namespaceLabels: {}, hostNetwork: true, namedPorts: [] },
  ];
  const peers = [...subjects, external('192.0.2.10'), external('203.0.113.9')];
  test.each([
    ['no policy', []],
    ['an ingress policy admitting 192.0.2.0/24', [knp('shop', 'web-in', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] })]],
  ])('%s', (_what, manifests) => {
    checkContract(calicoModel(manifests as any[], NAMESPACES), subjects, peers, [['TCP', 8080]]);
  });
});

describe('another CNI (the cloud\'s) never reads Calico\'s pod annotations', () => {
  const eks = { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { kubernetesProvider: 'EKS', cni: { type: 'AmazonVPC' } } };

  test.each([
    ['ipAddrs', { 'cni.projectcalico.org/ipAddrs': '["192.0.2.10"]' }],
    ['ipAddrsNoIpam', { 'cni.projectcalico.org/ipAddrsNoIpam': '["192.0.2.10"]' }],
    ['ipv4pools', { 'cni.projectcalico.org/ipv4pools': '["192.0.2.0/24"]' }],
  ])('%s: the pod stays in the pod CIDR, starts, and an ipBlock on the pod CIDR admits it', (_what, annotations) => {
    expect(verdict([namespace('shop'), web, annotated('fixed', annotations), eks, webAdmits({ cidr: POD_CIDR })], 'shop/fixed', 'shop/web')).toBe(Verdict.ALLOW);
  });
});
