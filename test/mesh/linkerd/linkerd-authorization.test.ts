import { Cni, IstioMode, IstioMtls, LinkerdAuthorization, Mesh, MeshAuthorization, MeshSource, Port, Reachability, Target, Verdict, ZeroTrustNamespace } from '../../../src';
import { PolicyLint } from '../../../src/lint';
import { isDnsLabel } from '../../../src/util/validate';
import { deployment, meshChart } from '../../support/mesh';
import { regexAdmitting } from '../../support/route-regex';
import { find, ofKind, synthValid } from '../../support/synth';

const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));

describe('LinkerdAuthorization', () => {
  test('a Server per port (deny by default), a MeshTLSAuthentication per flow, an AuthorizationPolicy per port', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web-to-api', {
      from: [MeshSource.serviceAccount('web'), MeshSource.namespace('batch'), MeshSource.serviceAccount('admin', 'ops')],
      to: { app: 'api' },
      ports: [8080, 9090],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'api-8080', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'api-8080', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'deny' },
    });
    expect(find(objects, 'MeshTLSAuthentication', 'web-to-api', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: 'web-to-api', namespace: 'shop' },
      spec: {
        identities: [
          'web.shop.serviceaccount.identity.linkerd.cluster.local',
          '*.batch.serviceaccount.identity.linkerd.cluster.local',
          'admin.ops.serviceaccount.identity.linkerd.cluster.local',
        ],
      },
    });
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api-9090', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web-to-api-9090', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-9090' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-to-api' }],
      },
    });
  });

  // linkerd2 chart: a proxy's identity is `<sa>.<ns>.serviceaccount.identity.<Linkerd's namespace>.<trust domain>`
  // (LINKERD2_PROXY_IDENTITY_LOCAL_NAME), so a control plane outside `linkerd` changes every identity.
  test('identities name the control plane namespace and the trust domain of the mesh', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true, controlPlaneNamespace: 'linkerd-cp', trustDomain: 'corp.example' }));
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('callers', {
      from: [MeshSource.serviceAccount('web'), MeshSource.namespace('batch')], to: { app: 'api' }, ports: [8080],
    });
    expect(find(synthValid(chart), 'MeshTLSAuthentication', 'callers').spec).toEqual({
      identities: ['web.shop.serviceaccount.identity.linkerd-cp.corp.example', '*.batch.serviceaccount.identity.linkerd-cp.corp.example'],
    });
  });

  test('two flows to the same pods and port share the Server; anyone is a NetworkAuthentication', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] });
    authz.allowFlow('public', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'Server').map((s) => s.metadata.name)).toEqual(['api-8080']);
    expect(find(objects, 'NetworkAuthentication', 'public').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }] });
    expect(find(objects, 'AuthorizationPolicy', 'public-8080').spec.requiredAuthenticationRefs)
      .toEqual([{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'public' }]);
  });

  test.each([
    ['no ports', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' } }, "[test/authz] flow 'f'.ports: Linkerd authorizes per Server, and a Server is one port: name the ports"],
    ['conditions', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [80], when: [{ key: 'source.ip', values: ['10.0.0.1'] }] },
      "[test/authz] flow 'f'.when: conditions are Istio only"],
    ['a principal', { from: [MeshSource.principal('cluster.local/ns/a/sa/b')], to: { app: 'api' }, ports: [80] }, "[test/authz] flow 'f'.from: MeshSource.principal() is Istio only"],
    ['no target labels', { from: [MeshSource.anyMeshWorkload()], to: {}, ports: [80] }, "[test/authz] flow 'f'.to: a Server selects pods by labels"],
  ])('%s', (_what, options, message) => {
    expect(() => new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', options as any)).toThrow(message);
  });

  // A flow name may have 253 characters (a DNS-1123 subdomain), its per-port objects `<flow>-<port>` too:
  // 246 characters and port 8080 make 251, one more character the 253 and then 254, which the API server refuses.
  test('a flow name that leaves no room for the per-port object names is refused, under Linkerd and for MeshAuthorization under Istio', () => {
    const fits = 'a'.repeat(248);
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow(fits, { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080], methods: ['GET'] });
    const objects = synthValid(chart);
    expect(find(objects, 'AuthorizationPolicy', `${fits}-8080`).metadata.name).toHaveLength(253);
    expect(find(objects, 'HTTPRoute', `${fits}-8080`).metadata.name).toHaveLength(253);

    const long = 'a'.repeat(249);
    const message = `[test/authz] flow '${long}': Linkerd names the flow's per-port AuthorizationPolicy (and HTTPRoute) '<flow>-<port>', and `
      + `'${'a'.repeat(40)}...-8080' (254 characters) is longer than the 253 an object name may have: shorten the flow name`;
    expect(() => new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' })
      .allowFlow(long, { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [80, 8080] })).toThrow(message);
    const istio = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    expect(() => new MeshAuthorization(istio, 'authz', { namespace: 'shop' })
      .allowFlow(long, { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080] }))
      .toThrow(message);
  });

  test('overlapping Servers on one port are refused', () => {
    const authz = new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' });
    authz.allowFlow('a', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080] });
    expect(() => authz.allowFlow('b', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api', version: 'v2' }, ports: [8080] }))
      .toThrow("[test/authz] flow 'b'.to: pods {\"app\":\"api\",\"version\":\"v2\"} and the pods {\"app\":\"api\"} of Server 'api-8080' can overlap on port 8080");
  });
});

