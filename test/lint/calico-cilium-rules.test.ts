import { brief, netpol } from './support';
import { IpFamily } from '../../src/cluster/cluster-network';
import { Cni } from '../../src/cluster/cni';
import { PolicyLint } from '../../src/lint';

const gnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const cnp = (name: string, namespace: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const SCOPED = "kubernetes.io/metadata.name not in {'kube-system', 'calico-system', 'tigera-operator'}";

/** PolicyLint.check without the invalid-object findings (for world-ipv4 / world-ipv6, which the CRD enum rejects). */
function lintWorld(objects: any[], options: Parameters<typeof PolicyLint.check>[1] = {}) {
  return PolicyLint.check(objects, options).filter((f) => f.rule !== 'invalid-object');
}

describe('Calico rules', () => {
  test('the seed deny-all-external: UDP-only DNS and all() scope', () => {
    const seed = gnp('deny-all-external', {
      selector: 'all()',
      types: ['Egress'],
      egress: [
        { action: 'Allow', destination: { nets: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
        { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
        { action: 'Deny' },
      ],
    });
    expect(brief(PolicyLint.check([seed]))).toEqual([
      { rule: 'dns-udp-only', severity: 'error', object: 'GlobalNetworkPolicy deny-all-external', path: 'spec.egress[1]' },
      { rule: 'calico-deny-all-scope', severity: 'warning', object: 'GlobalNetworkPolicy deny-all-external', path: 'spec.selector' },
    ]);
  });

  test('the fixed version: TCP 53 allowed and scoped away from kube-system', () => {
    const fixed = gnp('deny-all-external', {
      selector: 'all()',
      namespaceSelector: SCOPED,
      types: ['Egress'],
      egress: [
        { action: 'Allow', destination: { nets: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
        { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
        { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } },
        { action: 'Deny' },
      ],
    });
    expect(PolicyLint.check([fixed])).toEqual([]);
  });

  test('name label in a Calico namespaceSelector', () => {
    const p = gnp('p', {
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { namespaceSelector: "name == 'monitoring'" } }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'namespace-selector-name-label', severity: 'error', object: 'GlobalNetworkPolicy p', path: 'spec.ingress[0].source.namespaceSelector' },
    ]);
    const ok = gnp('p', {
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'monitoring'" } }],
    });
    expect(PolicyLint.check([ok])).toEqual([]);
  });

  test('Allow to 0.0.0.0/0: metadata unless notNets or an earlier Deny covers it', () => {
    const world = (egress: any[]) => gnp('w', { selector: "app == 'web'", types: ['Egress'], egress });
    expect(brief(PolicyLint.check([world([{ action: 'Allow', protocol: 'TCP', destination: { nets: ['0.0.0.0/0'], ports: [443] } }])]))).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'GlobalNetworkPolicy w', path: 'spec.egress[0].destination' },
    ]);
    expect(PolicyLint.check([world([
      { action: 'Deny', destination: { nets: ['169.254.169.254/32'] } },
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['0.0.0.0/0'], ports: [443] } },
    ])])).toEqual([]);
    expect(PolicyLint.check([world([
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['0.0.0.0/0'], notNets: ['169.254.169.254/32'], ports: [443] } },
    ])])).toEqual([]);
  });

  test('Installation natOutgoing must be Enabled/Disabled; IPPool v3 keeps its boolean', () => {
    const install = (natOutgoing: unknown) => ({
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: { name: 'default' },
      spec: { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16', natOutgoing }] } },
    });
    const findings = PolicyLint.check([install(true)]);
    expect(brief(findings)).toEqual([
      { rule: 'calico-nat-outgoing-enum', severity: 'error', object: 'Installation default', path: 'spec.calicoNetwork.ipPools[0].natOutgoing' },
    ]);
    expect(findings[0].fix).toBe('use natOutgoing: Enabled');
    expect(PolicyLint.check([install('Enabled')])).toEqual([]);
    const pool = { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.244.0.0/16', natOutgoing: true } };
    expect(PolicyLint.check([pool])).toEqual([]);
  });

  test('crd.projectcalico.org/v1 objects: warning', () => {
    const p = { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.244.0.0/16' } };
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'calico-internal-api-group', severity: 'warning', object: 'IPPool p', path: 'apiVersion' },
    ]);
  });
});

