import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Cni, Peer, Port, RuleAction, TrafficPolicy, TrafficPolicyProps } from '../../src';
import { calicoPolicyManifest } from '../../src/policy/render/calico';
import { clusterNetworkPolicyManifest } from '../../src/policy/render/cluster-network-policy';
import { chartFor, find, synthValid } from '../support/synth';

// Object names are DNS-1123 subdomains of at most 253 characters (Kubernetes API conventions). Calico 3.32
// stores a (Global)NetworkPolicy under its plain name, the tier in spec.tier only (NETWORKING-FACTS.md,
// Calico; docs.tigera.io `calicoctl datastore migrate-policy-names`); older Calico read the part before a
// dot as the tier (libcalico-go names.ValidateTieredPolicyName), so a policy name has no dot.

const DENY: Partial<TrafficPolicyProps> = { egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('203.0.113.0/24')] }] };
const CALICO_ALLOW: Partial<TrafficPolicyProps> = { precedence: 10, ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(80)] }] };

function policy(cni: Cni, props: Partial<TrafficPolicyProps>): any[] {
  const chart = chartFor(cni);
  new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'shop', ...props } as TrafficPolicyProps);
  return synthValid(chart);
}

describe('Calico policy names: plain, the tier in spec.tier', () => {
  test('a guard-rail policy is named as the intent, in the guard-rail tier', () => {
    const objects = policy(Cni.calico(), { ...DENY, name: 'deny-partners' });
    const gr = find(objects, 'NetworkPolicy', 'deny-partners', 'shop');
    expect(gr.apiVersion).toBe('projectcalico.org/v3');
    expect(gr.metadata).toEqual({ name: 'deny-partners', namespace: 'shop' });
    expect(gr.spec.tier).toBe('platform-guardrails');
    expect(objects.map((o) => o.metadata.name).filter((n: string) => n.includes('.'))).toEqual([]);
  });

  test('a cluster-wide guard rail (GlobalNetworkPolicy) and a custom tier are plain too', () => {
    const objects = policy(Cni.calico({ guardrailTier: 'sec' }), { ...DENY, namespace: undefined, name: 'no-partners' });
    expect(find(objects, 'GlobalNetworkPolicy', 'no-partners').spec.tier).toBe('sec');
  });

  test('the longest name that fits is the Kubernetes limit itself: 253 characters, in any tier', () => {
    for (const tier of ['platform-guardrails', 's']) {
      const name = 'd'.repeat(253);
      const objects = policy(Cni.calico({ guardrailTier: tier }), { ...DENY, name });
      expect(find(objects, 'NetworkPolicy', name, 'shop').spec.tier).toBe(tier);
    }
  });

  test('a mixed intent whose allow is a Calico policy too: the allow is <name>-allow (one name per kind and namespace across tiers)', () => {
    const objects = policy(Cni.calico(), { name: 'web', ...CALICO_ALLOW, egress: DENY.egress });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => [o.apiVersion, o.metadata.name, o.spec.tier ?? 'default'])).toEqual([
      ['projectcalico.org/v3', 'web', 'platform-guardrails'],
      ['projectcalico.org/v3', 'web-allow', 'default'],
    ]);
  });

  test('the -allow suffix counts: 248 characters are one too many for a mixed Calico intent, 247 fit', () => {
    expect(() => policy(Cni.calico(), { name: 'd'.repeat(248), ...CALICO_ALLOW, egress: DENY.egress })).toThrow(new RegExp(
      "\\] name: the Calico object name '<name>-allow' would be 254 characters, over the 253 Kubernetes and Calico allow: "
      + 'shorten the name to at most 247 characters$'));
    expect(find(policy(Cni.calico(), { name: 'd'.repeat(247), ...CALICO_ALLOW, egress: DENY.egress }), 'NetworkPolicy', `${'d'.repeat(247)}-allow`, 'shop'))
      .toBeDefined();
  });

  test('a mixed intent whose allow is a networking.k8s.io NetworkPolicy keeps the name on both (different API groups)', () => {
    const objects = policy(Cni.calico(), { name: 'web', ingress: [{ peers: [Peer.pods({ app: 'web' })] }], egress: DENY.egress });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.apiVersion} ${o.metadata.name}`).sort()).toEqual([
      'networking.k8s.io/v1 web',
      'projectcalico.org/v3 web',
    ]);
  });

  test('a guard rail named like another construct\'s Calico allow in the same namespace is a synth error, whatever the tiers', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'allow', { name: 'web', namespace: 'shop', ...CALICO_ALLOW } as TrafficPolicyProps);
    expect(() => new TrafficPolicy(chart, 'deny', { name: 'web', namespace: 'shop', ...DENY } as TrafficPolicyProps))
      .toThrow("[test/deny] metadata.name: NetworkPolicy 'web' in namespace 'shop' is already emitted by 'test/allow'");
  });

  test('a dot in a tiered policy name is refused (Calico reads the part before a dot as the tier)', () => {
    expect(() => policy(Cni.calico(), { ...DENY, name: 'deny.partners' })).toThrow(
      /\] name: 'deny\.partners' contains a dot, which a Calico policy name must not: Calico reads the part before a dot as the tier \(and rejects it unless it equals spec\.tier\); use '-' instead$/);
    // Not even the old prefixed form: the tier is spec.tier alone.
    expect(() => policy(Cni.calico(), { ...DENY, name: 'platform-guardrails.deny-partners' })).toThrow(/contains a dot/);
  });

  test('a dot in a Calico-native allow (default tier) is refused too', () => {
    expect(() => policy(Cni.calico(), { ...CALICO_ALLOW, name: 'allow.web' })).toThrow(/\] name: 'allow\.web' contains a dot/);
    expect(find(policy(Cni.calico(), { ...CALICO_ALLOW, name: 'allow-web' }), 'NetworkPolicy', 'allow-web', 'shop').apiVersion).toBe('projectcalico.org/v3');
  });

  test('a dotted name stays fine where Calico is not involved (networking.k8s.io NetworkPolicy)', () => {
    const objects = policy(Cni.calico(), { name: 'allow.web', ingress: [{ peers: [Peer.pods({ app: 'web' })] }] });
    expect(find(objects, 'NetworkPolicy', 'allow.web', 'shop').apiVersion).toBe('networking.k8s.io/v1');
  });
});

describe('ClusterNetworkPolicy names: <namespace>.<name>', () => {
  const cni = () => Cni.kubernetes({ clusterNetworkPolicy: true });
  const namespace = 'n'.repeat(63);

  test('the longest name that fits: 253 - 64 = 189 characters, valid under the schemas', () => {
    const name = 'd'.repeat(189);
    expect(find(policy(cni(), { ...DENY, namespace, name }), 'ClusterNetworkPolicy', `${namespace}.${name}`).metadata.name).toHaveLength(253);
  });

  test('one character more is a synth error on name', () => {
    expect(() => policy(cni(), { ...DENY, namespace, name: 'd'.repeat(190) })).toThrow(new RegExp(
      "\\] name: the ClusterNetworkPolicy name '<namespace>\\.<name>' would be 254 characters, over the 253 Kubernetes allows: "
      + 'shorten the name to at most 189 characters$'));
  });

  test('a cluster-wide deny keeps its name unprefixed: 253 characters fit', () => {
    const name = 'd'.repeat(253);
    expect(find(policy(cni(), { ...DENY, namespace: undefined, name }), 'ClusterNetworkPolicy', name).metadata.name).toHaveLength(253);
  });
});

describe('the renderers name the construct path when given the owner', () => {
  const intentNamed = (cni: Cni, name: string) => {
    const chart = chartFor(cni);
    const tp = new TrafficPolicy(chart, 'p', { name: 'short', namespace: 'shop', ...DENY } as TrafficPolicyProps);
    return { owner: new Construct(Testing.chart(), 'shop-policy'), intent: { ...tp._intent, name } };
  };

  test('calico', () => {
    const { owner, intent } = intentNamed(Cni.calico(), 'd'.repeat(250));
    const placement = { order: 1000, actions: [RuleAction.ALLOW], isolating: true, nameSuffix: '-allow' };
    expect(() => calicoPolicyManifest(intent, placement, owner)).toThrow(
      "[test/shop-policy] name: the Calico object name '<name>-allow' would be 256 characters, over the 253 Kubernetes and Calico allow: "
      + 'shorten the name to at most 247 characters');
    expect(() => calicoPolicyManifest(intent, placement)).toThrow(`[TrafficPolicy '${'d'.repeat(250)}'] name: the Calico object name`);
    // In a tier, without a suffix, the same name fits: the tier is no part of it.
    expect(calicoPolicyManifest(intent, { tier: 'platform-guardrails', order: 100, actions: [RuleAction.DENY], isolating: false }, owner).metadata.name)
      .toBe('d'.repeat(250));
  });

  test('ClusterNetworkPolicy', () => {
    const { owner, intent } = intentNamed(Cni.kubernetes({ clusterNetworkPolicy: true }), 'd'.repeat(250));
    expect(() => clusterNetworkPolicyManifest(intent, 10, owner)).toThrow(
      "[test/shop-policy] name: the ClusterNetworkPolicy name '<namespace>.<name>' would be 255 characters, over the 253 Kubernetes allows: "
      + 'shorten the name to at most 248 characters');
  });
});
