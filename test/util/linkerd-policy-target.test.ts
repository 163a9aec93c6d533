/**
 * linkerdPolicyTargetsServer: the one reading of "this Linkerd AuthorizationPolicy applies to that
 * Server" shared by ThreeTierApp's conflict check (patterns/) and its callers check (mesh/): a Server
 * by name or `kind: Namespace` (every Server of the policy's namespace, linkerd.io "Authorization
 * Policy" reference), in the policy's own namespace.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { linkerdPolicyTargetsServer } from '../../src/util/linkerd-policy-target';
import { synthAndValidate } from '../support/schema';

const CLIENTS = { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'api-clients' };

test('a Server by name or the namespace, in the policy\'s namespace; not another Server, an HTTPRoute or another namespace', () => {
  const chart = new Chart(new App(), 'c');
  const policy = (id: string, namespace: string, targetRef: Record<string, string>) => new ApiObject(chart, id, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: { name: id, namespace },
    spec: { targetRef, requiredAuthenticationRefs: [CLIENTS] },
  });
  const objects = [
    policy('on-server', 'shop', { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' }),
    policy('on-other-server', 'shop', { group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }),
    policy('on-namespace', 'shop', { kind: 'Namespace', name: 'shop' }),
    policy('on-route', 'shop', { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-route' }),
    policy('elsewhere', 'reports', { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' }),
  ];
  synthAndValidate(chart);
  expect(objects.filter((o) => linkerdPolicyTargetsServer(o, 'shop', 'api-http')).map((o) => o.name)).toEqual(['on-server', 'on-namespace']);
});