describe('Calico: an earlier Deny protects the metadata service only if it matches TCP 80', () => {
  const policy = (deny: Record<string, unknown>) => gnp('w', {
    selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Deny', ...deny }, { action: 'Allow' }],
  });
  const reported = (deny: Record<string, unknown>) => PolicyLint.check([policy(deny)])
    .filter((f) => f.rule === 'egress-world-includes-metadata').map((f) => f.path);

  test('a Deny of every destination, or of the metadata IP on TCP 80, protects it', () => {
    expect(reported({})).toEqual([]);
    expect(reported({ protocol: 'TCP', destination: { nets: ['169.254.169.254/32'], ports: [80] } })).toEqual([]);
  });

  test('a Deny of ICMP, of UDP, or of another port does not', () => {
    expect(reported({ protocol: 'ICMP' })).toEqual(['spec.egress[1]']);
    expect(reported({ protocol: 'UDP', destination: { nets: ['169.254.169.254/32'] } })).toEqual(['spec.egress[1]']);
    expect(reported({ protocol: 'TCP', destination: { nets: ['169.254.169.254/32'], ports: [443] } })).toEqual(['spec.egress[1]']);
  });

  test('a Deny narrowed by notPorts, notProtocol, a destination selector or a source constraint does not', () => {
    const meta = ['169.254.169.254/32'];
    expect(reported({ protocol: 'TCP', destination: { nets: meta, notPorts: [80] } })).toEqual(['spec.egress[1]']);
    expect(reported({ protocol: 'TCP', destination: { nets: meta, notPorts: ['1:100'] } })).toEqual(['spec.egress[1]']);
    expect(reported({ notProtocol: 'TCP', destination: { nets: meta } })).toEqual(['spec.egress[1]']);
    // The metadata IP carries no labels: a destination selector never matches it.
    expect(reported({ destination: { nets: meta, selector: "app == 'x'" } })).toEqual(['spec.egress[1]']);
    // Protects only the app=x pods.
    expect(reported({ source: { selector: "app == 'x'" }, destination: { nets: meta } })).toEqual(['spec.egress[1]']);
    expect(reported({ destination: { notNets: meta } })).toEqual(['spec.egress[1]']);
  });

  test('empty values constrain nothing: still a protecting Deny', () => {
    expect(reported({ source: {}, destination: { nets: ['169.254.169.254/32'], selector: '', notPorts: [443] } })).toEqual([]);
    expect(reported({ destination: { ports: [80] } })).toEqual([]);
  });
});