/*
 * Server names (metadata.name): `<app>-<port>` for pods selected by `app` alone (the name of earlier
 * releases), else `<values>-<hash>-<port>`, the hash being the first 10 hex digits of the SHA-256 of
 * the selector's `key=value` pairs in key order joined by ','. The expected hashes below were computed
 * outside the library: `printf '%s' 'app=api,tier=x' | sha256sum | cut -c1-10` -> 23935eaf19.
 */
describe('LinkerdAuthorization Server names', () => {
  const anyMesh = [MeshSource.anyMeshWorkload()];
  const servers = (objects: any[]) => ofKind(objects, 'Server').map((s) => [s.metadata.name, s.spec.podSelector.matchLabels, s.spec.port]);
  const targets = (objects: any[]) => ofKind(objects, 'AuthorizationPolicy').map((p) => [p.metadata.name, p.spec.targetRef.name]);

  test('selectors whose values join to the same string get two Servers, each targeted by its own policy', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('to-api-x', { from: anyMesh, to: { app: 'api', tier: 'x' }, ports: [8080] });
    authz.allowFlow('to-apix', { from: anyMesh, to: { app: 'api-x' }, ports: [8080] });
    const objects = synthValid(chart);
    expect(servers(objects)).toEqual([
      ['api-x-23935eaf19-8080', { app: 'api', tier: 'x' }, 8080],
      ['api-x-8080', { app: 'api-x' }, 8080],
    ]);
    expect(targets(objects)).toEqual([['to-api-x-8080', 'api-x-23935eaf19-8080'], ['to-apix-8080', 'api-x-8080']]);
    // The lint rule reads Servers back by name: each has its policy.
    expect(PolicyLint.check(objects).filter((f) => f.rule === 'linkerd-server-without-authorization')).toEqual([]);
  });

  test('label keys count: the same values under other keys are another Server', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    // Both join to 'web-front' in key order; 'tier' is front in one and web in the other: no pod has both.
    authz.allowFlow('a', { from: anyMesh, to: { role: 'web', tier: 'front' }, ports: [8080] });
    authz.allowFlow('b', { from: anyMesh, to: { tier: 'web', zone: 'front' }, ports: [8080] });
    authz.allowFlow('c', { from: anyMesh, to: { role: 'web' }, ports: [9090] });
    const objects = synthValid(chart);
    expect(servers(objects)).toEqual([
      ['web-front-6f015581ae-8080', { role: 'web', tier: 'front' }, 8080],
      ['web-front-59e4c99b52-8080', { tier: 'web', zone: 'front' }, 8080],
      // Not web-9090: that is the name of {app: web}'s Server.
      ['web-ac1eed229e-9090', { role: 'web' }, 9090],
    ]);
    expect(targets(objects)).toEqual([['a-8080', 'web-front-6f015581ae-8080'], ['b-8080', 'web-front-59e4c99b52-8080'], ['c-9090', 'web-ac1eed229e-9090']]);
  });

  test('{app: web} and {role: web} on one port can select the same pod: refused as overlapping, not as a duplicate name', () => {
    const authz = new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' });
    authz.allowFlow('a', { from: anyMesh, to: { app: 'web' }, ports: [8080] });
    expect(() => authz.allowFlow('b', { from: anyMesh, to: { role: 'web' }, ports: [8080] }))
      .toThrow("[test/authz] flow 'b'.to: pods {\"role\":\"web\"} and the pods {\"app\":\"web\"} of Server 'web-8080' can overlap on port 8080");
  });

  test('an app value that looks like a hashed name is hashed itself, so it cannot take the other Server\'s name', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('a', { from: anyMesh, to: { app: 'api', tier: 'x' }, ports: [8080] });
    authz.allowFlow('b', { from: anyMesh, to: { app: 'api-x-23935eaf19' }, ports: [8080] });
    const names = ofKind(synthValid(chart), 'Server').map((s) => s.metadata.name);
    expect(names[0]).toBe('api-x-23935eaf19-8080');
    expect(names[1]).toMatch(/^api-x-23935eaf19-[0-9a-f]{10}-8080$/);
  });

  test('label values that are no DNS name (upper case, _, .) and long values give valid names of at most 63 characters', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    // Before: 'payments_api-8080' (invalid, an error) and 'api-8080' for {app: API} (the name of {app: api}).
    authz.allowFlow('a', { from: anyMesh, to: { app: 'Payments_API' }, ports: [8080] });
    authz.allowFlow('b', { from: anyMesh, to: { app: 'API' }, ports: [8080] });
    authz.allowFlow('c', { from: anyMesh, to: { 'app.kubernetes.io/name': 'n'.repeat(63), 'app.kubernetes.io/instance': 'i'.repeat(63) }, ports: [9090] });
    authz.allowFlow('d', { from: anyMesh, to: { app: `svc.${'v'.repeat(59)}` }, ports: [7070] });
    authz.allowFlow('e', { from: anyMesh, to: { app: 'api' }, ports: [8080] });
    const objects = synthValid(chart);
    const names = ofKind(objects, 'Server').map((s) => s.metadata.name);
    // Hashes: sha256 of 'app=Payments_API', 'app=API', 'app.kubernetes.io/instance=iii...,app.kubernetes.io/name=nnn...', 'app=svc.vvv...'.
    expect(names).toEqual([
      'payments-api-97961051e2-8080',
      'api-6ec85261e1-8080',
      `${'i'.repeat(47)}-da891549c6-9090`,
      `svc-${'v'.repeat(43)}-64f33fa700-7070`,
      'api-8080',
    ]);
    for (const name of names) expect(isDnsLabel(name)).toBe(true);
    expect(names[2]).toHaveLength(63);
  });

  test('deterministic: the same program twice, and the same labels in another order, give the same names', () => {
    const program = (to: Record<string, string>) => {
      const chart = linkerd();
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('a', { from: anyMesh, to, ports: [8080, 9090] });
      authz.allowFlow('b', { from: [MeshSource.serviceAccount('web')], to: { app: 'web' }, ports: [8080] });
      return synthValid(chart);
    };
    const first = program({ app: 'api', tier: 'x' });
    expect(program({ app: 'api', tier: 'x' })).toEqual(first);
    expect(servers(program({ tier: 'x', app: 'api' }))).toEqual(servers(first));
    expect(servers(first).map(([name]) => name)).toEqual(['api-x-23935eaf19-8080', 'api-x-23935eaf19-9090', 'web-8080']);
  });

  test('the analyzer pairs each AuthorizationPolicy with its own Server', () => {
    const chart = linkerd();
    const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    deployment(chart, 'shop', 'web', { app: 'web' }, 8080, 'web');
    deployment(chart, 'shop', 'batch', { app: 'batch' }, 8080, 'batch');
    deployment(chart, 'shop', 'api', { app: 'api', tier: 'x' }, 8080, 'api');
    deployment(chart, 'shop', 'apix', { app: 'api-x' }, 8080, 'apix');
    for (const from of ['web', 'batch']) {
      ns.allowFlow(`${from}-to-api`, { app: from }, { app: 'api', tier: 'x' }, [Port.tcp(8080)]);
      ns.allowFlow(`${from}-to-apix`, { app: from }, { app: 'api-x' }, [Port.tcp(8080)]);
    }
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web-to-api', { from: [MeshSource.serviceAccount('web')], to: { app: 'api', tier: 'x' }, ports: [8080] });
    authz.allowFlow('batch-to-apix', { from: [MeshSource.serviceAccount('batch')], to: { app: 'api-x' }, ports: [8080] });
    synthValid(chart);
    const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
    const check = (from: string, to: string) => {
      const result = reach.check(Target.workload('shop', from), Target.workload('shop', to), Port.tcp(8080));
      return [result.cniVerdict, result.meshVerdict, result.mesh!.decidingObjects];
    };
    expect(check('web', 'api')).toEqual([Verdict.ALLOW, Verdict.ALLOW, ['AuthorizationPolicy shop/web-to-api-8080']]);
    expect(check('batch', 'api')).toEqual([Verdict.ALLOW, Verdict.DENY, ['Server shop/api-x-23935eaf19-8080']]);
    expect(check('batch', 'apix')).toEqual([Verdict.ALLOW, Verdict.ALLOW, ['AuthorizationPolicy shop/batch-to-apix-8080']]);
    expect(check('web', 'apix')).toEqual([Verdict.ALLOW, Verdict.DENY, ['Server shop/api-x-8080']]);
  });
});

