/**
 * linkerd-admin-port-unauthorized counts a Server on the admin port that selects pods by the owner
 * label Linkerd's proxy injector adds: a ReplicaSet with one owner (a Deployment) gives its pods that
 * owner's label, `linkerd.io/proxy-deployment` (linkerd2 controller/k8s/api.go GetOwnerKindAndName,
 * pkg/inject/inject.go), not `linkerd.io/proxy-replicaset`.
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const RULE = 'linkerd-admin-port-unauthorized';
const ns = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny' } },
};
const rs = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-5d4f', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '1b0c6a4e-0000-4000-8000-000000000003' }] },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example/web:1.0', ports: [{ containerPort: 8080 }] }] } },
  },
};
const serverBy = (label: string, value: string) => ({
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'Server',
  metadata: { name: 'proxy-admin', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { [label]: value } }, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' },
});

test('a Server selecting a Deployment-owned ReplicaSet\'s pods by linkerd.io/proxy-deployment describes their admin port: no finding', () => {
  const byDeployment = serverBy('linkerd.io/proxy-deployment', 'web');
  const byReplicaSet = serverBy('linkerd.io/proxy-replicaset', 'web-5d4f');
  expectValidManifests([ns, rs, byDeployment]);
  expect(brief(PolicyLint.check([ns, rs, byDeployment]), RULE)).toEqual([]);
  // The ReplicaSet's own label is not on these pods: that Server misses them, and the default policy deny refuses the scrape.
  expect(brief(PolicyLint.check([ns, rs, byReplicaSet]), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'ReplicaSet shop/web-5d4f' }]);
});