describe('Calico egress to the world over IPv6', () => {
  const V4_NOT = ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
  const V6_NOT = ['fd00:ec2::254/128', 'fc00::/7'];
  const world = (egress: any[]) => gnp('w', { selector: "app == 'web'", types: ['Egress'], egress });
  const allow = (nets: string[], notNets?: string[], ipVersion?: number) =>
    ({ action: 'Allow', protocol: 'TCP', ...(ipVersion ? { ipVersion } : {}), destination: { nets, ...(notNets ? { notNets } : {}), ports: [443] } });
  const metadataAt = (path: string) => ({ rule: 'egress-world-includes-metadata', severity: 'error', object: 'GlobalNetworkPolicy w', path });

  test('nets ::/0 without notNets: metadata error naming fd00:ec2::254', () => {
    const findings = PolicyLint.check([world([allow(['::/0'])])]);
    expect(brief(findings)).toEqual([metadataAt('spec.egress[0].destination')]);
    expect(findings[0].message).toContain('fd00:ec2::254');
    expect(findings[0].message).not.toContain('169.254.169.254');
    expect(findings[0].fix).toBe('add fd00:ec2::254/128 to destination.notNets');
  });

  test('nets ::/0 with notNets fd00:ec2::254/128 and fc00::/7: clean; a partial unique-local notNets: private-range warning', () => {
    expect(PolicyLint.check([world([allow(['::/0'], V6_NOT)])])).toEqual([]);
    const partial = PolicyLint.check([world([allow(['::/0'], ['fd00:ec2::254/128', 'fd00::/8'])])]);
    expect(brief(partial)).toEqual([
      { rule: 'egress-world-includes-private-ranges', severity: 'warning', object: 'GlobalNetworkPolicy w', path: 'spec.egress[0].destination' },
    ]);
    expect(partial[0].fix).toContain('add fc00::/7 to destination.notNets');
  });

  test('an IPv6 CIDR without the metadata address: clean', () => {
    expect(PolicyLint.check([world([allow(['2001:db8::/32']), allow(['2000::/3'])])])).toEqual([]);
  });

  test('an earlier Deny protects only its own family', () => {
    expect(PolicyLint.check([world([{ action: 'Deny', destination: { nets: ['fd00:ec2::254/128'] } }, allow(['::/0'])])])).toEqual([]);
    expect(brief(PolicyLint.check([world([{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, allow(['::/0'])])])))
      .toEqual([metadataAt('spec.egress[1].destination')]);
    // A destination-less Deny for IPv4 only (ipVersion 4) does not protect IPv6.
    expect(brief(PolicyLint.check([world([{ action: 'Deny', ipVersion: 4 }, allow(['::/0'])])]))).toEqual([metadataAt('spec.egress[1].destination')]);
  });

  test('dual stack (one rule per family, as Calico requires): exactly the rule missing its notNets is flagged', () => {
    const v6Missing = PolicyLint.check([world([allow(['0.0.0.0/0'], V4_NOT, 4), allow(['::/0'], undefined, 6)])]);
    expect(brief(v6Missing)).toEqual([metadataAt('spec.egress[1].destination')]);
    expect(v6Missing[0].message).toContain('fd00:ec2::254');
    const v4Missing = PolicyLint.check([world([allow(['0.0.0.0/0']), allow(['::/0'], V6_NOT)])]);
    expect(brief(v4Missing)).toEqual([metadataAt('spec.egress[0].destination')]);
    expect(v4Missing[0].message).toContain('169.254.169.254');
    expect(PolicyLint.check([world([allow(['0.0.0.0/0'], V4_NOT), allow(['::/0'], V6_NOT)])])).toEqual([]);
  });

  test('a destination-less Allow: its family from ipVersion or notNets, else both, reported when IPv4 is not covered', () => {
    const any = (extra: Record<string, unknown>) => ({ action: 'Allow', ...extra });
    const v6 = PolicyLint.check([world([any({ ipVersion: 6 })])]);
    expect(brief(v6)).toEqual([metadataAt('spec.egress[0]')]);
    expect(v6[0].message).toContain('::/0');
    expect(v6[0].message).not.toContain('169.254.169.254');
    expect(PolicyLint.check([world([any({ ipVersion: 6, destination: { notNets: V6_NOT } })])])).toEqual([]);
    // notNets of IPv6 only make the rule IPv6-only: no IPv4 finding.
    expect(PolicyLint.check([world([any({ destination: { notNets: V6_NOT } })])])).toEqual([]);
    // No family at all: one finding naming both addresses...
    const both = PolicyLint.check([world([any({})])]);
    expect(brief(both)).toEqual([metadataAt('spec.egress[0]')]);
    expect(both[0].message).toContain('169.254.169.254');
    expect(both[0].message).toContain('fd00:ec2::254');
    // ...only the IPv4 one when an earlier Deny covers IPv6, none when IPv4 is covered (IPv4-only clusters stay quiet).
    const v6Denied = PolicyLint.check([world([{ action: 'Deny', destination: { nets: ['fd00:ec2::254/128'] } }, any({})])]);
    expect(brief(v6Denied)).toEqual([metadataAt('spec.egress[1]')]);
    expect(v6Denied[0].message).not.toContain('fd00:ec2::254');
    expect(PolicyLint.check([world([{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, any({})])])).toEqual([]);
  });
});

describe('Cilium policy rules', () => {
  test('UDP-only DNS in toPorts; ANY or TCP covers it', () => {
    const dns = (ports: any[]) => cnp('dns', 'app', {
      endpointSelector: {},
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports }] }],
    });
    expect(brief(PolicyLint.check([dns([{ port: '53', protocol: 'UDP' }])]))).toEqual([
      { rule: 'dns-udp-only', severity: 'error', object: 'CiliumNetworkPolicy app/dns', path: 'spec.egress[0].toPorts[0].ports[0]' },
    ]);
    expect(PolicyLint.check([dns([{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }])])).toEqual([]);
    expect(PolicyLint.check([dns([{ port: '53', protocol: 'ANY' }])])).toEqual([]);
  });

  test('namespace label name via io.cilium.k8s.namespace.labels', () => {
    const p = cnp('p', 'app', {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.name': 'monitoring' } }] }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([{
      rule: 'namespace-selector-name-label',
      severity: 'error',
      object: 'CiliumNetworkPolicy app/p',
      path: 'spec.ingress[0].fromEndpoints[0].matchLabels["k8s:io.cilium.k8s.namespace.labels.name"]',
    }]);
  });

  test('toEntities world and toCIDRSet 0.0.0.0/0 without except reach the metadata service', () => {
    const p = cnp('w', 'app', {
      endpointSelector: {},
      egress: [{ toEntities: ['world'] }, { toCIDRSet: [{ cidr: '0.0.0.0/0' }] }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/w', path: 'spec.egress[0].toEntities[0]' },
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/w', path: 'spec.egress[1].toCIDRSet[0]' },
    ]);
  });

  test('an egressDeny on the metadata IP, or a complete except, makes world egress clean', () => {
    const denied = cnp('w', 'app', { endpointSelector: {}, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] });
    const excepted = cnp('x', 'app', {
      endpointSelector: {},
      egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] }] }],
    });
    expect(PolicyLint.check([denied, excepted])).toEqual([]);
  });

  test('an egressDeny of the metadata IP on some ports only leaves world egress reaching it on the others', () => {
    const onPort80 = cnp('w', 'app', {
      endpointSelector: {},
      egress: [{ toEntities: ['world'] }],
      egressDeny: [{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    });
    expect(brief(PolicyLint.check([onPort80]))).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/w', path: 'spec.egress[0].toEntities[0]' },
    ]);
  });

  test('numeric toPorts port and toFQDNs without a DNS proxy rule', () => {
    const p = cnp('f', 'app', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: 443, protocol: 'TCP' }] }] }] });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'cilium-fqdn-without-dns-proxy', severity: 'error', object: 'CiliumNetworkPolicy app/f', path: 'spec.egress[0].toFQDNs' },
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/f', path: 'spec.egress[0].toFQDNs' },
      { rule: 'cilium-port-not-string', severity: 'error', object: 'CiliumNetworkPolicy app/f', path: 'spec.egress[0].toPorts[0].ports[0].port' },
    ]);
    const ok = cnp('f', 'app', {
      endpointSelector: {},
      egress: [
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
        { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
      egressDeny: [{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }],
    });
    expect(PolicyLint.check([ok])).toEqual([]);
  });
});

