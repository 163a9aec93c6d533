import { DNS_PORTS, KUBE_DNS_PEER, brief, netpol } from './support';
import { PolicyLint } from '../../src/lint';

describe('namespace-selector-name-label', () => {
  test('flags matchLabels name: kube-system (matches no namespace)', () => {
    const p = netpol('dns', 'app', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } } }], ports: DNS_PORTS }],
    });
    const findings = PolicyLint.check([p]);
    expect(brief(findings)).toEqual([{
      rule: 'namespace-selector-name-label',
      severity: 'error',
      object: 'NetworkPolicy app/dns',
      path: 'spec.egress[0].to[0].namespaceSelector.matchLabels.name',
    }]);
    expect(findings[0].fix).toContain('kubernetes.io/metadata.name');
  });

  test('flags a matchExpressions on name in ingress', () => {
    const p = netpol('mon', 'app', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: ['monitoring'] }] } }] }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([{
      rule: 'namespace-selector-name-label',
      severity: 'error',
      object: 'NetworkPolicy app/mon',
      path: 'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0]',
    }]);
  });

  test('accepts kubernetes.io/metadata.name, and name when the manifests label the Namespace so', () => {
    const good = netpol('dns', 'app', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [KUBE_DNS_PEER], ports: DNS_PORTS }],
    });
    expect(PolicyLint.check([good])).toEqual([]);
    const labelled = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { name: 'monitoring' } } };
    const p = netpol('mon', 'app', {
      podSelector: { matchLabels: { app: 'x' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }] }],
    });
    expect(brief(PolicyLint.check([labelled, p]), 'namespace-selector-name-label')).toEqual([]);
  });
});

describe('policyTypes', () => {
  test('egress rules with policyTypes [Ingress] are ignored: error', () => {
    const p = netpol('p', 'app', {
      podSelector: {},
      policyTypes: ['Ingress'],
      egress: [{ to: [KUBE_DNS_PEER], ports: DNS_PORTS }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'egress-without-policy-type', severity: 'error', object: 'NetworkPolicy app/p', path: 'spec.policyTypes' },
    ]);
  });

  test('ingress rules with policyTypes [Egress] are ignored: error', () => {
    const p = netpol('p', 'app', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: {} }] }] });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'ingress-without-policy-type', severity: 'error', object: 'NetworkPolicy app/p', path: 'spec.policyTypes' },
    ]);
  });

  test('omitted policyTypes: warning', () => {
    const p = netpol('p', 'app', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    const findings = PolicyLint.check([p]);
    expect(brief(findings)).toEqual([{ rule: 'policy-types-omitted', severity: 'warning', object: 'NetworkPolicy app/p', path: 'spec' }]);
    expect(findings[0].message).toContain('[Ingress]');
  });

  test('listed policyTypes matching the rules: no finding', () => {
    const p = netpol('p', 'app', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    expect(PolicyLint.check([p])).toEqual([]);
  });
});

describe('policyTypes: []', () => {
  test('an empty list is defaulted like an omitted one: the rules are not ignored', () => {
    // SetDefaults_NetworkPolicy: `len(spec.policyTypes) == 0` -> Ingress, plus Egress for egress rules.
    const p = netpol('empty', 'app', {
      podSelector: {}, policyTypes: [], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }],
    });
    const findings = PolicyLint.check([p]).filter((f) => f.rule.includes('policy-type'));
    expect(brief(findings)).toEqual([{ rule: 'policy-types-omitted', severity: 'warning', object: 'NetworkPolicy app/empty', path: 'spec' }]);
    expect(findings[0].message).toBe('policyTypes is empty, so Kubernetes infers [Ingress, Egress] from which sections happen to exist');
  });
});

