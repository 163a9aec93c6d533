import { validateManifests } from './schema';

const route = (rule: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'shop' },
  spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'api', port: 8080 }], ...rule }] },
});

describe('Gateway API objects are validated against the v1.4.1 standard channel too', () => {
  test('a standard-channel HTTPRoute passes', () => {
    expect(validateManifests([route({ matches: [{ path: { type: 'PathPrefix', value: '/' } }] })])).toEqual([]);
  });

  test('an experimental-only field (rule retry) is rejected although the pinned JSON schema has it', () => {
    expect(validateManifests([route({ retry: { attempts: 2 } })])).toEqual([
      { object: 'HTTPRoute/shop/r', path: 'spec.rules[0].retry', message: 'unknown field "retry"' },
    ]);
  });

  test('a kind outside the standard channel (TCPRoute) is rejected', () => {
    const tcp = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 't', namespace: 'shop' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] } };
    expect(validateManifests([tcp]).map((f) => f.message)).toEqual(['must be one of "TCPRoute (not in the Gateway API v1.4.1 standard channel)", got "TCPRoute"']);
  });
});