describe('Cilium toFQDNs and the metadata service (a name can resolve to 169.254.169.254)', () => {
  const DNS_PROXY = {
    toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
    toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
  };
  const byName = (egressDeny?: any[], namespace = 'app') => cnp('f', namespace, {
    endpointSelector: { matchLabels: { 'k8s:app': 'api' } },
    egress: [DNS_PROXY, { toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    ...(egressDeny ? { egressDeny } : {}),
  });
  const metadata = (namespace = 'app') => ({ rule: 'egress-world-includes-metadata', severity: 'error', object: `CiliumNetworkPolicy ${namespace}/f`, path: 'spec.egress[1].toFQDNs' });
  /** A ZeroTrustNamespace-style guard rail: every endpoint of the namespace, metadata denied on every port. */
  const guardRail = (namespace: string, egressDeny: any[] = [{ toCIDRSet: [{ cidr: '169.254.169.254/32' }, { cidr: '169.254.170.2/32' }] }]) =>
    cnp('deny-cloud-metadata', namespace, { endpointSelector: {}, egressDeny, enableDefaultDeny: { ingress: false, egress: false } });

  test('no deny: an error at the toFQDNs, with the deny to add', () => {
    const findings = PolicyLint.check([byName()]);
    expect(brief(findings)).toEqual([metadata()]);
    // The families unknown, IPv4 decides and the IPv6 address is named too (as for toEntities world).
    expect(findings[0].fix).toBe('add an egressDeny to 169.254.169.254/32 and fd00:ec2::254/128 to this policy');
  });

  test('a deny of the metadata address on every port in the policy itself: clean', () => {
    expect(PolicyLint.check([byName([{ toCIDR: ['169.254.169.254/32'] }])])).toEqual([]);
    expect(PolicyLint.check([byName([{ toCIDRSet: [{ cidr: '169.254.0.0/16', except: ['169.254.20.10/32'] }] }])])).toEqual([]);
  });

  test('a deny on some ports only, or one whose except reopens the metadata address, keeps the error', () => {
    const onPort80 = byName([{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }]);
    const reopened = byName([{ toCIDRSet: [{ cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] }] }]);
    expect(brief(PolicyLint.check([onPort80]))).toEqual([metadata()]);
    expect(brief(PolicyLint.check([reopened]))).toEqual([metadata()]);
  });

  test('a guard rail for every endpoint of the same namespace counts; one in another namespace or for some pods only does not', () => {
    expect(PolicyLint.check([byName(), guardRail('app')])).toEqual([]);
    expect(brief(PolicyLint.check([byName(), guardRail('other')]))).toEqual([metadata()]);
    const somePods = { ...guardRail('app'), spec: { ...guardRail('app').spec, endpointSelector: { matchLabels: { 'k8s:app': 'web' } } } };
    expect(brief(PolicyLint.check([byName(), somePods]))).toEqual([metadata()]);
    expect(brief(PolicyLint.check([byName(), guardRail('app', [{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '80' }] }] }])])))
      .toEqual([metadata()]);
  });

  test('a clusterwide policy for every pod counts (the pod-namespace Exists requirement allowed)', () => {
    const ccnp = (endpointSelector: any) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'no-metadata' },
      // Default deny off: a deny-only guard rail for every pod (else kube-system would be isolated too).
      spec: { endpointSelector, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }], enableDefaultDeny: { ingress: false, egress: false } },
    });
    expect(PolicyLint.check([byName(), ccnp({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] })])).toEqual([]);
    expect(PolicyLint.check([byName(), ccnp({})])).toEqual([]);
    expect(brief(PolicyLint.check([byName(), ccnp({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } })]))).toEqual([metadata()]);
  });

  test('dual-stack: an IPv4 deny leaves fd00:ec2::254', () => {
    const findings = PolicyLint.check([byName([{ toCIDR: ['169.254.169.254/32'] }])], { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    expect(brief(findings)).toEqual([metadata()]);
    expect(findings[0].fix).toBe('add an egressDeny to fd00:ec2::254/128 to this policy');
  });
});