describe('dns-udp-only (NetworkPolicy)', () => {
  const policy = (ports: any[]) => netpol('dns', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS_PEER], ports }] });

  test('UDP 53 alone: error on the port', () => {
    expect(brief(PolicyLint.check([policy([{ protocol: 'UDP', port: 53 }])]))).toEqual([
      { rule: 'dns-udp-only', severity: 'error', object: 'NetworkPolicy app/dns', path: 'spec.egress[0].ports[0]' },
    ]);
  });

  test('a TCP port without protocol (defaults to TCP) covers it; so does a port range', () => {
    expect(PolicyLint.check([policy([{ protocol: 'UDP', port: 53 }, { port: 53 }])])).toEqual([]);
    expect(PolicyLint.check([policy([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 50, endPort: 60 }])])).toEqual([]);
  });

  test('TCP 53 in another rule of the same policy covers it', () => {
    const p = netpol('dns', 'app', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [KUBE_DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }] },
        { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'TCP', port: 53 }] },
      ],
    });
    expect(PolicyLint.check([p])).toEqual([]);
  });

  test('UDP 53 with only a TCP port 5353 elsewhere: still flagged', () => {
    expect(brief(PolicyLint.check([policy([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 5353 }])]), 'dns-udp-only')).toEqual([
      { rule: 'dns-udp-only', severity: 'error', object: 'NetworkPolicy app/dns', path: 'spec.egress[0].ports[0]' },
    ]);
  });
});

describe('egress to the world', () => {
  const world = (except?: string[]) => netpol('web', 'app', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', ...(except ? { except } : {}) } }], ports: [{ protocol: 'TCP', port: 443 }] }],
  });

  test('0.0.0.0/0 without except: metadata error, no private-range warning (no tenant intent)', () => {
    expect(brief(PolicyLint.check([world()]))).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'NetworkPolicy app/web', path: 'spec.egress[0].to[0].ipBlock' },
    ]);
  });

  test('except only 10/8 (the seed): metadata error and private-range warning naming the missing ranges', () => {
    const findings = PolicyLint.check([world(['10.0.0.0/8'])]);
    expect(brief(findings)).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'NetworkPolicy app/web', path: 'spec.egress[0].to[0].ipBlock' },
      { rule: 'egress-world-includes-private-ranges', severity: 'warning', object: 'NetworkPolicy app/web', path: 'spec.egress[0].to[0].ipBlock' },
    ]);
    expect(findings[1].message).toContain('172.16.0.0/12, 192.168.0.0/16');
  });

  test('a containing range (169.254.0.0/16) excepts the metadata IP', () => {
    expect(PolicyLint.check([world(['169.254.0.0/16'])])).toEqual([]);
  });

  test('metadata and all private ranges excepted: clean; a specific external CIDR: clean', () => {
    expect(PolicyLint.check([world(['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])])).toEqual([]);
    const api = netpol('api', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] });
    expect(PolicyLint.check([api])).toEqual([]);
  });

  test('an egress rule without `to` and without ports reaches the metadata service too', () => {
    const open = netpol('open', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    expect(brief(PolicyLint.check([open]))).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'NetworkPolicy app/open', path: 'spec.egress[0]' },
    ]);
    // ...but a `to`-less rule on DNS ports cannot reach 169.254.169.254:80.
    const dns = netpol('dns', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: DNS_PORTS }] });
    expect(PolicyLint.check([dns])).toEqual([]);
  });
});

