import { Cni, CniKind, Errors, RuleAction, Peer, TenantIsolation, TrafficPolicy } from '../../src';
import { CNI_CHOICES, CNI_NAMES, cniByName, cniChoicesText } from '../../src/cluster/cni-choices';
import { chartFor, find, ofKind, synthValid } from '../support/synth';

// Calico facts (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy, Calico 3.32
// CRDs and libcalico-go validator): tiers run from the lowest order up; `kube-admin` is at 1,000 (Admin
// ClusterNetworkPolicies), `default` at 1,000,000 (every Kubernetes NetworkPolicy), `kube-baseline` at
// 10,000,000; tier names are DNS-1123 labels of at most 63 characters.

describe('Cni.calico guard-rail tier options', () => {
  test('defaults: tier platform-guardrails at order 100', () => {
    const cni = Cni.calico();
    expect(cni.calicoGuardrailTier).toBe('platform-guardrails');
    expect(cni.calicoGuardrailTierOrder).toBe(100);
  });

  test('a custom tier and order below kube-admin are emitted as given and validate', () => {
    const chart = chartFor(Cni.calico({ guardrailTier: 'security', guardrailTierOrder: 999.5 }));
    new TenantIsolation(chart, 't', { tenants: ['acme'] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'Tier')).toEqual([{
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'security' },
      spec: { order: 999.5, defaultAction: 'Pass' },
    }]);
    expect(find(objects, 'GlobalNetworkPolicy', 'tenant-isolation-acme').spec.tier).toBe('security');
  });

  test('a 63-character tier name is accepted', () => {
    const tier = 't'.repeat(63);
    const chart = chartFor(Cni.calico({ guardrailTier: tier }));
    new TrafficPolicy(chart, 'p', { name: 'deny-x', namespace: 'a', egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('203.0.113.0/24')] }] });
    expect(find(synthValid(chart), 'Tier', tier).spec.order).toBe(100);
  });

  test.each([
    ['not a DNS-1123 label', { guardrailTier: 'Bad_Tier' },
      "[Cni.calico] guardrailTier: 'Bad_Tier' is not a valid Calico tier name (a DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters, no dots)"],
    ['a dot (tier names are parts of policy names)', { guardrailTier: 'platform.guardrails' }, "[Cni.calico] guardrailTier: 'platform.guardrails' is not a valid Calico tier name"],
    ['64 characters', { guardrailTier: 't'.repeat(64) }, `[Cni.calico] guardrailTier: '${'t'.repeat(64)}' is not a valid Calico tier name`],
    ['empty', { guardrailTier: '' }, "[Cni.calico] guardrailTier: '' is not a valid Calico tier name"],
  ])('guardrailTier %s', (_what, options, message) => {
    expect(() => Cni.calico(options)).toThrow(message);
  });

  test('nativeV3Crds: no ClusterNetworkPolicy capability (the native CRD chart has none), everything else as Calico', () => {
    const native = Cni.calico({ nativeV3Crds: true });
    expect(native.capabilities).toEqual({ ...Cni.calico().capabilities, clusterNetworkPolicy: false });
    expect([native.calicoNativeV3Crds, Cni.calico().calicoNativeV3Crds]).toEqual([true, false]);
  });

  test.each([['true'], [1], [null]])('nativeV3Crds %p (untyped caller) is refused', (value) => {
    expect(() => Cni.calico({ nativeV3Crds: value as any })).toThrow('[Cni.calico] nativeV3Crds: ');
  });

  test.each(['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy'])('guardrailTier %s is reserved', (tier) => {
    expect(() => Cni.calico({ guardrailTier: tier })).toThrow(
      `[Cni.calico] guardrailTier: '${tier}' is a tier Calico creates and manages itself (default, kube-admin, kube-baseline, adminnetworkpolicy, `
      + "baselineadminnetworkpolicy); name a tier of your own, e.g. the default 'platform-guardrails'");
  });

  test.each([NaN, Infinity, -Infinity])('guardrailTierOrder %p is not a finite number', (order) => {
    expect(() => Cni.calico({ guardrailTierOrder: order })).toThrow(`[Cni.calico] guardrailTierOrder: must be a finite number, got the number ${order}`);
  });

  test.each([1000, 1000.5, 999999, 1000000, 2000000])('guardrailTierOrder %p is not before kube-admin', (order) => {
    expect(() => Cni.calico({ guardrailTierOrder: order })).toThrow(
      `[Cni.calico] guardrailTierOrder: ${order} must be below 1000: guard rails must be evaluated before Calico's kube-admin tier (order 1000) `
      + 'and the default tier (order 1000000, every NetworkPolicy), or an allow there would win over their denies');
  });

  test.each([0, 1, 100, 999])('guardrailTierOrder %p is accepted', (order) => {
    expect(Cni.calico({ guardrailTierOrder: order }).calicoGuardrailTierOrder).toBe(order);
  });
});