describe('Cilium egress to the world over IPv6', () => {
  const V4_EXCEPT = ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
  const V6_EXCEPT = ['fd00:ec2::254/128', 'fc00::/7'];
  const world = (egress: any[], egressDeny?: any[]) => cnp('w', 'app', { endpointSelector: {}, egress, ...(egressDeny ? { egressDeny } : {}) });
  const set = (cidr: string, except?: string[]) => ({ cidr, ...(except ? { except } : {}) });
  const metadataAt = (path: string) => ({ rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/w', path });

  test('toCIDRSet and toCIDR ::/0 without except: metadata errors naming fd00:ec2::254', () => {
    const findings = PolicyLint.check([world([{ toCIDRSet: [set('::/0')] }, { toCIDR: ['::/0'] }])]);
    expect(brief(findings)).toEqual([metadataAt('spec.egress[0].toCIDRSet[0]'), metadataAt('spec.egress[1].toCIDR[0]')]);
    expect(findings.map((f) => f.fix)).toEqual(['add fd00:ec2::254/128 to toCIDRSet.except', 'add fd00:ec2::254/128 to a toCIDRSet except']);
    expect(findings.every((f) => f.message.includes('fd00:ec2::254') && !f.message.includes('169.254.169.254'))).toBe(true);
  });

  test('toCIDRSet ::/0 excepting fd00:ec2::254/128 and fc00::/7: clean; excepting part of fc00::/7: private-range warning', () => {
    expect(PolicyLint.check([world([{ toCIDRSet: [set('::/0', V6_EXCEPT)] }])])).toEqual([]);
    const partial = PolicyLint.check([world([{ toCIDRSet: [set('::/0', ['fd00:ec2::254/128', 'fd00::/8'])] }])]);
    expect(brief(partial)).toEqual([
      { rule: 'egress-world-includes-private-ranges', severity: 'warning', object: 'CiliumNetworkPolicy app/w', path: 'spec.egress[0].toCIDRSet[0]' },
    ]);
    expect(partial[0].message).toContain('fc00::/7');
  });

  test('IPv6 CIDRs without the metadata address: clean', () => {
    expect(PolicyLint.check([world([{ toCIDR: ['2001:db8::/32'] }, { toCIDRSet: [set('2000::/3')] }])])).toEqual([]);
  });

  test('an egressDeny covers only its own family', () => {
    expect(PolicyLint.check([world([{ toCIDR: ['::/0'] }], [{ toCIDR: ['fd00:ec2::254/128'] }])])).toEqual([]);
    expect(PolicyLint.check([world([{ toCIDR: ['::/0'] }], [{ toCIDRSet: [{ cidr: 'fd00:ec2::254/128' }] }])])).toEqual([]);
    expect(brief(PolicyLint.check([world([{ toCIDR: ['::/0'] }], [{ toCIDR: ['169.254.169.254/32'] }])]))).toEqual([metadataAt('spec.egress[0].toCIDR[0]')]);
  });

  test('dual stack: exactly the toCIDRSet entry missing its except is flagged', () => {
    const v6Missing = PolicyLint.check([world([{ toCIDRSet: [set('0.0.0.0/0', V4_EXCEPT), set('::/0')] }])]);
    expect(brief(v6Missing)).toEqual([metadataAt('spec.egress[0].toCIDRSet[1]')]);
    expect(v6Missing[0].message).toContain('fd00:ec2::254');
    const v4Missing = PolicyLint.check([world([{ toCIDRSet: [set('0.0.0.0/0'), set('::/0', V6_EXCEPT)] }])]);
    expect(brief(v4Missing)).toEqual([metadataAt('spec.egress[0].toCIDRSet[0]')]);
    expect(v4Missing[0].message).toContain('169.254.169.254');
    expect(PolicyLint.check([world([{ toCIDRSet: [set('0.0.0.0/0', V4_EXCEPT), set('::/0', V6_EXCEPT)] }])])).toEqual([]);
  });

  // world-ipv4 / world-ipv6 are entities of Cilium's policy code (pkg/policy/api/entity.go), but the
  // CRD enum generated from its kubebuilder marker in the same file (and the pinned 1.18.2 schema)
  // does not list them: the API server rejects such a policy. The egress-world semantics are still
  // checked here, with the invalid-object finding asserted separately.
  test('toEntities world-ipv4 / world-ipv6 are not in the CRD enum: invalid-object', () => {
    const findings = PolicyLint.check([world([{ toEntities: ['world-ipv6'] }])]).filter((f) => f.rule === 'invalid-object');
    expect(brief(findings)).toEqual([
      { rule: 'invalid-object', severity: 'error', object: 'CiliumNetworkPolicy app/w', path: 'spec.egress[0].toEntities[0]' },
    ]);
    expect(findings[0].message).toContain("'world-ipv6' is not a Cilium entity");
  });

  test('toEntities world-ipv6 reaches fd00:ec2::254 unless an egressDeny covers it', () => {
    const findings = lintWorld([world([{ toEntities: ['world-ipv6'] }])]);
    expect(brief(findings)).toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
    expect(findings[0].message).toContain('fd00:ec2::254');
    expect(findings[0].message).not.toContain('169.254.169.254');
    expect(findings[0].fix).toContain('egressDeny to fd00:ec2::254/128');
    expect(lintWorld([world([{ toEntities: ['world-ipv6'] }], [{ toCIDR: ['fd00:ec2::254/128'] }])])).toEqual([]);
    expect(brief(lintWorld([world([{ toEntities: ['world-ipv6'] }], [{ toCIDR: ['169.254.169.254/32'] }])])))
      .toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
    // world-ipv4 is the reverse.
    expect(brief(lintWorld([world([{ toEntities: ['world-ipv4'] }], [{ toCIDR: ['fd00:ec2::254/128'] }])])))
      .toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
    expect(lintWorld([world([{ toEntities: ['world-ipv4'] }], [{ toCIDR: ['169.254.169.254/32'] }])])).toEqual([]);
  });

  test('toEntities world/all: reported when IPv4 is not covered, naming every uncovered address', () => {
    const open = PolicyLint.check([world([{ toEntities: ['world', 'all'] }])]);
    expect(brief(open)).toEqual([metadataAt('spec.egress[0].toEntities[0]'), metadataAt('spec.egress[0].toEntities[1]')]);
    expect(open.every((f) => f.message.includes('169.254.169.254') && f.message.includes('fd00:ec2::254'))).toBe(true);
    const v6Denied = PolicyLint.check([world([{ toEntities: ['world'] }], [{ toCIDR: ['fd00:ec2::254/128'] }])]);
    expect(brief(v6Denied)).toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
    expect(v6Denied[0].message).not.toContain('fd00:ec2::254');
  });

  describe('with the cluster IP families given', () => {
    const v4Denied = world([{ toEntities: ['world'] }], [{ toCIDR: ['169.254.169.254/32'] }]);

    test('dual stack: world with only the IPv4 address denied still reaches fd00:ec2::254', () => {
      expect(PolicyLint.check([v4Denied])).toEqual([]); // families unknown: IPv4 decides
      const dual = PolicyLint.check([v4Denied], { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
      expect(brief(dual)).toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
      expect(dual[0].message).toContain('fd00:ec2::254');
      expect(dual[0].message).not.toContain('169.254.169.254');
    });

    test('IPv4-only: the IPv6 address is neither reported nor required', () => {
      const open = PolicyLint.check([world([{ toEntities: ['world'] }])], { ipFamilies: [IpFamily.IPV4] });
      expect(brief(open)).toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
      expect(open[0].message).toContain('169.254.169.254');
      expect(open[0].message).not.toContain('fd00:ec2::254');
      expect(PolicyLint.check([v4Denied], { ipFamilies: [IpFamily.IPV4] })).toEqual([]);
    });

    test('IPv6-only: an IPv4 deny does not help, an IPv6 deny suffices', () => {
      expect(brief(PolicyLint.check([v4Denied], { ipFamilies: [IpFamily.IPV6] }))).toEqual([metadataAt('spec.egress[0].toEntities[0]')]);
      const v6Denied = world([{ toEntities: ['world'] }], [{ toCIDR: ['fd00:ec2::254/128'] }]);
      expect(PolicyLint.check([v6Denied], { ipFamilies: [IpFamily.IPV6] })).toEqual([]);
    });

    test('a NetworkPolicy egress rule without `to` names exactly the cluster families', () => {
      const open = netpol('open', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
      const v6 = PolicyLint.check([open], { ipFamilies: [IpFamily.IPV6] }).filter((f) => f.rule === 'egress-world-includes-metadata');
      expect(v6.map((f) => f.path)).toEqual(['spec.egress[0]']);
      expect(v6[0].message).toContain('fd00:ec2::254');
      expect(v6[0].message).not.toContain('169.254.169.254');
    });

    test('destinations of a family the cluster does not run are not reported', () => {
      const v6World = world([{ toEntities: ['world-ipv6'] }, { toCIDR: ['::/0'] }]);
      expect(brief(lintWorld([v6World]))).toEqual([
        metadataAt('spec.egress[0].toEntities[0]'), metadataAt('spec.egress[1].toCIDR[0]'),
      ]);
      expect(lintWorld([v6World], { ipFamilies: [IpFamily.IPV4] })).toEqual([]);
      expect(brief(lintWorld([v6World], { ipFamilies: [IpFamily.IPV6] }))).toHaveLength(2);
    });

    test('a Calico Allow without CIDRs after a Deny of the IPv4 address: reported for IPv6 on dual stack', () => {
      const policy = gnp('w', {
        selector: "app == 'web'",
        types: ['Egress'],
        egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow' }],
      });
      expect(PolicyLint.check([policy])).toEqual([]);
      const dual = PolicyLint.check([policy], { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
      expect(brief(dual)).toEqual([
        { rule: 'egress-world-includes-metadata', severity: 'error', object: 'GlobalNetworkPolicy w', path: 'spec.egress[1]' },
      ]);
      expect(dual[0].fix).toContain('fd00:ec2::254/128');
      expect(dual[0].fix).not.toContain('169.254.169.254');
    });
  });
});

describe('Cilium specs[]: both egress rules check every spec', () => {
  test('findings are anchored on specs[i]', () => {
    const p = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'm', namespace: 'app' },
      specs: [
        { endpointSelector: {}, egress: [{ toEntities: ['kube-apiserver'] }] },
        { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '::/0' }] }, { toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] },
      ],
    };
    expect(brief(PolicyLint.check([p]), 'dns-udp-only', 'egress-world-includes-metadata')).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'CiliumNetworkPolicy app/m', path: 'specs[1].egress[0].toCIDRSet[0]' },
      { rule: 'dns-udp-only', severity: 'error', object: 'CiliumNetworkPolicy app/m', path: 'specs[1].egress[1].toPorts[0].ports[0]' },
    ]);
  });
});

