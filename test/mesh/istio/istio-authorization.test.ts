import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClusterNetwork, Cni, IstioAuthorization, IstioMode, IstioMtls, Mesh, MeshAuthorization, MeshSource, MtlsMode, MtlsPortMode, PolicyLint,
} from '../../../src';
import { meshChart } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));

describe('IstioAuthorization', () => {
  test('allow-nothing baseline plus one flow: from, to and when ANDed in ONE rule, action always written', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web-to-api', {
      from: [MeshSource.serviceAccount('web'), MeshSource.serviceAccount('admin', 'ops'), MeshSource.namespace('batch')],
      to: { app: 'api' },
      ports: [8080],
      methods: ['GET', 'POST'],
      paths: ['/api/v1/*'],
      when: [{ key: 'request.headers[authorization]', values: ['Bearer *'] }],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'AuthorizationPolicy', 'allow-nothing', 'shop')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-nothing', namespace: 'shop' },
      spec: { action: 'ALLOW' },
    });
    const policy = find(objects, 'AuthorizationPolicy', 'web-to-api', 'shop');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{
        from: [
          { source: { principals: ['cluster.local/ns/shop/sa/web', 'cluster.local/ns/ops/sa/admin'] } },
          { source: { namespaces: ['batch'] } },
        ],
        to: [{ operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/api/v1/*'] } }],
        when: [{ key: 'request.headers[authorization]', values: ['Bearer *'] }],
      }],
    });
    // The AND structure: exactly one rule carrying all three clauses; the linter agrees.
    expect(policy.spec.rules).toHaveLength(1);
    expect(Object.keys(policy.spec.rules[0]).sort()).toEqual(['from', 'to', 'when']);
    expect(PolicyLint.check(objects, { cni: Cni.calico() }).filter((f) => f.rule.startsWith('istio-authz'))).toEqual([]);
  });

  test('DENY and AUDIT flows; a trust domain from the mesh', () => {
    const chart = meshChart(Cni.cilium(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true, trustDomain: 'prod.example' }));
    new IstioMtls(chart, 'mtls');
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop', allowNothing: false });
    authz.denyFlow('no-admin-from-web', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, paths: ['/admin/*'] });
    authz.auditFlow('audit-writes', { from: [MeshSource.anyMeshWorkload()], to: {}, methods: ['DELETE'] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'AuthorizationPolicy').map((p) => p.metadata.name)).toEqual(['no-admin-from-web', 'audit-writes']);
    expect(find(objects, 'AuthorizationPolicy', 'no-admin-from-web').spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['prod.example/ns/shop/sa/web'] } }], to: [{ operation: { paths: ['/admin/*'] } }] }],
    });
    expect(find(objects, 'AuthorizationPolicy', 'audit-writes').spec).toEqual({
      action: 'AUDIT',
      rules: [{ from: [{ source: { principals: ['*'] } }], to: [{ operation: { methods: ['DELETE'] } }] }],
    });
  });

  test('anyone to a public path needs no mTLS and renders no from clause', () => {
    const chart = sidecar();
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('public-health', { from: [MeshSource.anyone()], to: { app: 'api' }, paths: ['/healthz'] });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'public-health').spec.rules).toEqual([{ to: [{ operation: { paths: ['/healthz'] } }] }]);
  });

  test('a cdk8s-plus workload with its own service account is a source', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    const sa = new kplus.ServiceAccount(chart, 'web-sa', { metadata: { name: 'web', namespace: 'shop' } });
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, serviceAccount: sa, containers: [{ image: 'web:1' }] });
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', { from: [MeshSource.workload(web)], to: { app: 'api' }, ports: [8080] });
    expect(find(chart.toJson(), 'AuthorizationPolicy', 'web-to-api').spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }]);
  });

  // The identity is <namespace>/<service account> of the pods: a workload without a namespace runs wherever its
  // manifest is applied, and the authorization's namespace is no guess for it.
  test('a workload without a namespace is refused; its chart\'s namespace counts', () => {
    const chart = sidecar();
    const sa = new kplus.ServiceAccount(chart, 'web-sa', { metadata: { name: 'web' } });
    const web = new kplus.Deployment(chart, 'web', { serviceAccount: sa, containers: [{ image: 'web:1' }] });
    expect(() => MeshSource.workload(web)).toThrow("[MeshSource.workload] workload: test/web has no namespace, so its pods' identity (namespace and "
      + 'service account) is unknown here: set its metadata.namespace (or the namespace of its chart)');
    const app = Testing.app();
    const frontend = new Chart(app, 'frontend', { namespace: 'frontend' });
    new ClusterNetwork(frontend, 'cluster', { cni: Cni.calico(), mesh: Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }) });
    new IstioMtls(frontend, 'mtls', { namespace: 'shop' });
    const fsa = new kplus.ServiceAccount(frontend, 'web-sa', { metadata: { name: 'web' } });
    const fweb = new kplus.Deployment(frontend, 'web', { serviceAccount: fsa, containers: [{ image: 'web:1' }] });
    new IstioAuthorization(frontend, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', { from: [MeshSource.workload(fweb)], to: { app: 'api' } });
    expect(find(synthValid(frontend), 'AuthorizationPolicy', 'web-to-api').spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/frontend/sa/web'] } }]);
  });

  test('a workload on the default service account is refused', () => {
    const chart = sidecar();
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: 'web:1' }] });
    expect(() => new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('x', { from: [MeshSource.workload(web)], to: { app: 'api' } }))
      .toThrow("[test/authz] flow 'x'.from[0]: test/web runs as the namespace's default service account");
  });

  describe('identity sources need STRICT mTLS for the target (checked at synth, whatever the construction order)', () => {
    const flow = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };

    test('no PeerAuthentication at all', () => {
      const chart = sidecar();
      new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
      expect(() => chart.toJson()).toThrow("[test/authz] flow 'web-to-api': admits callers by mesh identity, but mTLS is not STRICT for its target "
        + '(no PeerAuthentication covers it (Istio then accepts plaintext: PERMISSIVE))');
    });

    test('a PERMISSIVE namespace policy, declared after the authorization', () => {
      const chart = sidecar();
      new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
      new IstioMtls(chart, 'migrating', { namespace: 'shop', mode: MtlsMode.PERMISSIVE });
      expect(() => chart.toJson()).toThrow('(test/migrating sets PERMISSIVE)');
    });

    test('STRICT mesh-wide but a port exception on the target port', () => {
      const chart = sidecar();
      new IstioMtls(chart, 'mesh');
      new IstioMtls(chart, 'api-port', { namespace: 'shop', name: 'api', selector: { app: 'api' }, portExceptions: [{ port: 8080, mode: MtlsPortMode.PERMISSIVE }] });
      new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
      expect(() => chart.toJson()).toThrow('test/api-port sets PERMISSIVE on port 8080');
    });

    test('a port exception on another port, or a namespace STRICT over a PERMISSIVE mesh, is fine', () => {
      const chart = sidecar();
      new IstioMtls(chart, 'mesh', { mode: MtlsMode.PERMISSIVE });
      new IstioMtls(chart, 'shop', { namespace: 'shop' });
      new IstioMtls(chart, 'metrics', { namespace: 'shop', name: 'api', selector: { app: 'api' }, portExceptions: [{ port: 9090, mode: MtlsPortMode.PERMISSIVE }] });
      new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
      expect(find(synthValid(chart), 'AuthorizationPolicy', 'web-to-api').spec.action).toBe('ALLOW');
    });

    test('a PERMISSIVE policy on a subset of the target pods (a canary version) is caught', () => {
      const chart = sidecar();
      new IstioMtls(chart, 'shop', { namespace: 'shop' });
      new IstioMtls(chart, 'v2', { namespace: 'shop', name: 'api-v2', selector: { app: 'api', version: 'v2' }, mode: MtlsMode.PERMISSIVE });
      new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
      expect(() => chart.toJson()).toThrow('test/v2 sets PERMISSIVE for pods {app=api,version=v2}');
    });
  });

  test.each([
    ['no sources', { from: [], to: {} }, "[test/authz] flow 'f'.from: at least one source is required (MeshSource.anyone() for anyone, explicitly)"],
    ['anyone beside others', { from: [MeshSource.anyone(), MeshSource.namespace('x')], to: {} }, "[test/authz] flow 'f'.from: MeshSource.anyone() admits every caller"],
    ['a lower-case method', { from: [MeshSource.anyone()], to: {}, methods: ['get'] }, "[test/authz] flow 'f'.methods[0]: 'get' is not an upper-case HTTP method"],
    ['a path with a middle wildcard', { from: [MeshSource.anyone()], to: {}, paths: ['/api/*/x'] }, "[test/authz] flow 'f'.paths[0]: '/api/*/x' is not a path Istio matches"],
    ['a relative path', { from: [MeshSource.anyone()], to: {}, paths: ['api'] }, "flow 'f'.paths[0]: 'api' is not a path Istio matches"],
    ['the seed\'s request.time condition', { from: [MeshSource.anyone()], to: {}, when: [{ key: 'request.time', values: ['09:00:00-17:00:00'] }] },
      "[test/authz] flow 'f'.when[0].key: 'request.time' is not an Istio authorization condition key"],
    ['a condition without values', { from: [MeshSource.anyone()], to: {}, when: [{ key: 'source.ip' }] }, "[test/authz] flow 'f'.when[0]: condition 'source.ip' needs values or notValues"],
    ['port 70000', { from: [MeshSource.anyone()], to: {}, ports: [70000] }, "[test/authz] flow 'f'.ports[0]: port 70000 is outside 1-65535"],
    ['an empty port list', { from: [MeshSource.anyone()], to: {}, ports: [] }, "[test/authz] flow 'f'.ports: must not be empty: omit it for any"],
    ['a port twice', { from: [MeshSource.anyone()], to: {}, ports: [80, 80] }, "[test/authz] flow 'f'.ports: 80 is listed twice"],
    ['not a MeshSource', { from: ['web'], to: {} }, "[test/authz] flow 'f'.from[0]: must be a MeshSource"],
  ])('%s', (_what, options, message) => {
    const authz = new IstioAuthorization(sidecar(), 'authz', { namespace: 'shop' });
    expect(() => authz.allowFlow('f', options as any)).toThrow(message);
  });

  // istiod's validating webhook (istio pkg/config/security ValidateAttribute, for values and notValues)
  // parses the values of the IP keys as addresses or CIDR blocks and those of destination.port as ports,
  // and CheckValidPathTemplate refuses '{' and '}' outside its templates: such a policy is refused
  // at apply (the whole sync fails), so it is refused at synth, naming the value.
  test.each([
    ['source.ip', 'values', 'not-an-ip', "[test/authz] flow 'f'.when[0].values[0]: 'not-an-ip' is not an IP address or CIDR block"],
    ['remote.ip', 'notValues', '10.0.0.1/8', "[test/authz] flow 'f'.when[0].notValues[0]: '10.0.0.1/8' is not an IP address or CIDR block "
      + '(has host bits set; did you mean 10.0.0.0/8?)'],
    ['destination.ip', 'values', '10.0.0.0/33', "[test/authz] flow 'f'.when[0].values[0]: '10.0.0.0/33' is not an IP address or CIDR block"],
    ['destination.port', 'values', 'http', "[test/authz] flow 'f'.when[0].values[0]: 'http' is not a port number in 1-65535: istiod requires one for "
      + "'destination.port' (a port name is not resolved)"],
    ['destination.port', 'notValues', '70000', "[test/authz] flow 'f'.when[0].notValues[0]: '70000' is not a port number in 1-65535"],
    ['destination.port', 'values', '+80', "[test/authz] flow 'f'.when[0].values[0]: '+80' is not a port number in 1-65535"],
    // Go's net/netip (istiod) refuses leading zeros where the parser of this library reads them: in the prefix length
    // (ParsePrefix "bad bits after slash") and in an IPv4 octet inside an IPv6 address (ParseAddr "leading zero").
    ['source.ip', 'values', '10.0.0.0/08', "[test/authz] flow 'f'.when[0].values[0]: '10.0.0.0/08' has a leading zero (in the prefix length or an "
      + 'IPv4 octet), which istiod refuses (Go net/netip)'],
    ['remote.ip', 'notValues', '2001:db8::/032', "[test/authz] flow 'f'.when[0].notValues[0]: '2001:db8::/032' has a leading zero"],
    ['destination.ip', 'values', '::ffff:010.0.0.1', "[test/authz] flow 'f'.when[0].values[0]: '::ffff:010.0.0.1' has a leading zero"],
  ])('condition %s with %s %s: refused as istiod would', (key, field, value, message) => {
    const authz = new IstioAuthorization(sidecar(), 'authz', { namespace: 'shop' });
    expect(() => authz.allowFlow('f', { from: [MeshSource.anyone()], to: { app: 'api' }, when: [{ key, [field]: [value] }] })).toThrow(message);
  });

  test('condition values istiod accepts are written as given; a path with a brace is refused', () => {
    const chart = sidecar();
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('f', {
      from: [MeshSource.anyone()],
      to: { app: 'api' },
      when: [
        { key: 'source.ip', values: ['10.1.2.3', '2001:db8::/32'], notValues: ['10.1.2.0/24'] },
        { key: 'destination.port', values: ['8080', '65535'] },
        // A zero octet and an IPv4-mapped block are no leading zeros: Go's net/netip reads both.
        { key: 'remote.ip', values: ['10.0.0.0/8', '::ffff:10.0.0.0/104', '0.0.0.0/0', '::/0'] },
      ],
    });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'f', 'shop').spec.rules).toEqual([{
      when: [
        { key: 'source.ip', values: ['10.1.2.3', '2001:db8::/32'], notValues: ['10.1.2.0/24'] },
        { key: 'destination.port', values: ['8080', '65535'] },
        { key: 'remote.ip', values: ['10.0.0.0/8', '::ffff:10.0.0.0/104', '0.0.0.0/0', '::/0'] },
      ],
    }]);
    for (const path of ['/api/{id}', '/{tenant}/*']) {
      expect(() => authz.allowFlow('g', { from: [MeshSource.anyone()], to: { app: 'api' }, paths: [path] }))
        .toThrow(`[test/authz] flow 'g'.paths[0]: '${path}' holds '{' or '}', which istiod refuses in an authorization path outside its path templates`);
    }
  });

  // istio.io "Authorization Policy Normalization": with the default BASE normalization Istio compares the
  // request path without its query, with backslashes turned into slashes, escapes of unreserved characters
  // decoded and dot segments resolved. A policy path holding any of them never matches: a DENY of it denies
  // nothing (fails open), an ALLOW admits nothing.
  test.each([
    ['/admin?debug=true', "holds a query or fragment ('?' or '#'), which Istio leaves out of the path it compares"],
    ['/admin#top', "holds a query or fragment ('?' or '#')"],
    ['/admin\\config', "holds a backslash, which Istio turns into '/'"],
    ['/%61dmin', 'holds a percent-escape of an unreserved character (or %00), which Istio decodes (or refuses)'],
    ['/api/%2E%2E/admin/*', 'holds a percent-escape of an unreserved character'],
    ['/api/../admin', "holds a dot segment ('.' or '..'), which Istio resolves"],
    ['/public/./*', "holds a dot segment ('.' or '..')"],
    ['*/../secret', "holds a dot segment ('.' or '..')"],
    // Envoy's normalize_path (Chromium's URL canonicalizer) writes these percent-encoded: a raw one never matches.
    ['/search|all', 'holds "|", which Istio\'s normalization percent-encodes (the request path holds %7C instead)'],
    ['/caf\u00e9/*', 'holds "\u00e9", which Istio\'s normalization percent-encodes (the request path holds %C3%A9 instead)'],
    ['*.x^y', 'holds "^", which Istio\'s normalization percent-encodes (the request path holds %5E instead)'],
    ['/say/"hi"', 'holds "\\"", which Istio\'s normalization percent-encodes (the request path holds %22 instead)'],
    ['/a<b>', 'holds "<"'],
    ['/tick`', 'holds "`"'],
    ['/emoji/\u{1F600}', 'holds "\u{1F600}", which Istio\'s normalization percent-encodes (the request path holds %F0%9F%98%80 instead)'],
  ])('a path Istio never sees as written (%s) is refused for DENY and ALLOW alike', (path, reason) => {
    const authz = new IstioAuthorization(sidecar(), 'authz', { namespace: 'shop' });
    for (const add of [authz.denyFlow.bind(authz), authz.allowFlow.bind(authz)]) {
      expect(() => add('f', { from: [MeshSource.anyone()], to: { app: 'api' }, paths: ['/ok', path] }))
        .toThrow(`[test/authz] flow 'f'.paths[1]: '${path}' ${reason}`);
    }
  });

  test('paths as Istio normalizes them are written as given, escaped slashes and double slashes included (BASE keeps them)', () => {
    const chart = sidecar();
    const paths = ['/admin', '/.well-known/*', '*.png', '/files/a%2Fb', '/a//b', '/caf%C3%A9', '/search%7Call', '*'];
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).denyFlow('f', { from: [MeshSource.anyone()], to: { app: 'api' }, paths });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'f').spec.rules).toEqual([{ to: [{ operation: { paths } }] }]);
  });

  // istio.io "Authorization Policy": a policy in the root namespace applies to every namespace (its
  // selector matches workloads in all namespaces); the allow-nothing baseline there is mesh-wide.
  test('the mesh root namespace is refused: its policies would apply to every namespace', () => {
    expect(() => new IstioAuthorization(sidecar(), 'authz', { namespace: 'istio-system' }))
      .toThrow("[test/authz] namespace: 'istio-system' is the mesh root namespace, whose AuthorizationPolicies apply to every namespace");
    expect(() => new IstioAuthorization(sidecar(), 'authz', { namespace: 'istio-system', allowNothing: false }))
      .toThrow("[test/authz] namespace: 'istio-system' is the mesh root namespace");
    const custom = meshChart(Cni.kubernetes(), Mesh.istio({ mode: IstioMode.AMBIENT, rootNamespace: 'istio-config' }));
    expect(() => new MeshAuthorization(custom, 'mesh', { namespace: 'istio-config' }))
      .toThrow("[test/mesh/Istio] namespace: 'istio-config' is the mesh root namespace");
    // The control plane's namespace is an ordinary one when the root namespace is another.
    const chart = meshChart(Cni.kubernetes(), Mesh.istio({ mode: IstioMode.AMBIENT, rootNamespace: 'istio-config' }));
    new IstioAuthorization(chart, 'authz', { namespace: 'istio-system' });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'allow-nothing', 'istio-system').spec).toEqual({ action: 'ALLOW' });
  });

  test('two flows of one name', () => {
    const authz = new IstioAuthorization(sidecar(), 'authz', { namespace: 'shop' });
    authz.allowFlow('f', { from: [MeshSource.anyone()], to: {} });
    expect(() => authz.denyFlow('f', { from: [MeshSource.anyone()], to: {} })).toThrow("[test/authz] flow 'f': the namespace already has a policy of that name");
  });

  test('ambient: L4 flows are fine, L7 fields need a waypoint', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    new IstioMtls(chart, 'mtls');
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('l4', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] });
    expect(() => authz.allowFlow('l7', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, methods: ['GET'] }))
      .toThrow("[test/authz] flow 'l7': HTTP methods, paths and request conditions need an L7 proxy; in ambient mode that is a waypoint");
    // Conditions ztunnel evaluates itself (istio.io "Use Layer 4 security policy") are L4; every other key needs a waypoint,
    // for DENY as for ALLOW: never emitted to be enforced in part.
    authz.allowFlow('l4-when', {
      from: [MeshSource.serviceAccount('web')],
      to: { app: 'api' },
      when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }, { key: 'destination.port', values: ['8080'] }],
    });
    for (const key of ['remote.ip', 'connection.sni', 'request.headers[x-user]', 'experimental.envoy.filters.network.mysql_proxy[db.table]']) {
      for (const add of [authz.allowFlow.bind(authz), authz.denyFlow.bind(authz)]) {
        // A value istiod accepts for the key (remote.ip takes an address), so that only the L7 check speaks.
        const values = key === 'remote.ip' ? ['203.0.113.7'] : ['x'];
        expect(() => add(`l7-${key.length}`, { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, when: [{ key, values }] }))
          .toThrow(`[test/authz] flow 'l7-${key.length}': HTTP methods, paths and request conditions need an L7 proxy; in ambient mode that is a waypoint`);
      }
    }
    const objects = synthValid(chart);
    expect(find(objects, 'AuthorizationPolicy', 'l4').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
    expect(find(objects, 'AuthorizationPolicy', 'l4-when').spec.rules[0].when).toEqual([
      { key: 'source.ip', values: ['10.0.0.0/8'] }, { key: 'destination.port', values: ['8080'] },
    ]);
  });

  test('under Linkerd: an error', () => {
    expect(() => new IstioAuthorization(meshChart(Cni.calico(), Mesh.linkerd()), 'authz', { namespace: 'shop' }))
      .toThrow('[test/authz] mesh: IstioAuthorization needs a ClusterNetwork with mesh Mesh.istio({ mode }); this chart\'s ClusterNetwork (test/cluster) declares Linkerd');
  });
});
