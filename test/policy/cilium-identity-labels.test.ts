import { Cni, Peer, Port, RuleAction, TrafficPolicy } from '../../src';
import { ciliumIgnoredLabelPattern } from '../../src/policy/render/cilium-identity-labels';
import { chartFor, synthValid } from '../support/synth';

/**
 * Cilium matches policy selectors against security identities, and its default label filter
 * (pkg/labelsfilter defaultLabelPrefixCfg, docs.cilium.io "Limiting Identity-Relevant Labels",
 * cilium/cilium#28003) leaves some pod labels out of them: a selector on such a key selects no pod.
 */
describe('Cilium: pod selectors on labels its default label filter drops are refused', () => {
  const reason = (key: string, pattern: string) => `(label key '${key}') cannot be enforced by CNI 'cilium': Cilium leaves this pod label out `
    + `of security identities by default (label filter '!${pattern}'), and its policies, NetworkPolicies included, select identities: the `
    + 'selector would match no pod. Select the pods by a label Cilium keeps (e.g. app.kubernetes.io/name or app)';

  test('a StatefulSet pod-name subject would isolate no pod (also where the intent is a plain NetworkPolicy)', () => {
    const chart = chartFor(Cni.cilium());
    expect(() => new TrafficPolicy(chart, 'p', {
      name: 'db-0',
      namespace: 'shop',
      podSelector: { 'statefulset.kubernetes.io/pod-name': 'db-0' },
      ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(5432)] }],
    })).toThrow(`[test/p] TrafficPolicy 'db-0': podSelector ${reason('statefulset.kubernetes.io/pod-name', 'statefulset\\.kubernetes\\.io/pod-name')}`);
  });

  test('a deny peer on pod-template-hash would deny nothing', () => {
    const chart = chartFor(Cni.cilium());
    expect(() => new TrafficPolicy(chart, 'p', {
      name: 'deny-old',
      namespace: 'shop',
      egress: [{ peers: [Peer.namespace('prod'), Peer.pods({ 'pod-template-hash': '5d8f7c' }, 'prod')], action: RuleAction.DENY }],
    })).toThrow(`[test/p] TrafficPolicy 'deny-old': the pod selector of a peer in egress[0] ${reason('pod-template-hash', 'pod-template-hash')}`);
  });

  test('a namespaces peer narrowed by controller-revision-hash', () => {
    const chart = chartFor(Cni.cilium());
    expect(() => new TrafficPolicy(chart, 'p', {
      name: 'p',
      namespace: 'shop',
      ingress: [{ peers: [Peer.namespaces({ team: 'a' }, { 'controller-revision-hash': 'db-7f' })] }],
    })).toThrow(`[test/p] TrafficPolicy 'p': the pod selector of a peer in ingress[0] ${reason('controller-revision-hash', 'controller-revision-hash')}`);
  });

  // Namespace labels reach identities as io.cilium.k8s.namespace.labels.<key>; the ignore pattern
  // `.*beta\.kubernetes\.io` matches longer than that include, so such keys are dropped (pkg/labelsfilter).
  test('a namespaces peer on a beta.kubernetes.io namespace label would match no namespace', () => {
    const chart = chartFor(Cni.cilium());
    expect(() => new TrafficPolicy(chart, 'p', {
      name: 'p',
      namespace: 'shop',
      ingress: [{ peers: [Peer.namespaces({ 'topology.beta.kubernetes.io/zone': 'a' })] }],
    })).toThrow("[test/p] TrafficPolicy 'p': the namespace selector of a peer in ingress[0] (label key 'topology.beta.kubernetes.io/zone') cannot be "
      + "enforced by CNI 'cilium': Cilium leaves this namespace label out of security identities by default (label filter '!.*beta\\.kubernetes\\.io'), "
      + 'and its policies, NetworkPolicies included, select identities: the selector would match no pod. Select the namespaces by a label Cilium '
      + 'keeps (e.g. kubernetes.io/metadata.name)');
  });

  test('the same intents render on Calico, which matches every pod label', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'p', {
      name: 'db-0',
      namespace: 'shop',
      podSelector: { 'statefulset.kubernetes.io/pod-name': 'db-0' },
      ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(5432)] }],
    });
    expect(synthValid(chart).map((o) => o.spec.podSelector)).toEqual([{ matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }]);
  });

  test('labels Cilium keeps render: app.kubernetes.io/* (included over the kubernetes.io ignore), namespace labels, plain keys', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', {
      name: 'p',
      namespace: 'shop',
      podSelector: { 'app.kubernetes.io/name': 'db' },
      ingress: [{ peers: [Peer.namespaces({ 'kubernetes.io/metadata.name': 'prod' }, { tier: 'web' })] }],
      egress: [{ peers: [Peer.pods({ app: 'x' })], action: RuleAction.DENY }],
    });
    const [cnp] = synthValid(chart);
    expect(cnp.spec.endpointSelector).toEqual({ matchLabels: { 'k8s:app.kubernetes.io/name': 'db' } });
    expect(cnp.spec.ingress).toEqual([{
      fromEndpoints: [{
        matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'prod', 'k8s:tier': 'web' },
        matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
      }],
    }]);
  });

  test.each([
    ['statefulset.kubernetes.io/pod-name', 'statefulset\\.kubernetes\\.io/pod-name'],
    ['apps.kubernetes.io/pod-index', 'apps\\.kubernetes\\.io/pod-index'],
    ['batch.kubernetes.io/job-completion-index', 'batch\\.kubernetes\\.io/job-completion-index'],
    // cilium/cilium#31964 (1.16): the Job controller-uid labels, new and legacy.
    ['batch.kubernetes.io/controller-uid', 'batch\\.kubernetes\\.io/controller-uid'],
    ['controller-uid', 'controller-uid'],
    ['kubernetes.io/arch', 'kubernetes\\.io'],
    ['k8s.io/role', 'k8s\\.io'],
    ['io.kubernetes.container.name', 'io\\.kubernetes'],
    ['node.beta.kubernetes.io/x', '.*beta\\.kubernetes\\.io'],
    ['pod-template-generation', 'pod-template-generation'],
    ['annotation-team', 'annotation.*'],
    ['etcd_node', 'etcd_node'],
    ['app.kubernetes.io/name', undefined],
    ['batch.kubernetes.io/job-name', undefined],
    ['example.com/kubernetes.io', undefined],
    ['app', undefined],
  ])('%s: %s', (key, pattern) => {
    expect(ciliumIgnoredLabelPattern(key)).toBe(pattern);
  });
});