describe('Cilium Helm values', () => {
  test('Flux HelmRelease values: tunnel and kubeProxyReplacement strict', () => {
    const hr = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'cilium', namespace: 'kube-system' },
      spec: { chart: { spec: { chart: 'cilium', version: '1.18.0' } }, values: { tunnel: 'vxlan', kubeProxyReplacement: 'strict' } },
    };
    const findings = PolicyLint.check([hr]);
    expect(brief(findings)).toEqual([
      { rule: 'cilium-kube-proxy-replacement-enum', severity: 'error', object: 'HelmRelease kube-system/cilium', path: 'spec.values.kubeProxyReplacement' },
      { rule: 'cilium-tunnel-removed', severity: 'error', object: 'HelmRelease kube-system/cilium', path: 'spec.values.tunnel' },
    ]);
    expect(findings[1].fix).toBe('set routingMode: tunnel and tunnelProtocol: vxlan');
  });

  test('Argo CD Application: valuesObject and the values string', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'cilium', namespace: 'argocd' },
      spec: {
        source: { repoURL: 'https://helm.cilium.io', chart: 'cilium', helm: { valuesObject: { kubeProxyReplacement: 'partial' }, values: 'tunnel: geneve\n' } },
      },
    };
    expect(brief(PolicyLint.check([app]))).toEqual([
      { rule: 'cilium-tunnel-removed', severity: 'error', object: 'Application argocd/cilium', path: 'spec.source.helm.values.tunnel' },
      { rule: 'cilium-kube-proxy-replacement-enum', severity: 'error', object: 'Application argocd/cilium', path: 'spec.source.helm.valuesObject.kubeProxyReplacement' },
    ]);
  });

  test('Argo CD helm.parameters are values too', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'cilium', namespace: 'argocd' },
      spec: { sources: [{ repoURL: 'https://helm.cilium.io', chart: 'cilium', helm: { parameters: [{ name: 'ipam.mode', value: 'kubernetes' }, { name: 'tunnel', value: 'vxlan' }] } }] },
    };
    expect(brief(PolicyLint.check([app]))).toEqual([
      { rule: 'cilium-tunnel-removed', severity: 'error', object: 'Application argocd/cilium', path: 'spec.sources[0].helm.parameters[1]' },
    ]);
  });

  test('a plain values document is recognised; current values are clean', () => {
    expect(brief(PolicyLint.checkYaml('kubeProxyReplacement: strict\nk8sServiceHost: api.example\n', 'values.yaml'))).toEqual([
      { rule: 'cilium-kube-proxy-replacement-enum', severity: 'error', object: 'document 1 of values.yaml', path: 'kubeProxyReplacement' },
    ]);
    const good = 'kubeProxyReplacement: true\nk8sServiceHost: api.example\nk8sServicePort: 6443\nroutingMode: tunnel\ntunnelProtocol: vxlan\n';
    expect(PolicyLint.checkYaml(good, 'values.yaml')).toEqual([]);
  });

  test('the agent ConfigMap cilium-config', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'tunnel': 'vxlan', 'kube-proxy-replacement': 'strict' } };
    expect(brief(PolicyLint.check([cm]))).toEqual([
      { rule: 'cilium-kube-proxy-replacement-enum', severity: 'error', object: 'ConfigMap kube-system/cilium-config', path: 'data.kube-proxy-replacement' },
      { rule: 'cilium-tunnel-removed', severity: 'error', object: 'ConfigMap kube-system/cilium-config', path: 'data.tunnel' },
    ]);
  });
});

