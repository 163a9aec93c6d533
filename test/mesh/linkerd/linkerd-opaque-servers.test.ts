/**
 * A LinkerdAuthorization Server's proxyProtocol follows the pods it selects. A Server's protocol
 * overrides the pods' `config.linkerd.io/opaque-ports` for the pods' proxies and for clients
 * resolving them (linkerd/linkerd2#6889; linkerd.io "TCP Proxying and Protocol Detection"), so a
 * Server left at `unknown` on a port the proxy injector made opaque (the pod's annotation, else its
 * namespace's, else the default `proxy.opaquePorts` 25,587,3306,4444,5432,6379,9300,11211 filtered by
 * the declared container ports: linkerd2 controller/proxy-injector) turns protocol detection back on,
 * and MySQL (server speaks first) stalls for the 10 s detection timeout. PolicyLint's
 * `linkerd-opaque-ports-one-side` reads the same rule from the manifests: both must agree.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Cni, LinkerdAuthorization, Mesh, MeshAuthorization, MeshSource } from '../../../src';
import { PolicyLint } from '../../../src/lint';
import { deployment, deploymentWith, meshChart, service } from '../../support/mesh';
import { find, synthValid } from '../../support/synth';

const OPAQUE = 'config.linkerd.io/opaque-ports';
const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));

/** The meshed Namespace object `shop` (plus `annotations`). */
function namespace(chart: Chart, annotations: Record<string, string> = {}): ApiObject {
  return new ApiObject(chart, 'ns-shop', {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', ...annotations } },
  });
}

