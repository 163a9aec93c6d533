import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Cni, Peer, Port, RuleAction, TrafficPolicy, TrafficPolicyProps } from '../../src';
import { calicoPolicyManifest } from '../../src/policy/render/calico';
import { clusterNetworkPolicyManifest } from '../../src/policy/render/cluster-network-policy';
import { chartFor, find, synthValid } from '../support/synth';

// Object names are DNS-1123 subdomains of at most 253 characters (Kubernetes API conventions). Calico
// additionally accepts a (Global)NetworkPolicy name only as one DNS-1123 label, optionally prefixed with
// `<tier>.` (libcalico-go lib/validator/v3/validator.go; lib/names ValidateTieredPolicyName before 3.30).

const DENY: Partial<TrafficPolicyProps> = { egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('203.0.113.0/24')] }] };
const GUARDRAIL_PREFIX = 'platform-guardrails.'; // 20 characters: the default tier and the dot

function policy(cni: Cni, props: Partial<TrafficPolicyProps>): any[] {
  const chart = chartFor(cni);
  new TrafficPolicy(chart, 'p', { name: 'p', namespace: 'shop', ...props } as TrafficPolicyProps);
  return synthValid(chart);
}

describe('Calico policy names: <tier>.<name>', () => {
  test('the longest name that fits: 253 - 20 = 233 characters, valid under the schemas', () => {
    const name = 'd'.repeat(233);
    const objects = policy(Cni.calico(), { ...DENY, name });
    expect(find(objects, 'NetworkPolicy', `${GUARDRAIL_PREFIX}${name}`, 'shop').metadata.name).toHaveLength(253);
  });

  test('one character more is a synth error on name', () => {
    expect(() => policy(Cni.calico(), { ...DENY, name: 'd'.repeat(234) })).toThrow(new RegExp(
      "\\] name: the Calico object name 'platform-guardrails\\.<name>' would be 254 characters, over the 253 Kubernetes and Calico allow: "
      + 'shorten the name to at most 233 characters$'));
  });

  test('the limit follows the tier name', () => {
    expect(() => policy(Cni.calico({ guardrailTier: 'sec' }), { ...DENY, name: 'd'.repeat(250) })).toThrow(/name: .* at most 249 characters$/);
    expect(find(policy(Cni.calico({ guardrailTier: 'sec' }), { ...DENY, name: 'd'.repeat(249) }), 'NetworkPolicy', `sec.${'d'.repeat(249)}`).metadata.name)
      .toHaveLength(253);
  });

  test('a 250-character cluster-wide deny (GlobalNetworkPolicy) is refused too', () => {
    expect(() => policy(Cni.calico(), { ...DENY, namespace: undefined, name: 'd'.repeat(250) })).toThrow(/\] name: the Calico object name .* 270 characters/);
  });

  test('a dot in a tiered policy name is refused (Calico reads the part before a dot as the tier)', () => {
    expect(() => policy(Cni.calico(), { ...DENY, name: 'deny.partners' })).toThrow(
      /\] name: 'deny\.partners' contains a dot, which Calico forbids in a policy name \(it reads the part before a dot as the tier\); use '-' instead$/);
  });

  test('a dot in a Calico-native allow (default tier) is refused too', () => {
    const allow = { precedence: 10, ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(80)] }] };
    expect(() => policy(Cni.calico(), { ...allow, name: 'allow.web' })).toThrow(/\] name: 'allow\.web' contains a dot/);
    expect(find(policy(Cni.calico(), { ...allow, name: 'allow-web' }), 'NetworkPolicy', 'allow-web', 'shop').apiVersion).toBe('projectcalico.org/v3');
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
    const { owner, intent } = intentNamed(Cni.calico(), 'd'.repeat(240));
    const placement = { tier: 'platform-guardrails', order: 100, actions: [RuleAction.DENY], isolating: false };
    expect(() => calicoPolicyManifest(intent, placement, owner)).toThrow(
      "[test/shop-policy] name: the Calico object name 'platform-guardrails.<name>' would be 260 characters, over the 253 Kubernetes and Calico allow: "
      + 'shorten the name to at most 233 characters');
    expect(() => calicoPolicyManifest(intent, placement)).toThrow(`[TrafficPolicy '${'d'.repeat(240)}'] name: the Calico object name`);
  });

  test('ClusterNetworkPolicy', () => {
    const { owner, intent } = intentNamed(Cni.kubernetes({ clusterNetworkPolicy: true }), 'd'.repeat(250));
    expect(() => clusterNetworkPolicyManifest(intent, 10, owner)).toThrow(
      "[test/shop-policy] name: the ClusterNetworkPolicy name '<namespace>.<name>' would be 255 characters, over the 253 Kubernetes allows: "
      + 'shorten the name to at most 248 characters');
  });
});