describe('MeshAuthorization: one intent, either mesh', () => {
  const flow = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };

  test('under Istio: allow-nothing + one ALLOW policy', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    new IstioMtls(chart, 'mtls');
    new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
    const objects = synthValid(chart);
    expect(ofKind(objects, 'AuthorizationPolicy').map((p) => `${p.apiVersion} ${p.metadata.name}`))
      .toEqual(['security.istio.io/v1 allow-nothing', 'security.istio.io/v1 web-to-api']);
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api').spec.rules)
      .toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });

  test('under Linkerd: Server + MeshTLSAuthentication + AuthorizationPolicy', () => {
    const chart = linkerd();
    const objects = new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
    expect(objects.map((o) => o.kind)).toEqual(['MeshTLSAuthentication', 'AuthorizationPolicy']);
    expect(ofKind(synthValid(chart), 'Server').map((s) => s.metadata.name)).toEqual(['api-8080']);
  });

  test.each([
    ['request conditions (Istio only)', { ...flow, when: [{ key: 'request.headers[x-env]', values: ['prod'] }] },
      "[test/authz] flow 'f'.when: request conditions do not render for every mesh: use IstioAuthorization for them"],
    ['a method no HTTPRoute can match (Linkerd could not render it)', { ...flow, methods: ['PURGE'] }, "[test/authz] flow 'f'.methods[0]: 'PURGE' is not a method an HTTPRoute can match"],
    ['a path with a query (Linkerd matches the path alone)', { ...flow, methods: ['GET'], paths: ['/search?q=x'] }, "[test/authz] flow 'f'.paths[0]: '/search?q=x': Linkerd matches the request path alone"],
    ['no ports', { from: flow.from, to: flow.to }, "[test/authz] flow 'f'.ports: name the ports"],
  ])('%s are refused, whichever mesh', (_what, options, message) => {
    expect(() => new MeshAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', options)).toThrow(message);
    const istio = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    new IstioMtls(istio, 'mtls');
    expect(() => new MeshAuthorization(istio, 'authz', { namespace: 'shop' }).allowFlow('f', options)).toThrow(message);
  });

  test('methods and paths under Linkerd: an HTTPRoute on the Server, the policy targets it', () => {
    const chart = linkerd();
    const objects = new MeshAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('web-reads-orders', { ...flow, methods: ['GET'], paths: ['/api/orders/*'] });
    expect(objects.map((o) => `${o.kind} ${o.name}`)).toEqual([
      'MeshTLSAuthentication web-reads-orders', 'AuthorizationPolicy web-reads-orders-8080', 'HTTPRoute web-reads-orders-8080',
    ]);
    const synthesized = synthValid(chart);
    // Istio's prefix `/api/orders/*` is every path that starts with `/api/orders/`: a whole-path
    // regular expression in Linkerd (a PathPrefix would also take `/api/orders`), never past a dot segment.
    expect(find(synthesized, 'HTTPRoute', 'web-reads-orders-8080', 'shop').spec.rules)
      .toEqual([{ matches: [{ path: { type: 'RegularExpression', value: regexAdmitting(['/api/orders/42'], ['/api/orders', '/api/orders/../../admin']) }, method: 'GET' }] }]);
    expect(find(synthesized, 'AuthorizationPolicy', 'web-reads-orders-8080', 'shop').spec.targetRef)
      .toEqual({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'web-reads-orders-8080' });
  });

  test('methods and paths under Istio: the ALLOW policy\'s operation', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    new IstioMtls(chart, 'mtls');
    new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads-orders', { ...flow, methods: ['GET'], paths: ['/api/orders/*'] });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'web-reads-orders').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
      to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/api/orders/*'] } }],
    }]);
  });

  test('selectors Linkerd Servers cannot take are refused under both meshes: none, or pods two selectors could share on a port', () => {
    const istio = () => {
      const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
      new IstioMtls(chart, 'mtls');
      return chart;
    };
    for (const [chart, site, server] of [[linkerd(), 'test/a/Linkerd', "Server 'api-8080'"], [istio(), 'test/a', "Linkerd's Server 'api-8080'"]] as const) {
      const a = new MeshAuthorization(chart, 'a', { namespace: 'shop' });
      expect(() => a.allowFlow('all-pods', { ...flow, to: {} }))
        .toThrow(`[${site}] flow 'all-pods'.to: a Server selects pods by labels: name the target pods (at least one label)`);
      a.allowFlow('web-to-api', flow);
      // The same pods share the Server; pods that exclude each other, or another port, get their own.
      a.allowFlow('batch-to-api', { ...flow, from: [MeshSource.serviceAccount('batch')] });
      a.allowFlow('web-to-db', { ...flow, to: { app: 'db' } });
      a.allowFlow('web-to-api-admin', { ...flow, ports: [9090], to: { app: 'api', tier: 'admin' } });
      expect(() => a.allowFlow('web-to-api-x', { ...flow, to: { app: 'api', tier: 'x' } }))
        .toThrow(`[${site}] flow 'web-to-api-x'.to: pods {"app":"api","tier":"x"} and the pods {"app":"api"} of ${server} can overlap on port 8080: `
          + 'Linkerd would pick one of the two Servers arbitrarily. Target the same labels, or labels that exclude each other');
      synthValid(chart);
    }
  });

  test('route-level flows whose requests overlap on one Server are refused under both meshes, with the same message', () => {
    const istio = () => {
      const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
      new IstioMtls(chart, 'mtls');
      return chart;
    };
    const admin = { ...flow, from: [MeshSource.serviceAccount('admin')], methods: ['GET', 'DELETE'], paths: ['/api/admin'] };
    const tail = ", e.g. GET /api/admin: Linkerd routes a request to one HTTPRoute only, so one flow's clients would be refused there. "
      + 'Make the requests disjoint, or authorize the shared ones in one flow';
    for (const [chart, site, server] of [[linkerd(), 'test/a/Linkerd', "Server 'api-8080'"], [istio(), 'test/a', "Linkerd's Server 'api-8080'"]] as const) {
      const a = new MeshAuthorization(chart, 'a', { namespace: 'shop' });
      a.allowFlow('reads', { ...flow, methods: ['GET'], paths: ['/api/*'] });
      // Disjoint requests on the same Server, and the same requests on another port or other pods, are fine.
      a.allowFlow('writes', { ...flow, methods: ['POST'], paths: ['/api/*'] });
      a.allowFlow('admin-9090', { ...admin, ports: [9090] });
      a.allowFlow('admin-web', { ...admin, to: { app: 'web' } });
      expect(() => a.allowFlow('admin', admin)).toThrow(`[${site}] flow 'admin': its requests (GET, DELETE /api/admin) overlap those of flow 'reads' `
        + `(GET /api/*) on ${server} (port 8080)${tail}`);
      synthValid(chart);
    }
    // Under Istio the refused flow emitted nothing: the four accepted ones and the baselines only.
    const chart = istio();
    const m = new MeshAuthorization(chart, 'a', { namespace: 'shop' });
    m.allowFlow('reads', { ...flow, methods: ['GET'], paths: ['/api/*'] });
    expect(() => m.allowFlow('admin', admin)).toThrow(/overlap those of flow 'reads'/);
    expect(ofKind(synthValid(chart), 'AuthorizationPolicy').map((p) => p.metadata.name)).toEqual(['allow-nothing', 'reads']);
  });

  test('methods and paths in Istio\'s ambient mode: refused (L7 needs a waypoint)', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    new IstioMtls(chart, 'mtls');
    expect(() => new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('f', { ...flow, methods: ['GET'] }))
      .toThrow(/HTTP methods, paths and request conditions need an L7 proxy; in ambient mode that is a waypoint/);
  });

  test.each([
    ['Istio', () => {
      const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
      new IstioMtls(chart, 'mtls');
      return chart;
    }],
    ['Linkerd', linkerd],
  ] as const)('two MeshAuthorizations in one namespace under %s: both flows, one baseline', (meshName, makeChart) => {
    const chart = makeChart();
    new MeshAuthorization(chart, 'web', { namespace: 'shop' }).allowFlow('web-to-api', flow);
    new MeshAuthorization(chart, 'batch', { namespace: 'shop' }).allowFlow('batch-to-api', { ...flow, from: [MeshSource.serviceAccount('batch')] });
    const policies = ofKind(synthValid(chart), 'AuthorizationPolicy').map((p) => p.metadata.name).sort();
    expect(policies).toEqual(meshName === 'Istio' ? ['allow-nothing', 'batch-to-api', 'web-to-api'] : ['batch-to-api-8080', 'web-to-api-8080']);
  });

  test('without a mesh: an error', () => {
    expect(() => new MeshAuthorization(meshChart(Cni.calico(), Mesh.none()), 'authz', { namespace: 'shop' }))
      .toThrow('[test/authz] mesh: MeshAuthorization needs a ClusterNetwork with mesh Mesh.istio({ mode }) or Mesh.linkerd()');
  });
});