function synthError(chart: Chart): string {
  try {
    synthValid(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

const oneSided = (objects: any[]) => PolicyLint.check(objects).filter((f) => f.rule === 'linkerd-opaque-ports-one-side');
const server = (labels: Record<string, string>, port: number, extra: Record<string, unknown> = {}) => ({
  podSelector: { matchLabels: labels }, port, ...extra, accessPolicy: 'deny',
});

describe('LinkerdAuthorization Servers follow the pods\' opaque ports', () => {
  test('a cdk8s-plus StatefulSet declaring containerPort 3306 (added after the flow): the Server is opaque, and PolicyLint agrees', () => {
    const chart = linkerd();
    namespace(chart);
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('api-to-mysql', { from: [MeshSource.serviceAccount('api')], to: { app: 'mysql' }, ports: [3306] });
    // Added after the flow: read at synth time. cdk8s-plus also gives it a headless Service on 3306 (the lint's other side).
    const mysql = new kplus.StatefulSet(chart, 'mysql', {
      metadata: { name: 'mysql', namespace: 'shop' },
      containers: [{ name: 'mysql', image: 'mysql:8.4', portNumber: 3306, securityContext: { ensureNonRoot: false } }],
    });
    mysql.podMetadata.addLabel('app', 'mysql');
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'mysql-3306', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'mysql-3306', namespace: 'shop' },
      spec: server({ app: 'mysql' }, 3306, { proxyProtocol: 'opaque' }),
    });
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.spec.ports)).toEqual([[expect.objectContaining({ port: 3306, targetPort: 3306 })]]);
    expect(oneSided(objects)).toEqual([]);
  });

  test('the same under MeshAuthorization, and an ApiObject StatefulSet: opaque; a port the pods do not declare is not', () => {
    const chart = linkerd();
    namespace(chart);
    new ApiObject(chart, 'db', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'mysql:8.4', ports: [{ containerPort: 3306 }] }] } },
      },
    });
    service(chart, 'shop', 'db', { app: 'db' }, 3306);
    new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('api-to-db', {
      from: [MeshSource.serviceAccount('api')], to: { app: 'db' }, ports: [3306, 5432],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'db-3306', 'shop').spec).toEqual(server({ app: 'db' }, 3306, { proxyProtocol: 'opaque' }));
    // 5432 is a default opaque port, but the pods do not declare it: the injector leaves it out.
    expect(find(objects, 'Server', 'db-5432', 'shop').spec).toEqual(server({ app: 'db' }, 5432));
    expect(oneSided(objects)).toEqual([]);
  });

  test('a namespace annotation config.linkerd.io/opaque-ports: "8080" makes 8080 opaque (and PolicyLint agrees)', () => {
    const chart = linkerd();
    namespace(chart, { [OPAQUE]: '8080' });
    deployment(chart, 'shop', 'broker', { app: 'broker' }, 8080);
    service(chart, 'shop', 'broker', { app: 'broker' }, 8080);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('clients', {
      from: [MeshSource.namespace('shop')], to: { app: 'broker' }, ports: [8080],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'broker-8080', 'shop').spec).toEqual(server({ app: 'broker' }, 8080, { proxyProtocol: 'opaque' }));
    expect(oneSided(objects)).toEqual([]);
  });

  test('a pod annotation replaces the default list: 3306 not listed is not opaque, while the unannotated MySQL beside it is', () => {
    const chart = linkerd();
    namespace(chart);
    const ports = { ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }] };
    deploymentWith(chart, 'shop', 'legacy', { app: 'legacy' }, ports);
    const legacy = deploymentWith(chart, 'shop', 'proxysql', { app: 'proxysql' }, ports);
    legacy.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { [OPAQUE]: '25' }));
    // Both sides say so: the Service of the annotated pods carries the same list.
    new ApiObject(chart, 'svc-proxysql', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'proxysql', namespace: 'shop', annotations: { [OPAQUE]: '25' } },
      spec: { selector: { app: 'proxysql' }, ports: [{ name: 'mysql', port: 3306, targetPort: 3306, protocol: 'TCP' }] },
    });
    service(chart, 'shop', 'legacy', { app: 'legacy' }, 3306);
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('to-legacy', { from: [MeshSource.serviceAccount('api')], to: { app: 'legacy' }, ports: [3306] });
    authz.allowFlow('to-proxysql', { from: [MeshSource.serviceAccount('api')], to: { app: 'proxysql' }, ports: [3306] });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'legacy-3306', 'shop').spec).toEqual(server({ app: 'legacy' }, 3306, { proxyProtocol: 'opaque' }));
    expect(find(objects, 'Server', 'proxysql-3306', 'shop').spec).toEqual(server({ app: 'proxysql' }, 3306));
    expect(oneSided(objects)).toEqual([]);
  });

  test('no selected workload in the app, or only unmeshed ones: no proxyProtocol, as before', () => {
    const chart = linkerd();
    namespace(chart);
    // Injection disabled on the pod template: no proxy, so its ports do not count.
    const db = deploymentWith(chart, 'shop', 'db', { app: 'db' }, { ports: [{ containerPort: 3306 }] });
    db.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { 'linkerd.io/inject': 'disabled' }));
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('to-db', { from: [MeshSource.anyMeshWorkload()], to: { app: 'db' }, ports: [3306] });
    authz.allowFlow('to-cache', { from: [MeshSource.anyMeshWorkload()], to: { app: 'cache' }, ports: [6379] });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'db-3306', 'shop').spec).toEqual(server({ app: 'db' }, 3306));
    expect(find(objects, 'Server', 'cache-6379', 'shop').spec).toEqual(server({ app: 'cache' }, 6379));
  });

  test('a workload added after a first synth counts in the next synth, and in the Server rendered alone (never the earlier decision)', () => {
    const chart = linkerd();
    namespace(chart);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('f', { from: [MeshSource.anyMeshWorkload()], to: { app: 'cache' }, ports: [6379] });
    expect(find(synthValid(chart), 'Server', 'cache-6379', 'shop').spec).toEqual(server({ app: 'cache' }, 6379));
    deployment(chart, 'shop', 'cache', { app: 'cache' }, 6379);
    const own = chart.node.findAll().filter(ApiObject.isApiObject).find((o) => o.kind === 'Server')!;
    expect(own.toJson().spec).toEqual(server({ app: 'cache' }, 6379, { proxyProtocol: 'opaque' }));
    expect(find(synthValid(chart), 'Server', 'cache-6379', 'shop').spec).toEqual(server({ app: 'cache' }, 6379, { proxyProtocol: 'opaque' }));
  });

  test('a change after a first synth that adds no construct (JSON patch, cdk8s-plus addContainer): the Server rendered alone reads it', () => {
    const chart = linkerd();
    namespace(chart);
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('to-web', { from: [MeshSource.anyMeshWorkload()], to: { app: 'web' }, ports: [8080] });
    authz.allowFlow('to-db', { from: [MeshSource.anyMeshWorkload()], to: { app: 'db' }, ports: [3306] });
    const web = deploymentWith(chart, 'shop', 'web', { app: 'web' }, { ports: [{ containerPort: 8080 }] });
    const db = new kplus.Deployment(chart, 'db', {
      metadata: { name: 'db', namespace: 'shop' },
      containers: [{ name: 'sidecar', image: 'registry.example/sidecar:1.0.0', portNumber: 9090, securityContext: { ensureNonRoot: false } }],
    });
    db.podMetadata.addLabel('app', 'db');
    const servers = () => chart.node.findAll().filter(ApiObject.isApiObject).filter((o) => o.kind === 'Server');
    let objects = synthValid(chart);
    expect(find(objects, 'Server', 'web-8080', 'shop').spec).toEqual(server({ app: 'web' }, 8080));
    expect(find(objects, 'Server', 'db-3306', 'shop').spec).toEqual(server({ app: 'db' }, 3306));
    // Neither change adds a construct: the tree's size is the same as at the first synth's validation.
    web.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { [OPAQUE]: '8080' }));
    db.addContainer({ name: 'mysql', image: 'mysql:8.4', portNumber: 3306, securityContext: { ensureNonRoot: false } });
    expect(servers().map((s) => [s.name, s.toJson().spec.proxyProtocol])).toEqual([['web-8080', 'opaque'], ['db-3306', 'opaque']]);
    objects = synthValid(chart);
    expect(find(objects, 'Server', 'web-8080', 'shop').spec).toEqual(server({ app: 'web' }, 8080, { proxyProtocol: 'opaque' }));
    expect(find(objects, 'Server', 'db-3306', 'shop').spec).toEqual(server({ app: 'db' }, 3306, { proxyProtocol: 'opaque' }));
  });

  test('an httpGet probe on an opaque Server\'s port: a synth error (no probe route), until a port-level flow from anyone admits it', () => {
    // Selenium's hub serves HTTP on 4444, in the default opaque list: the injector makes it opaque on pods declaring it.
    const build = (anyone: boolean) => {
      const chart = linkerd();
      namespace(chart);
      deploymentWith(chart, 'shop', 'hub', { app: 'hub' }, {
        ports: [{ containerPort: 4444 }], readinessProbe: { httpGet: { path: '/status', port: 4444 } },
      });
      const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('tests-to-hub', { from: [MeshSource.serviceAccount('tests')], to: { app: 'hub' }, ports: [4444] });
      if (anyone) authz.allowFlow('hub-probes', { from: [MeshSource.anyone()], to: { app: 'hub' }, ports: [4444] });
      return chart;
    };
    expect(synthError(build(false))).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] Server 'hub-4444' (namespace shop, port 4444) is opaque (Deployment shop/hub (test/deploy-shop-hub): Linkerd's proxy injector, "
      + 'which annotates the pod config.linkerd.io/opaque-ports: 4444 (the container ports it declares among the cluster default proxy.opaquePorts, '
      + "assumed to be the install default 25,587,3306,4444,5432,6379,9300,11211)), and an opaque Server carries no HTTP routes, so not Linkerd's "
      + "probe route either: the readinessProbe of container 'app' of Deployment shop/hub (test/deploy-shop-hub), GET /status on port 4444, is "
      + "admitted by no flow from MeshSource.anyone(), so its pods never become ready. Add allowFlow('hub-4444-probes', { from: [MeshSource.anyone()], "
      + 'to: { app: \'hub\' }, ports: [4444] }) (it lets any address open connections to this port), or, if the port speaks HTTP, remove 4444 from '
      + "config.linkerd.io/opaque-ports on those pods' template or namespace (write the annotation without it to override the default list), or "
      + 'move the probe to another port');
    const objects = synthValid(build(true));
    expect(find(objects, 'Server', 'hub-4444', 'shop').spec).toEqual(server({ app: 'hub' }, 4444, { proxyProtocol: 'opaque' }));
    expect(find(objects, 'AuthorizationPolicy', 'hub-probes-4444', 'shop').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'hub-4444' });
  });

  test('pods of one Server that disagree on the port: a synth error naming the flow, the Server, the port and both sides', () => {
    const chart = linkerd();
    namespace(chart);
    deploymentWith(chart, 'shop', 'mysql', { tier: 'db', app: 'mysql' }, { ports: [{ containerPort: 3306 }] });
    deploymentWith(chart, 'shop', 'vitess', { tier: 'db', app: 'vitess' }, { ports: [{ containerPort: 15991 }] });
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('api-to-db', {
      from: [MeshSource.serviceAccount('api')], to: { tier: 'db' }, ports: [3306],
    });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] flow 'api-to-db' (test/authz): Server 'db-8050d13c4e-3306' (namespace shop, port 3306) selects pods on which port 3306 is opaque "
      + '(Deployment shop/mysql (test/deploy-shop-mysql): Linkerd\'s proxy injector, which annotates the pod config.linkerd.io/opaque-ports: 3306 '
      + '(the container ports it declares among the cluster default proxy.opaquePorts, assumed to be the install default 25,587,3306,4444,5432,6379,'
      + '9300,11211)) and pods on which it is not (Deployment shop/vitess (test/deploy-shop-vitess): no config.linkerd.io/opaque-ports, and its '
      + 'containers declare none of the default opaque ports 25,587,3306,4444,5432,6379,9300,11211): one Server has one proxyProtocol, which '
      + "overrides the pods' config.linkerd.io/opaque-ports (linkerd/linkerd2#6889), so either side would change protocol. Give all of them the "
      + 'same config.linkerd.io/opaque-ports for port 3306 (annotate the pod templates or their namespace), or target labels that select only one side');
  });

  test('an opaque-ports list Linkerd cannot read on a selected pod: a synth error (its protocol is not known)', () => {
    const chart = linkerd();
    namespace(chart, { [OPAQUE]: 'mysql' });
    deployment(chart, 'shop', 'db', { app: 'db' }, 3306);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('f', { from: [MeshSource.anyMeshWorkload()], to: { app: 'db' }, ports: [3306] });
    expect(synthError(chart)).toContain("[test/authz] flow 'f' (test/authz): Server 'db-3306' (namespace shop, port 3306) selects Deployment shop/db "
      + "(test/deploy-shop-db), for whose pods whether port 3306 is opaque is not known: namespace shop annotates config.linkerd.io/opaque-ports 'mysql', "
      + "which is not a Linkerd port list ('mysql' is not a port (1-65535))");
  });

  test('a route-level flow on an opaque port: a synth error naming the flow, the port and what to change', () => {
    const chart = linkerd();
    namespace(chart);
    deployment(chart, 'shop', 'cache', { app: 'cache' }, 6379);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('reads', {
      from: [MeshSource.serviceAccount('api')], to: { app: 'cache' }, ports: [6379], methods: ['GET'], paths: ['/keys/*'],
    });
    expect(synthError(chart)).toBe('Validation failed with the following errors:\n  '
      + "[test/authz] flow 'reads' (test/authz) has methods or paths on port 6379, which is opaque on the pods Server 'cache-6379' selects "
      + "(Deployment shop/cache (test/deploy-shop-cache): Linkerd's proxy injector, which annotates the pod config.linkerd.io/opaque-ports: 6379 (the "
      + 'container ports it declares among the cluster default proxy.opaquePorts, assumed to be the install default 25,587,3306,4444,5432,6379,9300,'
      + '11211)): Linkerd applies no HTTP route on an opaque port, so its HTTPRoute and policy would never apply. If the port speaks HTTP, remove 6379 '
      + "from config.linkerd.io/opaque-ports on those pods' template or namespace (write the annotation without it to override the default list); "
      + 'otherwise drop methods and paths (a port-level flow), or pick another port');
  });
});