describe('egress to the world over IPv6 (NetworkPolicy)', () => {
  const V4_EXCEPT = ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
  const V6_EXCEPT = ['fd00:ec2::254/128', 'fc00::/7'];
  const block = (cidr: string, except?: string[]) => ({ ipBlock: { cidr, ...(except ? { except } : {}) } });
  const web = (...to: any[]) => netpol('web', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to, ports: [{ protocol: 'TCP', port: 443 }] }] });
  const metadataAt = (path: string) => ({ rule: 'egress-world-includes-metadata', severity: 'error', object: 'NetworkPolicy app/web', path });

  test('::/0 without except: metadata error naming fd00:ec2::254, no private-range warning', () => {
    const findings = PolicyLint.check([web(block('::/0'))]);
    expect(brief(findings)).toEqual([metadataAt('spec.egress[0].to[0].ipBlock')]);
    expect(findings[0].message).toContain('::/0');
    expect(findings[0].message).toContain('fd00:ec2::254');
    expect(findings[0].message).not.toContain('169.254.169.254');
    expect(findings[0].fix).toBe('add fd00:ec2::254/128 to ipBlock.except');
  });

  test('::/0 excepting fd00:ec2::254/128 and fc00::/7: clean; the metadata address alone shows no private intent', () => {
    expect(PolicyLint.check([web(block('::/0', V6_EXCEPT))])).toEqual([]);
    expect(PolicyLint.check([web(block('::/0', ['fd00:ec2::254/128']))])).toEqual([]);
    // fc00::/7 contains the metadata address, so it excepts it too.
    expect(PolicyLint.check([web(block('::/0', ['fc00::/7']))])).toEqual([]);
  });

  test('::/0 excepting only part of fc00::/7: private-range warning naming fc00::/7', () => {
    const findings = PolicyLint.check([web(block('::/0', ['fd00::/8']))]);
    expect(brief(findings)).toEqual([
      { rule: 'egress-world-includes-private-ranges', severity: 'warning', object: 'NetworkPolicy app/web', path: 'spec.egress[0].to[0].ipBlock' },
    ]);
    expect(findings[0].message).toContain('fc00::/7');
    expect(findings[0].fix).toContain('add fc00::/7 to ipBlock.except');
  });

  test('IPv6 CIDRs that do not contain fd00:ec2::254 are not the world; ones that do are', () => {
    expect(PolicyLint.check([web(block('2001:db8::/32'), block('2000::/3'), block('fd00:10:96::/112'))])).toEqual([]);
    // A deliberate host route to the metadata address is not "the world" (as 169.254.169.254/32 is not).
    expect(PolicyLint.check([web(block('fd00:ec2::254/128'))])).toEqual([]);
    expect(brief(PolicyLint.check([web(block('fd00::/8'))]))).toEqual([metadataAt('spec.egress[0].to[0].ipBlock')]);
  });

  test('dual stack: exactly the family that misses its except is flagged', () => {
    const v6Missing = PolicyLint.check([web(block('0.0.0.0/0', V4_EXCEPT), block('::/0'))]);
    expect(brief(v6Missing)).toEqual([metadataAt('spec.egress[0].to[1].ipBlock')]);
    expect(v6Missing[0].message).toContain('fd00:ec2::254');
    const v4Missing = PolicyLint.check([web(block('0.0.0.0/0'), block('::/0', V6_EXCEPT))]);
    expect(brief(v4Missing)).toEqual([metadataAt('spec.egress[0].to[0].ipBlock')]);
    expect(v4Missing[0].message).toContain('169.254.169.254');
    expect(v4Missing[0].message).not.toContain('fd00:ec2::254');
    expect(PolicyLint.check([web(block('0.0.0.0/0', V4_EXCEPT), block('::/0', V6_EXCEPT))])).toEqual([]);
  });

  test('an egress rule without `to` names both metadata addresses', () => {
    const open = netpol('open', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    const findings = PolicyLint.check([open]);
    expect(brief(findings)).toEqual([
      { rule: 'egress-world-includes-metadata', severity: 'error', object: 'NetworkPolicy app/open', path: 'spec.egress[0]' },
    ]);
    expect(findings[0].message).toContain('169.254.169.254');
    expect(findings[0].message).toContain('fd00:ec2::254');
    expect(findings[0].fix).toContain('::/0 with except fd00:ec2::254/128 and fc00::/7');
  });
});

describe('peer-and-or-confusion', () => {
  test('namespace-only and pod-only items in one from list: warning', () => {
    const p = netpol('p', 'app', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: KUBE_DNS_PEER.namespaceSelector }, { podSelector: KUBE_DNS_PEER.podSelector }],
        ports: DNS_PORTS,
      }],
    });
    expect(brief(PolicyLint.check([p]))).toEqual([
      { rule: 'peer-and-or-confusion', severity: 'warning', object: 'NetworkPolicy app/p', path: 'spec.egress[0].to' },
    ]);
  });

  test('one combined peer, or the two selectors in separate rules: no warning', () => {
    const combined = netpol('p', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS_PEER], ports: DNS_PORTS }] });
    const split = netpol('q', 'app', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: KUBE_DNS_PEER.namespaceSelector }] }, { from: [{ podSelector: { matchLabels: { a: 'b' } } }] }],
    });
    expect(PolicyLint.check([combined, split])).toEqual([]);
  });
});

