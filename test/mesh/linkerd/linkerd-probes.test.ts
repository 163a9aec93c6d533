/**
 * Kubelet HTTP probes on a LinkerdAuthorization Server that has HTTPRoutes. linkerd2's policy
 * controller (`inbound/index.rs` `http_routes`, `default_inbound_http_routes`; `pod.rs`
 * `pod_http_probes`): a Server without routes has a probe route, `GET` + `Exact` path per httpGet
 * liveness/readiness/startup probe of the pods' containers on that port (a port number, or a TCP
 * port name of the same container; path `/` when none), authorized for unauthenticated clients from
 * the probe networks (default every address). Once an HTTPRoute has the Server as parent, only the
 * routes remain (linkerd.io "Configuring Per-Route Authorization Policy": the service becomes
 * unready). So adding a route-level flow must not silently take the pods down: synthesis fails,
 * naming the flow to add, and nothing is authorized behind the user's back.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Cni, LinkerdAuthorization, Mesh, MeshSource, Port, Reachability, Target, ThreeTierApp, Verdict } from '../../../src';
import { deploymentWith, meshChart, SHOP_TIERS } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
const TIERS = SHOP_TIERS;
const BACKEND = { 'app.kubernetes.io/component': 'backend' };

/** A Deployment ApiObject with one container `app` (ports as given) and the given probes. */
function workload(chart: Chart, name: string, labels: Record<string, string>, container: Record<string, unknown>, namespace = 'shop'): ApiObject {
  return deploymentWith(chart, namespace, name, labels, container);
}
const HTTP_8080 = { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] };
const readiness = (port: number | string, path?: string) => ({ readinessProbe: { httpGet: { port, ...(path !== undefined ? { path } : {}) } } });
const routeFlow = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/api/*'] };

function synthError(chart: Chart): string {
  try {
    synthValid(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

describe('kubelet probes on a routed Linkerd Server', () => {
  test('a ThreeTierApp backend (cdk8s-plus-27 Deployment, httpGet /healthz on the port): the error names the Server, workload, probes and the flow to add', () => {
    const chart = linkerd();
    // The app's own tier authorization (a Server on the backend port for its full tier labels) would overlap this one's.
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', mesh: {}, meshTierAuthorization: false, ...TIERS });
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    const { routes } = authz.allowFlow('web-reads', { from: [MeshSource.serviceAccount('shop-frontend')], to: BACKEND, ports: [8080], methods: ['GET'], paths: ['/api/*'] });
    const server = routes[0].toJson().spec.parentRefs[0].name;
    expect(server).toMatch(/^backend-[0-9a-f]{10}-8080$/);
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + `[test/authz] Server '${server}' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the livenessProbe and `
      + "readinessProbe of container 'backend' of Deployment shop/shop-backend (test/shop/Backend/Deployment/Resource), GET /healthz on port 8080, "
      + 'is admitted by no flow from MeshSource.anyone(), so the kubelet restarts the container again and again and its pods never become ready. '
      + `Add allowFlow('${server}-probes', { from: [MeshSource.anyone()], to: { 'app.kubernetes.io/component': 'backend' }, ports: [8080], `
      + "methods: ['GET'], paths: ['/healthz'] }) (it lets any address GET exactly that path on this port, as Linkerd's probe route did), "
      + 'or move the probe to a port without route-level flows');
  });

  test('with the suggested flow: synthesizes, and the analyzer admits the kubelet GET of the probe path only', () => {
    const chart = linkerd();
    // The app's own tier authorization (a Server on the backend port for its full tier labels) would overlap this one's.
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', mesh: {}, meshTierAuthorization: false, ...TIERS });
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    const { routes } = authz.allowFlow('web-reads', { from: [MeshSource.serviceAccount('shop-frontend')], to: BACKEND, ports: [8080], methods: ['GET'], paths: ['/api/*'] });
    const server = routes[0].toJson().spec.parentRefs[0].name;
    authz.allowFlow(`${server}-probes`, { from: [MeshSource.anyone()], to: BACKEND, ports: [8080], methods: ['GET'], paths: ['/healthz'] });
    const objects = synthValid(chart);
    expect(find(objects, 'HTTPRoute', `${server}-probes-8080`, 'shop').spec.rules).toEqual([{ matches: [{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }] }]);
    expect(find(objects, 'AuthorizationPolicy', `${server}-probes-8080`, 'shop').spec.requiredAuthenticationRefs)
      .toEqual([{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: `${server}-probes` }]);

    // The kubelet probes from the pod's node; the NetworkAuthentication matches it by address.
    const reach = Reachability.fromChart(chart, { cni: Cni.calico(), nodeIp: '192.168.10.7' });
    const backend = Target.workload('shop', 'shop-backend');
    const kubelet = (method: string, path: string) => reach.checkRequest(Target.localNode(), backend, Port.tcp(8080), { method, path });
    const probe = kubelet('GET', '/healthz');
    expect([probe.meshVerdict, probe.mesh!.decidingObjects]).toEqual([Verdict.ALLOW, [`AuthorizationPolicy shop/${server}-probes-8080`]]);
    for (const [method, path] of [['GET', '/api/orders'], ['GET', '/metrics'], ['POST', '/healthz'], ['GET', '/healthz/x']]) {
      expect([method, path, kubelet(method, path).meshVerdict]).toEqual([method, path, Verdict.DENY]);
    }
  });

  test('a plain Deployment added after the flow: named container port resolved, default path /, the other probe kinds too', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    workload(chart, 'api', { app: 'api', tier: 'api' }, { ...HTTP_8080, ...readiness('http'), startupProbe: { httpGet: { port: 8080, path: '/started?full=1' } } });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the readinessProbe of "
      + "container 'app' of Deployment shop/api (test/deploy-shop-api), GET / on port 8080, is admitted by no flow from MeshSource.anyone(), so its "
      + "pods never become ready. Add allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET'], "
      + "paths: ['/', '/started'] }) (it lets any address GET exactly those paths on this port, as Linkerd's probe route did), or move the probe to a "
      + 'port without route-level flows\n  '
      + "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the startupProbe of "
      + "container 'app' of Deployment shop/api (test/deploy-shop-api), GET /started on port 8080, is admitted by no flow from MeshSource.anyone(), so "
      + "the container never counts as started and is restarted. Add allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, "
      + "ports: [8080], methods: ['GET'], paths: ['/', '/started'] }) (it lets any address GET exactly those paths on this port, as Linkerd's probe "
      + 'route did), or move the probe to a port without route-level flows');
  });

  test('a probe naming a UDP port of its container: the kubelet resolves the name whatever the protocol and GETs that number over TCP (pkg/probe ResolveContainerPort)', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    const ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'probe', containerPort: 8080, protocol: 'UDP' }];
    workload(chart, 'api', { app: 'api' }, { ports, ...readiness('probe', '/healthz') });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the readinessProbe of "
      + "container 'app' of Deployment shop/api (test/deploy-shop-api), GET /healthz on port 8080, is admitted by no flow from MeshSource.anyone(), so "
      + "its pods never become ready. Add allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], "
      + "methods: ['GET'], paths: ['/healthz'] }) (it lets any address GET exactly that path on this port, as Linkerd's probe route did), "
      + 'or move the probe to a port without route-level flows');
    // A name that differs from the port's only in case is no port to the kubelet: it sends no probe, so there is nothing to refuse.
    const cased = linkerd();
    new LinkerdAuthorization(cased, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    workload(cased, 'api', { app: 'api' }, { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], ...readiness('HTTP', '/healthz') });
    expect(() => synthValid(cased)).not.toThrow();
  });

  test('a probe path without a leading / is the request the kubelet sends (GET /healthz): the suggested flow is accepted and fixes it', () => {
    const build = () => {
      const chart = linkerd();
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('web-reads', routeFlow);
      workload(chart, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, 'healthz?verbose=1') });
      return { chart, authz };
    };
    const { chart } = build();
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the readinessProbe of "
      + "container 'app' of Deployment shop/api (test/deploy-shop-api), GET /healthz on port 8080, is admitted by no flow from MeshSource.anyone(), so "
      + "its pods never become ready. Add allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], "
      + "methods: ['GET'], paths: ['/healthz'] }) (it lets any address GET exactly that path on this port, as Linkerd's probe route did), "
      + 'or move the probe to a port without route-level flows');
    // The suggestion, as written: accepted, and the probe is admitted.
    const fixed = build();
    fixed.authz.allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/healthz'] });
    expect(find(synthValid(fixed.chart), 'HTTPRoute', 'api-8080-probes-8080', 'shop').spec.rules)
      .toEqual([{ matches: [{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }] }]);
    // Without the slash, the path the kubelet requests falls under another flow's requests: that flow is named.
    const taken = linkerd();
    new LinkerdAuthorization(taken, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    workload(taken, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, 'api/health') });
    expect(synthError(taken)).toContain("GET /api/health on port 8080, goes to the HTTPRoute of flow 'web-reads' (GET /api/*)");
  });

  test('a Pod, and a probe path that another route-level flow takes: that flow is named, no flow that would overlap it is suggested', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    new ApiObject(chart, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-0', namespace: 'shop', labels: { app: 'api' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ...HTTP_8080, livenessProbe: { httpGet: { port: 8080, path: '/api/health' } } }] },
    });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the livenessProbe of "
      + "container 'app' of Pod shop/api-0 (test/pod), GET /api/health on port 8080, goes to the HTTPRoute of flow 'web-reads' (GET /api/*), which "
      + 'does not admit unauthenticated clients, so the kubelet restarts the container again and again. Move the probe to a path outside that '
      + "flow's requests and authorize it with a flow from MeshSource.anyone() with methods: ['GET'] and paths: ['<that path>'], or move it to a "
      + 'port without route-level flows');
  });

  test('probes the flows admit for unauthenticated clients: a route-level flow covering GET of the path, or a port-level flow from anyone', () => {
    const covered = linkerd();
    const a = new LinkerdAuthorization(covered, 'authz', { namespace: 'shop' });
    a.allowFlow('web-reads', routeFlow);
    a.allowFlow('probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET', 'HEAD'], paths: ['/health/*'] });
    workload(covered, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/health/ready'), livenessProbe: { httpGet: { port: 'http', path: '/health/live' } } });
    expect(ofKind(synthValid(covered), 'HTTPRoute').map((r) => r.metadata.name).sort()).toEqual(['api-8080-catch-all', 'probes-8080', 'web-reads-8080']);

    const portLevel = linkerd();
    const b = new LinkerdAuthorization(portLevel, 'authz', { namespace: 'shop' });
    b.allowFlow('public', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080] });
    b.allowFlow('web-reads', routeFlow);
    workload(portLevel, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/healthz') });
    expect(() => synthValid(portLevel)).not.toThrow();

    // A route-level flow from anyone for another method or path does not cover the probe.
    const other = linkerd();
    const c = new LinkerdAuthorization(other, 'authz', { namespace: 'shop' });
    c.allowFlow('web-reads', routeFlow);
    c.allowFlow('hooks', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['POST'], paths: ['/healthz'] });
    workload(other, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/healthz') });
    expect(synthError(other)).toContain("the readinessProbe of container 'app' of Deployment shop/api (test/deploy-shop-api), GET /healthz on port 8080, "
      + 'is admitted by no flow from MeshSource.anyone()');

    // Nor does a prefix flow for a probe path with a dot segment: its HTTPRoute never admits one.
    const dotted = linkerd();
    const d = new LinkerdAuthorization(dotted, 'authz', { namespace: 'shop' });
    d.allowFlow('web-reads', routeFlow);
    d.allowFlow('probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/health/*'] });
    workload(dotted, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/health/../ready') });
    expect(synthError(dotted)).toContain("the readinessProbe of container 'app' of Deployment shop/api (test/deploy-shop-api), GET /health/../ready on port 8080, ");
  });

  test('no error: probes on another port, tcpSocket/exec/HTTPS probes, unselected or other-namespace pods, a name of another container, a Server without routes', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads', routeFlow);
    workload(chart, 'other-port', { app: 'api', v: '1' }, { ports: [{ name: 'admin', containerPort: 9090 }], ...readiness('admin', '/healthz'), startupProbe: { httpGet: { port: 9090 } } });
    workload(chart, 'tcp-exec', { app: 'api', v: '2' }, {
      ...HTTP_8080, readinessProbe: { tcpSocket: { port: 8080 } }, livenessProbe: { exec: { command: ['true'] } }, startupProbe: { httpGet: { port: 8080, scheme: 'HTTPS' } },
    });
    workload(chart, 'unselected', { app: 'web' }, { ...HTTP_8080, ...readiness(8080, '/healthz') });
    workload(chart, 'elsewhere', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/healthz') }, 'other');
    // The kubelet resolves a probe's port name in its own container only (a UDP port of that name counts: see the test above).
    new ApiObject(chart, 'sts', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'two', namespace: 'shop' },
      spec: {
        serviceName: 'two',
        selector: { matchLabels: { app: 'api', v: '3' } },
        template: {
          metadata: { labels: { app: 'api', v: '3' } },
          spec: {
            containers: [
              { name: 'a', image: 'registry.example/a:1.0.0', ...readiness('http', '/healthz') },
              { name: 'b', image: 'registry.example/b:1.0.0', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
            ],
          },
        },
      },
    });
    expect(() => synthValid(chart)).not.toThrow();

    // The same probe on a Server that has only port-level flows: Linkerd's probe route still admits it.
    const portOnly = linkerd();
    new LinkerdAuthorization(portOnly, 'authz', { namespace: 'shop' }).allowFlow('web', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] });
    workload(portOnly, 'api', { app: 'api' }, { ...HTTP_8080, ...readiness(8080, '/healthz') });
    expect(() => synthValid(portOnly)).not.toThrow();
  });
  test('probe paths no flow can name exactly (a dot segment, a *) get no suggested flow; the plain path beside them does', () => {
    const build = (withFlow: boolean) => {
      const chart = linkerd();
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('web-reads', routeFlow);
      workload(chart, 'api', { app: 'api' }, {
        ...HTTP_8080,
        livenessProbe: { httpGet: { port: 8080, path: '/health/../live' } },
        readinessProbe: { httpGet: { port: 8080, path: '/ready*' } },
        startupProbe: { httpGet: { port: 8080, path: '/started' } },
      });
      if (withFlow) authz.allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/started'] });
      return chart;
    };
    const head = "[test/authz] Server 'api-8080' (namespace shop, port 8080) has HTTPRoutes, so Linkerd's own probe route is gone: the ";
    const container = "of container 'app' of Deployment shop/api (test/deploy-shop-api)";
    const unnamable = (probe: string, path: string, consequence: string, reason: string) => `${head}${probe} ${container}, GET ${path} on port 8080, `
      + `is admitted by no flow from MeshSource.anyone(), so ${consequence}. No route-level flow can admit it: the path ${reason}. Give the probe a `
      + "plain path and authorize that path with a flow from MeshSource.anyone() with methods: ['GET'], or move the probe to a port without route-level flows";
    const dotSegment = unnamable('livenessProbe', '/health/../live', 'the kubelet restarts the container again and again',
      'holds a dot segment (`.` or `..`), which Istio resolves before matching and Linkerd does not');
    const star = unnamable('readinessProbe', '/ready*', 'its pods never become ready', 'holds a `*` or whitespace, which a mesh path cannot name exactly');
    expect(synthError(build(false))).toBe('Validation failed with the following errors:\n  '
      + `${dotSegment}\n  ${star}\n  `
      + `${head}startupProbe ${container}, GET /started on port 8080, is admitted by no flow from MeshSource.anyone(), so the container never counts as `
      + "started and is restarted. Add allowFlow('api-8080-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], methods: ['GET'], "
      + "paths: ['/started'] }) (it lets any address GET exactly that path on this port, as Linkerd's probe route did), or move the probe to a port "
      + 'without route-level flows');
    // The suggested flow is accepted and fixes its probe; the other two stay refused, as they are on the cluster.
    expect(synthError(build(true))).toBe(`Validation failed with the following errors:\n  ${dotSegment}\n  ${star}`);
  });

  // The proxy Linkerd injects probes GET /live and /ready on its admin port 4191 (linkerd2 proxy container
  // template; policy-controller pod_http_probes reads every container): a route-level scrape flow on 4191
  // takes their probe route away, and the catch-all route admits nobody. Found reviewing the admin-port lint.
  test('a route-level flow on the proxy admin port 4191: the injected proxy\'s /live and /ready are named, and the suggested flow fixes them', () => {
    const build = (withProbes: boolean) => {
      const chart = linkerd();
      workload(chart, 'api', { app: 'api' }, HTTP_8080);
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, ports: [4191], methods: ['GET'], paths: ['/metrics'] });
      if (withProbes) authz.allowFlow('api-4191-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [4191], methods: ['GET'], paths: ['/live', '/ready'] });
      return chart;
    };
    const proxy = "of container 'linkerd-proxy' of every meshed pod the Server selects (Linkerd injects that container; these manifests do not show it)";
    const fix = "Add allowFlow('api-4191-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [4191], methods: ['GET'], paths: ['/live', '/ready'] }) "
      + "(it lets any address GET exactly those paths on this port, as Linkerd's probe route did), or move the probe to a port without route-level flows";
    const head = "[test/authz] Server 'api-4191' (namespace shop, port 4191) has HTTPRoutes, so Linkerd's own probe route is gone: the ";
    expect(synthError(build(false))).toBe('Validation failed with the following errors:\n  '
      + `${head}livenessProbe ${proxy}, GET /live on port 4191, is admitted by no flow from MeshSource.anyone(), so the kubelet restarts the container `
      + `again and again. ${fix}\n  `
      + `${head}readinessProbe ${proxy}, GET /ready on port 4191, is admitted by no flow from MeshSource.anyone(), so its pods never become ready. ${fix}`);
    const objects = synthValid(build(true));
    expect(find(objects, 'HTTPRoute', 'api-4191-probes-4191', 'shop').spec.rules).toEqual([{
      matches: [{ path: { type: 'Exact', value: '/live' }, method: 'GET' }, { path: { type: 'Exact', value: '/ready' }, method: 'GET' }],
    }]);
  });

  // config.linkerd.io/admin-port moves the proxy's admin listener and its probes (linkerd.io proxy configuration reference): a
  // route-level flow on the moved port takes their probe route away just as on 4191.
  test('a route-level flow on an admin port moved by config.linkerd.io/admin-port: the proxy\'s /live and /ready of that workload are named', () => {
    const build = (withProbes: boolean) => {
      const chart = linkerd();
      new ApiObject(chart, 'deploy-shop-api', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
        spec: {
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' }, annotations: { 'config.linkerd.io/admin-port': '9990' } },
            spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ...HTTP_8080 }] },
          },
        },
      });
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/metrics'] });
      if (withProbes) authz.allowFlow('api-9990-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/live', '/ready'] });
      return chart;
    };
    const proxy = "of container 'linkerd-proxy' of Deployment shop/api (test/deploy-shop-api; its proxy's admin port, config.linkerd.io/admin-port)";
    const fix = "Add allowFlow('api-9990-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/live', '/ready'] }) "
      + "(it lets any address GET exactly those paths on this port, as Linkerd's probe route did), or move the probe to a port without route-level flows";
    const head = "[test/authz] Server 'api-9990' (namespace shop, port 9990) has HTTPRoutes, so Linkerd's own probe route is gone: the ";
    expect(synthError(build(false))).toBe('Validation failed with the following errors:\n  '
      + `${head}livenessProbe ${proxy}, GET /live on port 9990, is admitted by no flow from MeshSource.anyone(), so the kubelet restarts the container `
      + `again and again. ${fix}\n  `
      + `${head}readinessProbe ${proxy}, GET /ready on port 9990, is admitted by no flow from MeshSource.anyone(), so its pods never become ready. ${fix}`);
    expect(find(synthValid(build(true)), 'HTTPRoute', 'api-9990-probes-9990', 'shop').spec.rules).toEqual([{
      matches: [{ path: { type: 'Exact', value: '/live' }, method: 'GET' }, { path: { type: 'Exact', value: '/ready' }, method: 'GET' }],
    }]);
  });

  test('a port-level flow on 4191 keeps Linkerd\'s probe route (no HTTPRoute): synthesizes as before', () => {
    const chart = linkerd();
    workload(chart, 'api', { app: 'api' }, HTTP_8080);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, ports: [4191] });
    expect(ofKind(synthValid(chart), 'HTTPRoute')).toEqual([]);
  });
});

// config.linkerd.io/admin-port as Linkerd's proxy injector reads it (linkerd/linkerd2 pkg/inject/config_override.go
// `applyAnnotationOverrides`: strconv.ParseInt of the pod's value, the default 4191 on a parse error; the namespace's value
// reaches the pod only when the pod has no value at all, `AppendNamespaceAnnotations`), the same reading as the analyzer and the lint.
describe('the proxy admin port of a selected workload, as the injector reads config.linkerd.io/admin-port', () => {
  const scrape = { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, methods: ['GET'], paths: ['/metrics'] };
  const annotated = (chart: Chart, value: string) => new ApiObject(chart, 'deploy-shop-api', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' }, annotations: { 'config.linkerd.io/admin-port': value } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ...HTTP_8080 }] },
      },
    },
  });

  test('a pod value that is no number leaves the proxy on 4191, not on the namespace\'s port: a route-level flow on that port synthesizes', () => {
    const chart = linkerd();
    new ApiObject(chart, 'ns-shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'config.linkerd.io/admin-port': '9990' } } });
    annotated(chart, 'admin');
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('scrape', { ...scrape, ports: [9990] });
    expect(find(synthValid(chart), 'HTTPRoute', 'scrape-9990', 'shop').spec.rules).toEqual([{ matches: [{ path: { type: 'Exact', value: '/metrics' }, method: 'GET' }] }]);
  });

  test('an admin port no port can be (70000): refused, naming the Server, the workload and the annotation', () => {
    const chart = linkerd();
    annotated(chart, '70000');
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('api', { ...scrape, from: [MeshSource.serviceAccount('web')], ports: [8080] });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  [test/authz] Server \'api-8080\' (namespace shop, port 8080) selects '
      + 'Deployment shop/api (test/deploy-shop-api), whose Linkerd proxy admin port is not known, so whether its proxy\'s probes are on this port cannot be '
      + "checked: config.linkerd.io/admin-port '70000' (on the pod template) makes the injected proxy's admin container port 70000, which the API server "
      + 'refuses (a port is 1-65535): the pods are not created. Give config.linkerd.io/admin-port a port number from 1 to 65535');
  });
});

// A template that already carries a proxy is skipped by Linkerd's injector (linkerd/linkerd2 pkg/inject/report.go `Injectable`,
// "pod has a sidecar injected already"; pkg/healthcheck/sidecar.go `HasExistingSidecars`): its config.linkerd.io/admin-port moves
// no probe, and a proxy it carries shows its own probes (src/util/linkerd-existing-sidecar.ts).
describe('the proxy admin port of a selected workload that already carries a proxy', () => {
  // What `linkerd inject --manual` leaves in a template with config.linkerd.io/admin-port 9990 (the parts read here).
  const MANUAL_PROXY = {
    name: 'linkerd-proxy',
    image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3',
    ports: [{ name: 'linkerd-proxy', containerPort: 4143 }, { name: 'linkerd-admin', containerPort: 9990 }],
    livenessProbe: { httpGet: { port: 9990, path: '/live' } },
    readinessProbe: { httpGet: { port: 9990, path: '/ready' } },
  };
  const deployment = (chart: Chart, adminPort: string, sidecar: Record<string, unknown>) => new ApiObject(chart, 'deploy-shop-api', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' }, annotations: { 'config.linkerd.io/admin-port': adminPort } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ...HTTP_8080 }, sidecar] },
      },
    },
  });

  test('a manually injected proxy on 9990: its own /live and /ready are named once each, not again as the injector\'s (were four errors)', () => {
    const build = (withProbes: boolean) => {
      const chart = linkerd();
      deployment(chart, '9990', MANUAL_PROXY);
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/metrics'] });
      if (withProbes) authz.allowFlow('api-9990-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/live', '/ready'] });
      return chart;
    };
    const proxy = "of container 'linkerd-proxy' of Deployment shop/api (test/deploy-shop-api)";
    const fix = "Add allowFlow('api-9990-probes', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [9990], methods: ['GET'], paths: ['/live', '/ready'] }) "
      + "(it lets any address GET exactly those paths on this port, as Linkerd's probe route did), or move the probe to a port without route-level flows";
    const head = "[test/authz] Server 'api-9990' (namespace shop, port 9990) has HTTPRoutes, so Linkerd's own probe route is gone: the ";
    expect(synthError(build(false))).toBe('Validation failed with the following errors:\n  '
      + `${head}livenessProbe ${proxy}, GET /live on port 9990, is admitted by no flow from MeshSource.anyone(), so the kubelet restarts the container `
      + `again and again. ${fix}\n  `
      + `${head}readinessProbe ${proxy}, GET /ready on port 9990, is admitted by no flow from MeshSource.anyone(), so its pods never become ready. ${fix}`);
    // The suggested flow fixes both; the manifests (the proxy container included) validate.
    expect(find(synthValid(build(true)), 'Deployment', 'api', 'shop').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app', 'linkerd-proxy']);
  });

  test('an Istio sidecar: Linkerd injects no proxy, so an admin port no port can be refuses nothing (was an error)', () => {
    const chart = linkerd();
    deployment(chart, '70000', { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' });
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('api', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/metrics'] });
    expect(find(synthValid(chart), 'HTTPRoute', 'api-8080', 'shop').spec.rules).toEqual([{ matches: [{ path: { type: 'Exact', value: '/metrics' }, method: 'GET' }] }]);
  });
});