describe('policy-on-unenforcing-cni', () => {
  const np = netpol('p', 'app', { podSelector: {}, policyTypes: ['Ingress'] });
  const calico = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'c', namespace: 'app' }, spec: { selector: 'all()', types: ['Ingress'] } };
  const cilium = cnp('k', 'app', { endpointSelector: {}, ingress: [{}] });

  test('without a CNI the rule is skipped', () => {
    expect(brief(PolicyLint.check([np, calico, cilium]), 'policy-on-unenforcing-cni')).toEqual([]);
  });

  test('Flannel: every policy is an error unless acknowledged', () => {
    expect(brief(PolicyLint.check([np], { cni: Cni.flannel() }))).toEqual([
      { rule: 'policy-on-unenforcing-cni', severity: 'error', object: 'NetworkPolicy app/p' },
    ]);
    expect(PolicyLint.check([np], { cni: Cni.flannel({ acknowledgeUnenforcedPolicies: true }) })).toEqual([]);
  });

  test('Calico objects on Cilium and Cilium objects on Calico', () => {
    expect(brief(PolicyLint.check([np, calico, cilium], { cni: Cni.cilium() }), 'policy-on-unenforcing-cni')).toEqual([
      { rule: 'policy-on-unenforcing-cni', severity: 'error', object: 'NetworkPolicy app/c' },
    ]);
    expect(brief(PolicyLint.check([np, calico, cilium], { cni: Cni.calico() }), 'policy-on-unenforcing-cni')).toEqual([
      { rule: 'policy-on-unenforcing-cni', severity: 'error', object: 'CiliumNetworkPolicy app/k' },
    ]);
  });

  test('the message names the CNI that does enforce the API (from the per-kind table, not a kind comparison)', () => {
    const [finding] = PolicyLint.check([calico], { cni: Cni.cilium() }).filter((f) => f.rule === 'policy-on-unenforcing-cni');
    expect(finding.message).toBe("projectcalico.org policies are enforced only by calico, not by 'cilium': on a cluster that runs 'cilium' this policy is accepted by the API server but restricts nothing");
  });

  test('a custom CNI reads NetworkPolicy (and ClusterNetworkPolicy when it says so), never Calico or Cilium policies', () => {
    const custom = Cni.custom('antrea', {
      enforcesNetworkPolicy: true, deny: true, ordering: true, clusterWide: true, l7: false, fqdn: false, entities: false, clusterNetworkPolicy: true,
    });
    const clusterPolicy = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'guard' }, spec: {} };
    expect(brief(PolicyLint.check([np, calico, cilium, clusterPolicy], { cni: custom }), 'policy-on-unenforcing-cni').map((f) => f.object))
      .toEqual(['CiliumNetworkPolicy app/k', 'NetworkPolicy app/c']);
  });

  test('Calico objects in its storage group are Calico\'s; on Cilium they restrict nothing', () => {
    const stored = { ...calico, apiVersion: 'crd.projectcalico.org/v1' };
    expect(brief(PolicyLint.check([stored], { cni: Cni.calico() }), 'policy-on-unenforcing-cni')).toEqual([]);
    expect(brief(PolicyLint.check([stored], { cni: Cni.cilium() }), 'policy-on-unenforcing-cni').map((f) => f.object)).toEqual(['NetworkPolicy app/c']);
  });

  test('Calico in native v3 CRD mode: storage-group objects and ClusterNetworkPolicy have no CRD, so the API server refuses them', () => {
    const stored = { ...calico, apiVersion: 'crd.projectcalico.org/v1' };
    const clusterPolicy = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'guard' }, spec: {} };
    const findings = PolicyLint.check([calico, stored, clusterPolicy], { cni: Cni.calico({ nativeV3Crds: true }) })
      .filter((f) => f.rule === 'policy-on-unenforcing-cni');
    expect(findings.map((f) => f.message)).toEqual([
      'Calico in native v3 CRD mode serves no policy.networking.k8s.io ClusterNetworkPolicy (its CRD chart has no such CRD): '
        + "on a cluster that runs 'calico' this policy is refused by the API server (no such CRD)",
      'Calico in native v3 CRD mode installs no crd.projectcalico.org CRDs (projectcalico.org/v3 objects are stored as themselves): '
        + "on a cluster that runs 'calico' this policy is refused by the API server (no such CRD)",
    ]);
  });
});

describe('calico-deny-all-scope honours a scoping namespaceSelector', () => {
  const scopedGnp = (namespaceSelector?: string) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'guard' },
    spec: {
      selector: 'all()',
      ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { namespaceSelector: "has(tenant) && tenant not in {'acme'}" } }],
    },
  });
  const ids = (obj: any) => PolicyLint.check([obj]).map((f) => f.rule).filter((r) => r === 'calico-deny-all-scope');
  test('a positive tenant selector leaves kube-system out', () => {
    expect(ids(scopedGnp("tenant == 'acme'"))).toEqual([]);
  });
  test('all() or no namespaceSelector still applies to kube-system', () => {
    expect(ids(scopedGnp('all()'))).toEqual(['calico-deny-all-scope']);
    expect(ids(scopedGnp())).toEqual(['calico-deny-all-scope']);
  });
  test('a selector that still matches kube-system is reported', () => {
    expect(ids(scopedGnp("kubernetes.io/metadata.name != 'default'"))).toEqual(['calico-deny-all-scope']);
  });
});
