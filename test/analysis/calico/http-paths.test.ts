/**
 * Calico HTTP matches as Calico 3.32.1 enforces them: the Istio sidecar's Envoy normalizes the path
 * (meshConfig pathNormalization, not in the manifests: every setting is tried), then Dikastes
 * normalizes it again and matches prefixes by whole segments (projectcalico/calico#12532).
 */
import { cnp } from './helpers';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';

const listen = { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const policy = cnp('shop', 'api-get-only', {
  selector: "app == 'api'",
  types: ['Ingress'],
  ingress: [{
    action: 'Allow',
    protocol: 'TCP',
    source: { selector: "app == 'web'" },
    destination: { ports: [8080] },
    http: { methods: ['GET'], paths: [{ prefix: '/api' }, { exact: '/healthz' }] },
  }],
});
const manifests = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, listen), deployment('shop', 'api', { app: 'api' }, listen), policy];
const CONSTRAINT = 'HTTP methods GET; paths /api*,=/healthz (NetworkPolicy shop/api-get-only spec.ingress[0])';

describe('Calico HTTP paths (Dikastes in Calico 3.32.1)', () => {
  const reach = Reachability.fromManifests(manifests, { cni: Cni.calico() });
  const ask = (path: string, method = 'GET') => reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method, path });

  test('the manifests are valid', () => {
    expectValidManifests(manifests);
  });

  test('a prefix matches whole segments: /api and /api/v1 yes, /apix no', () => {
    expect(ask('/api').verdict).toBe(Verdict.ALLOW);
    expect(ask('/api/v1').verdict).toBe(Verdict.ALLOW);
    expect(ask('/apix').verdict).toBe(Verdict.DENY);
  });

  test('dot segments, escapes and trailing slashes are resolved whatever the sidecar setting', () => {
    expect(ask('/api/../admin').verdict).toBe(Verdict.DENY);
    expect(ask('/admin/../api/v1').verdict).toBe(Verdict.ALLOW);
    expect(ask('/%61pi/v1').verdict).toBe(Verdict.ALLOW);
    expect(ask('/healthz/').verdict).toBe(Verdict.ALLOW);
    expect(ask('/api;jsessionid=1/v1').verdict).toBe(Verdict.ALLOW);
    // Double-encoded dots reach Dikastes still encoded once: it matches nothing.
    expect(ask('/api/%252e%252e/admin').verdict).toBe(Verdict.DENY);
    expect(ask('/api/../admin', 'POST').verdict).toBe(Verdict.DENY);
  });

  test('a path the sidecar settings hand on differently: indeterminate, with the forms', () => {
    // NONE passes /a//../api on (Dikastes: /api); BASE and the others resolve .. over the empty segment first (/a/api).
    const result = ask('/a//../api');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`${CONSTRAINT}: the Istio sidecar hands Calico's Dikastes the path /a//../api as /a//../api or /a/api `
      + 'depending on meshConfig pathNormalization (BASE by default) and its Envoy build, and the HTTP match allows only some of them']);
  });

  test('a ; before a backslash: indeterminate, Dikastes\' order of the two steps being undocumented', () => {
    // NONE hands Dikastes the path as sent: /admin if it folds backslashes first, /api if it strips parameters first.
    const result = ask('/api;x\\..\\admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`${CONSTRAINT}: Calico's Dikastes makes /api;x\\..\\admin match or not depending on whether it strips `
      + ';-parameters before or after turning \\ into / (an order projectcalico/calico#12532 does not document); the Istio sidecar hands Calico\'s '
      + 'Dikastes the path /api;x\\..\\admin as /api;x\\..\\admin or /admin depending on meshConfig pathNormalization (BASE by default) and its '
      + 'Envoy build, and the HTTP match allows only some of them']);
    // The other settings turn the backslashes into / first (the URL canonicalizer), and then both orders agree.
    expect(ask('/api;x/../admin').verdict).toBe(Verdict.DENY);
  });

  test('characters whose handling is not modelled: indeterminate', () => {
    expect(ask('/api/a b').uncertainties).toEqual([`${CONSTRAINT}: the path /api/a b has characters whose handling by the Istio sidecar's Envoy `
      + '(its HTTP parser and path normalization) is not modelled']);
  });
});

describe('Calico HTTP methods as Dikastes matches them', () => {
  // app-policy/checker/match.go matchHTTPMethods: an entry `*` matches every method; the others are exact.
  const wildcard = cnp('shop', 'api-any-method', {
    selector: "app == 'api'",
    types: ['Ingress'],
    ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [8080] }, http: { methods: ['*'], paths: [{ prefix: '/api' }] } }],
  });
  const objects = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, listen), deployment('shop', 'api', { app: 'api' }, listen), wildcard];
  const reach = Reachability.fromManifests(objects, { cni: Cni.calico() });
  const ask = (method: string, path: string) => reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method, path });

  test('the manifests are valid', () => {
    expectValidManifests(objects);
  });

  test('`*` allows every method; the paths still apply', () => {
    expect(ask('POST', '/api/v1').verdict).toBe(Verdict.ALLOW);
    expect(ask('DELETE', '/api').verdict).toBe(Verdict.ALLOW);
    expect(ask('POST', '/admin').verdict).toBe(Verdict.DENY);
    expect(ask('get', '/api').verdict).toBe(Verdict.ALLOW);
  });
});
