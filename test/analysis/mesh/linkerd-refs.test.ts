/**
 * How linkerd2's policy controller reads a route's Server parentRefs
 * (policy-controller/k8s/index/src/inbound/routes.rs `ParentRef::from_http_parent_ref`): parentRefs to
 * other kinds or without a name are skipped; a Server in another namespace, a `port` or a
 * `sectionName` fail the whole route, checked in that order; an absent or null field is not given.
 */
import { serverParents } from '../../../src/analysis/mesh/linkerd-refs';

const route = (parentRefs: Record<string, unknown>[]) => ({ apiVersion: 'policy.linkerd.io/v1beta3', spec: { parentRefs } });
const server = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' };

describe('serverParents', () => {
  test('the Servers named, other kinds and nameless parents skipped, null fields absent', () => {
    expect(serverParents(route([server, { kind: 'Service', name: 'api', port: 8080 }, { kind: 'Server', name: '', port: 80 }]), 'shop')).toEqual(['api-8080']);
    expect(serverParents(route([{ ...server, namespace: null, port: null, sectionName: null }, { ...server, name: 'b', namespace: 'shop' }]), 'shop'))
      .toEqual(['api-8080', 'b']);
  });

  test('another namespace, a port or a section name refuses the whole route, the first failing check saying why', () => {
    expect(serverParents(route([server, { ...server, name: 'b', port: 8080 }]), 'shop')).toEqual({ refused: 'a parentRef names Server b by port 8080' });
    expect(serverParents(route([{ ...server, sectionName: 'http' }]), 'shop')).toEqual({ refused: 'a parentRef names Server api-8080 by section name http' });
    expect(serverParents(route([{ ...server, port: 8080, sectionName: 'http' }]), 'shop'))
      .toEqual({ refused: 'a parentRef names Server api-8080 by port 8080' });
    expect(serverParents(route([{ ...server, namespace: 'other', port: 8080 }]), 'shop'))
      .toEqual({ refused: 'a parentRef names a Server in another namespace' });
  });
});