describe('Cni.custom options', () => {
  const UNENFORCING = {
    enforcesNetworkPolicy: false,
    deny: false,
    ordering: false,
    clusterWide: false,
    l7: false,
    fqdn: false,
    entities: false,
    clusterNetworkPolicy: false,
  };

  test.each(['', '  '])('an empty name (%p) names the prop', (name) => {
    expect(() => Cni.custom(name, { ...UNENFORCING, enforcesNetworkPolicy: true })).toThrow(
      `[Cni.custom] name: must be a non-empty string, got the string '${name}'`);
  });

  test('an unenforcing custom CNI can be acknowledged, and then emits portable NetworkPolicy only', () => {
    const chart = chartFor(Cni.custom('weave', UNENFORCING, { acknowledgeUnenforcedPolicies: true }));
    new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()] }] });
    const objects = synthValid(chart);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['networking.k8s.io/v1 NetworkPolicy']);
  });

  test('an unacknowledged unenforcing custom CNI still fails', () => {
    const chart = chartFor(Cni.custom('weave', UNENFORCING));
    expect(() => new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()] }] }))
      .toThrow("[test/p] TrafficPolicy 'p': no policy cannot be enforced by CNI 'weave': it enforces no network policy at all");
    // The hint names the real way to acknowledge it, not a factory that does not exist.
    expect(() => new TrafficPolicy(chart, 'p2', { name: 'p2', namespace: 'a', ingress: [{ peers: [Peer.allPods()] }] }))
      .toThrow("pass Cni.custom('weave', capabilities, { acknowledgeUnenforcedPolicies: true }) if these manifests");
    const flannel = chartFor(Cni.flannel());
    expect(() => new TrafficPolicy(flannel, 'p', { name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()] }] }))
      .toThrow('pass Cni.flannel({ acknowledgeUnenforcedPolicies: true }) if these manifests');
  });

  test('acknowledging an enforcing custom CNI is an error', () => {
    expect(() => Cni.custom('x', { ...UNENFORCING, enforcesNetworkPolicy: true }, { acknowledgeUnenforcedPolicies: true })).toThrow(
      '[Cni.custom] acknowledgeUnenforcedPolicies: only meaningful with capabilities.enforcesNetworkPolicy: false');
  });
});

describe('CNI factories check their arguments at run time (jsii and JavaScript callers)', () => {
  const UNENFORCING = {
    enforcesNetworkPolicy: false,
    deny: false,
    ordering: false,
    clusterWide: false,
    l7: false,
    fqdn: false,
    entities: false,
    clusterNetworkPolicy: false,
  };

  test.each([
    ['Cni.kubernetes with clusterNetworkPolicy as a string (truthy "false" would turn denies on)', () => Cni.kubernetes({ clusterNetworkPolicy: 'false' as any }),
      "[Cni.kubernetes] clusterNetworkPolicy: must be true or false, got the string 'false'"],
    ['Cni.kubernetes with options as a string', () => Cni.kubernetes('calico' as any), "[Cni.kubernetes] options: must be an object of options (or omitted), got the string 'calico'"],
    ['Cni.calico with a numeric tier', () => Cni.calico({ guardrailTier: 7 as any }), '[Cni.calico] guardrailTier: must be a string, got the number 7'],
    ['Cni.calico with a string order', () => Cni.calico({ guardrailTierOrder: '100' as any }), "[Cni.calico] guardrailTierOrder: must be a finite number, got the string '100'"],
    ['Cni.cilium with kubeProxyReplacement 0', () => Cni.cilium({ kubeProxyReplacement: 0 as any }), '[Cni.cilium] kubeProxyReplacement: must be true or false, got the number 0'],
    ['Cni.flannel with acknowledgeUnenforcedPolicies "yes"', () => Cni.flannel({ acknowledgeUnenforcedPolicies: 'yes' as any }),
      "[Cni.flannel] acknowledgeUnenforcedPolicies: must be true or false, got the string 'yes'"],
    ['Cni.custom without capabilities', () => Cni.custom('x', undefined as any), '[Cni.custom] capabilities: must be an object of props (they are required), got undefined'],
    ['Cni.custom with a capability as a string', () => Cni.custom('x', { ...UNENFORCING, deny: 'true' } as any),
      "[Cni.custom] capabilities.deny: must be true or false, got the string 'true'"],
    ['Cni.custom with a missing capability', () => Cni.custom('x', { enforcesNetworkPolicy: true } as any),
      '[Cni.custom] capabilities.deny: must be true or false, got undefined'],
    ['Cni.custom with a null name', () => Cni.custom(null as any, UNENFORCING), '[Cni.custom] name: must be a non-empty string, got null'],
  ])('%s is a named ValidationError', (_what, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (e) {
      thrown = e;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(message);
  });
});

describe('the table of CNI choices', () => {
  test('one row per CniKind, named by it, with the factory of that kind', () => {
    expect([...CNI_NAMES].sort()).toEqual(Object.values(CniKind).sort());
    for (const name of CNI_NAMES) {
      expect(CNI_CHOICES[name].create().kind).toBe(name);
      expect(cniByName(name.toUpperCase())!.kind).toBe(name);
    }
    expect(cniByName('weave')).toBeUndefined();
    expect(cniByName('constructor')).toBeUndefined();
  });

  test('the choices as a program writes them, for messages', () => {
    expect(cniChoicesText()).toBe('Cni.kubernetes(), Cni.calico(), Cni.cilium(), Cni.flannel({ acknowledgeUnenforcedPolicies: true }) or Cni.custom(name, capabilities)');
  });
});