describe('namespace-without-default-deny', () => {
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const denyAll = (namespace: string, types: string[]) => netpol('default-deny', namespace, { podSelector: {}, policyTypes: types });

  test('Namespace without any policy: warning naming both directions', () => {
    const findings = PolicyLint.check([ns('shop')]);
    expect(brief(findings)).toEqual([{ rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' }]);
    expect(findings[0].message).toContain('ingress and egress');
  });

  test('ingress-only default deny: the missing egress is reported', () => {
    const findings = PolicyLint.check([ns('shop'), denyAll('shop', ['Ingress'])]);
    expect(brief(findings)).toEqual([{ rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' }]);
    expect(findings[0].message).toContain('default-deny egress policy');
  });

  test('a namespace known only from a workload is checked and anchored on the workload', () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: {} };
    expect(brief(PolicyLint.check([deploy]))).toEqual([
      { rule: 'namespace-without-default-deny', severity: 'warning', object: 'Deployment shop/web' },
    ]);
  });

  test('default deny for both types, kube-system exempt; an all-pods policy with allows isolates too, an allow-all does not', () => {
    expect(PolicyLint.check([ns('shop'), denyAll('shop', ['Ingress', 'Egress'])])).toEqual([]);
    expect(PolicyLint.check([ns('kube-system')])).toEqual([]);
    // Every pod is isolated in both directions; only same-namespace ingress is allowed.
    const withRules = netpol('allow', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }] });
    expect(brief(PolicyLint.check([ns('shop'), withRules]), 'namespace-without-default-deny')).toEqual([]);
    // `ingress: [{}]` (no peers, no ports) allows everything: ingress is open.
    const allowAll = netpol('allow', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}] });
    const findings = PolicyLint.check([ns('shop'), allowAll]).filter((f) => f.rule === 'namespace-without-default-deny');
    expect(brief(findings)).toEqual([{ rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' }]);
    expect(findings[0].message).toContain('no default-deny ingress policy');
  });

  test('Calico and Cilium default denies count too (namespaced or cluster-wide)', () => {
    const calico = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { selector: 'all()', types: ['Ingress', 'Egress'] },
    };
    expect(PolicyLint.check([ns('shop'), calico])).toEqual([]);
    // These clusterwide policies select kube-system too (cilium-clusterwide-scope, tested on its own).
    const scoped = (objects: any[]) => PolicyLint.check(objects).filter((f) => f.rule !== 'cilium-clusterwide-scope');
    const ccnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'deny' },
      spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
    };
    expect(scoped([ns('shop'), ccnp])).toEqual([]);
    // Rules for a direction isolate every endpoint there, unless they allow everything (entity `all`)
    // or enableDefaultDeny turns the isolation off.
    const fromCluster = { ...ccnp, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egress: [{}] } };
    expect(scoped([ns('shop'), fromCluster])).toEqual([]);
    const fromAll = { ...ccnp, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }], egress: [{}] } };
    expect(brief(scoped([ns('shop'), fromAll]))).toEqual([
      { rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' },
    ]);
    const notDefaultDeny = { ...ccnp, spec: { ...ccnp.spec, enableDefaultDeny: { egress: false } } };
    expect(scoped([ns('shop'), notDefaultDeny])[0].message).toContain('no default-deny egress policy');
    // Calico: an unconstrained Allow opens the direction.
    const calicoAllowAll = { ...calico, spec: { selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }] } };
    expect(PolicyLint.check([ns('shop'), calicoAllowAll])[0].message).toContain('no default-deny ingress policy');
  });

  test('all-pods policies whose rules admit everything in another form are not default denies', () => {
    const reportedFor = (policy: any) => PolicyLint.check([ns('app'), policy]).filter((f) => f.rule === 'namespace-without-default-deny')
      .map((f) => f.message.match(/no default-deny (\w+( and \w+)?) policy/)![1]);
    const calicoNp = (spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'app' }, spec });
    const cnpOf = (spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'app' }, spec });
    // NetworkPolicy: whole-family ipBlocks without ports.
    const world = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
    expect(reportedFor(netpol('p', 'app', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: world }], egress: [{ to: world }] })))
      .toEqual(['ingress and egress']);
    // Calico: ipVersion alone, whole-family nets, empty selectors and empty nets are no constraint.
    const both = { types: ['Ingress', 'Egress'], selector: 'all()' };
    expect(reportedFor(calicoNp({ ...both, ingress: [{ action: 'Allow', ipVersion: 4 }, { action: 'Allow', ipVersion: 6 }], egress: [] })))
      .toEqual(['ingress']);
    expect(reportedFor(calicoNp({ ...both, ingress: [{ action: 'Allow', source: { nets: ['0.0.0.0/0'] } }], egress: [] }))).toEqual(['ingress']);
    expect(reportedFor(calicoNp({ ...both, ingress: [], egress: [{ action: 'Allow', destination: { selector: '', nets: [] } }] })))
      .toEqual(['egress']);
    expect(reportedFor(calicoNp({ ...both, ingress: [{ action: 'Pass' }], egress: [] }))).toEqual(['ingress']);
    // Cilium: world + cluster is all; an L3-less rule on port 0 is every peer on every port.
    expect(reportedFor(cnpOf({ endpointSelector: {}, ingress: [{ fromEntities: ['world', 'cluster'] }], egress: [{}] }))).toEqual(['ingress']);
    expect(reportedFor(cnpOf({ endpointSelector: {}, ingress: [{}], egress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }] })))
      .toEqual(['egress']);
    // Controls: concrete restrictions isolate.
    expect(reportedFor(calicoNp({ ...both, ingress: [{ action: 'Allow', source: { selector: "app == 'web'" } }], egress: [] }))).toEqual([]);
    expect(reportedFor(cnpOf({ endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })))
      .toEqual([]);
  });

  test('policyTypes inferred as the API server does: `egress: []` without policyTypes denies no egress', () => {
    // SetDefaults_NetworkPolicy adds Egress only for a non-empty egress list.
    const emptyLists = netpol('deny', 'shop', { podSelector: {}, ingress: [], egress: [] });
    const findings = PolicyLint.check([ns('shop'), emptyLists]);
    expect(brief(findings)).toEqual([
      { rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' },
      { rule: 'policy-types-omitted', severity: 'warning', object: 'NetworkPolicy shop/deny', path: 'spec' },
    ]);
    expect(findings[0].message).toContain('no default-deny egress policy');
    expect(findings[1].message).toBe('policyTypes is omitted, so Kubernetes infers [Ingress] from which sections happen to exist; '
      + 'an empty `egress: []` does not add Egress, so egress stays open');
  });

  test('Calico without `types`: an egress-only policy restricts egress only', () => {
    // Calico defaults an omitted `types` to [Egress] when there are egress rules and no ingress rules.
    const egressOnly = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { selector: 'all()', egress: [{ action: 'Deny' }] },
    };
    const findings = PolicyLint.check([ns('shop'), egressOnly]);
    expect(brief(findings, 'namespace-without-default-deny')).toEqual([
      { rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace shop' },
    ]);
    expect(findings.find((f) => f.rule === 'namespace-without-default-deny')!.message).toContain('no default-deny ingress policy');
    // Empty lists and no types: [Ingress] only, so egress stays open.
    const emptyLists = { ...egressOnly, spec: { selector: 'all()', ingress: [], egress: [] } };
    expect(PolicyLint.check([ns('shop'), emptyLists]).find((f) => f.rule === 'namespace-without-default-deny')!.message)
      .toContain('no default-deny egress policy');
  });

  test('policies alone (no Namespace, no workload) are not checked', () => {
    expect(PolicyLint.check([netpol('x', 'shop', { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] })])).toEqual([]);
  });
});
