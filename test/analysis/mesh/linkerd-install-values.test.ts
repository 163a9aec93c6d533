/**
 * The Linkerd installation's cluster-wide Helm values the analysis can be told (ReachabilityOptions
 * linkerdClusterNetworks, linkerdProbeNetworks, linkerdOpaquePorts) instead of assuming the install
 * defaults (linkerd2 pkg/charts/linkerd2 values_test.go: clusterNetworks
 * 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8, policyController.probeNetworks
 * [0.0.0.0/0, ::/0], proxy.opaquePorts 25,587,3306,4444,5432,6379,9300,11211):
 *
 * - `cluster-*` default policies admit clients in clusterNetworks (policy-controller defaults.rs
 *   `default_client_authz`: `config.networks`);
 * - the probe route admits probe GETs without authentication only from probeNetworks, and there is no
 *   probe route without probe networks (policy-controller inbound index `default_inbound_http_routes`);
 * - the proxy injector writes the declared ports among proxy.opaquePorts into the pod's
 *   config.linkerd.io/opaque-ports (controller/proxy-injector/webhook.go).
 */
import { ISTIO_SIDECAR, LINKERD, linkerd, meshReach, namespace, podWithIp, w, workload } from './support';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const ADMIN = Port.tcp(4191);
const MESHED = { 'linkerd.io/inject': 'enabled' };
const DENY_NS = [namespace('shop', {}, { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), namespace('legacy')];
const get = (path: string) => ({ method: 'GET', path });

/** shop/api with an httpGet readiness probe on /healthz at `port` (declared). */
function probedApi(port = 8080): any {
  const api = workload('shop', 'api', { ports: [port] });
  api.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/healthz', port } };
  return api;
}

const client = workload('legacy', 'client');
const NODE_CIDR = '192.168.10.0/24';
const NODE_IP = '192.168.10.5';
const POD_CIDR = '10.244.0.0/16';

describe('policyController.probeNetworks (linkerdProbeNetworks)', () => {
  const manifests = [...DENY_NS, client, probedApi()];
  const narrowed = () => meshReach(manifests, LINKERD, { linkerdProbeNetworks: [NODE_CIDR], nodeIp: NODE_IP, podCidrs: [POD_CIDR] });

  test('the manifests are valid', () => {
    expectValidManifests(manifests);
  });

  test('narrowed to the node CIDR: the node\'s probe GET is admitted, a pod\'s probe GET is judged by the default policy (deny)', () => {
    const r = narrowed();
    const node = r.checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz'));
    expect(node.verdict).toBe(Verdict.ALLOW);
    expect(node.mesh!.reasons).toEqual(['local-node -> shop/api TCP/8080 GET /healthz is a probe request: the pod\'s containers probe GET /healthz on '
      + 'port 8080 (httpGet liveness, readiness or startup probes), and Linkerd\'s policy controller authorizes such probe requests from '
      + 'policyController.probeNetworks (192.168.10.0/24), which hold the client, authenticated or not, where no HTTPRoute attaches to the port']);
    const pod = r.checkRequest(w('legacy/client'), w('shop/api'), HTTP, get('/healthz'));
    expect(pod.verdict).toBe(Verdict.DENY);
    expect(pod.mesh!.reasons).toEqual([
      'no Server describes port 8080 of shop/api: the default inbound policy deny (namespace shop annotation config.linkerd.io/default-inbound-policy) '
        + 'applies to legacy/client -> shop/api TCP/8080 GET /healthz (without a mesh identity (legacy/client is not in the mesh (no linkerd.io/inject '
        + 'annotation on namespace legacy or the pod template))): it admits no client',
      'the pod\'s containers probe GET /healthz on port 8080 (httpGet liveness, readiness or startup probes), but Linkerd\'s policy controller '
        + 'authorizes such probe requests only from policyController.probeNetworks (192.168.10.0/24), and the client is not in them',
    ]);
    // Without a request: the pod may send no request at all (no "allow, probe paths only").
    const flow = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect([flow.verdict, flow.l7Constraints]).toEqual([Verdict.DENY, []]);
  });

  test('the proxy\'s own /live and /ready on 4191 follow the same probe networks', () => {
    const r = narrowed();
    expect(r.checkRequest(Target.localNode(), w('shop/api'), ADMIN, get('/live')).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, get('/live')).verdict).toBe(Verdict.DENY);
  });

  test('a Server without HTTPRoutes carries the same probe route', () => {
    const server = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080 });
    expectValidManifests([server]);
    const r = meshReach([...manifests, server], LINKERD, { linkerdProbeNetworks: [NODE_CIDR], nodeIp: NODE_IP, podCidrs: [POD_CIDR] });
    expect(r.checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz')).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), HTTP, get('/healthz')).verdict).toBe(Verdict.DENY);
  });

  test('a client whose address may or may not be in the probe networks makes a probe request indeterminate, never admitted', () => {
    const r = meshReach(manifests, LINKERD, { linkerdProbeNetworks: [NODE_CIDR], nodeIp: NODE_IP });
    const probe = r.checkRequest(w('legacy/client'), w('shop/api'), HTTP, get('/healthz'));
    expect(probe.verdict).toBe(Verdict.INDETERMINATE);
    expect(probe.uncertainties).toEqual(['mesh: the pod\'s containers probe GET /healthz on port 8080 (httpGet liveness, readiness or startup probes), '
      + 'and Linkerd\'s policy controller authorizes such probe requests from policyController.probeNetworks (192.168.10.0/24), authenticated or not: '
      + 'whether the client is in them is not known: its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given '
      + '(ReachabilityOptions.podCidrs)']);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.INDETERMINATE);
    // Not a probe request: the default policy alone decides.
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), HTTP, get('/orders')).verdict).toBe(Verdict.DENY);
  });

  test('an empty list: no probe route at all, even for the node', () => {
    const r = meshReach(manifests, LINKERD, { linkerdProbeNetworks: [] });
    const node = r.checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz'));
    expect(node.verdict).toBe(Verdict.DENY);
    expect(node.mesh!.reasons[1]).toBe('the pod\'s containers probe GET /healthz on port 8080 (httpGet liveness, readiness or startup probes), but '
      + 'policyController.probeNetworks is empty, so Linkerd\'s policy controller adds no probe route');
  });

  test('not given: every client\'s probe GET is admitted, and the reason says the networks were assumed (unchanged behaviour)', () => {
    const r = meshReach(manifests, LINKERD, { podCidrs: [POD_CIDR] });
    const pod = r.checkRequest(w('legacy/client'), w('shop/api'), HTTP, get('/healthz'));
    expect(pod.verdict).toBe(Verdict.ALLOW);
    expect(pod.mesh!.reasons[0]).toContain('from policyController.probeNetworks (assumed to be the install default 0.0.0.0/0, ::/0), authenticated or not');
    const flow = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect([flow.verdict, flow.l7Constraints]).toEqual([Verdict.ALLOW, ['only GET /healthz (the pod\'s probe paths; other requests and non-HTTP '
      + 'connections are refused)']]);
    // The install default given explicitly decides alike.
    const explicit = meshReach(manifests, LINKERD, { podCidrs: [POD_CIDR], linkerdProbeNetworks: ['0.0.0.0/0', '::/0'] });
    expect(explicit.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

describe('clusterNetworks (linkerdClusterNetworks) for the cluster-* default policies', () => {
  const inside = podWithIp('legacy', 'inside', '10.244.1.2');
  const otherTen = podWithIp('legacy', 'other', '10.96.0.5');
  const far = podWithIp('legacy', 'far', '203.0.113.9');
  const manifests = [namespace('shop', {}, MESHED), namespace('legacy'), workload('shop', 'api'), inside, otherTen, far];

  test('the manifests are valid', () => {
    expectValidManifests(manifests);
  });

  test('given: only clients in those networks are admitted, whatever the install default would say', () => {
    const r = meshReach(manifests, LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated', linkerdClusterNetworks: [POD_CIDR, '203.0.113.0/24'] });
    expect(r.check(w('legacy/inside'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const other = r.check(w('legacy/other'), w('shop/api'), HTTP);
    expect(other.verdict).toBe(Verdict.DENY);
    expect(other.mesh!.reasons[0]).toMatch(/: the client is not in the cluster networks 10\.244\.0\.0\/16, 203\.0\.113\.0\/24$/);
    expect(r.check(w('legacy/far'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('not given: the install default, and the reason says it was assumed (unchanged verdicts)', () => {
    const r = meshReach(manifests, LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated' });
    const other = r.check(w('legacy/other'), w('shop/api'), HTTP);
    expect(other.verdict).toBe(Verdict.ALLOW);
    expect(other.mesh!.reasons[0]).toMatch(/: the client is in the cluster networks 10\.0\.0\.0\/8, 100\.64\.0\.0\/10, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, fd00::\/8 \(clusterNetworks, assumed to be Linkerd's install default\)$/);
    expect(r.check(w('legacy/far'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('a Server accessPolicy cluster-authenticated uses them too', () => {
    const server = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'cluster-authenticated' });
    const meshedClient = podWithIp('shop', 'web', '10.96.0.7');
    expectValidManifests([server, meshedClient]);
    const r = meshReach([...manifests, server, meshedClient], LINKERD, { linkerdClusterNetworks: [POD_CIDR] });
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(meshReach([...manifests, server, meshedClient], LINKERD).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

describe('proxy.opaquePorts (linkerdOpaquePorts)', () => {
  const REDIS = Port.tcp(6379);
  const probeOn = (api: any, port: Port, options: Record<string, unknown>) =>
    meshReach([...DENY_NS, api], LINKERD, options).checkRequest(Target.localNode(), w('shop/api'), port, get('/healthz'));

  test('the manifests are valid', () => {
    expectValidManifests([...DENY_NS, probedApi(), probedApi(6379)]);
  });

  test('a given port the pod declares is made opaque by the injector: its default server has no probe route', () => {
    const result = probeOn(probedApi(), HTTP, { linkerdOpaquePorts: '8080' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[1]).toBe('port 8080 of shop/api is opaque (Linkerd\'s proxy injector, which annotates the pod config.linkerd.io/opaque-ports: '
      + '8080 (the container ports it declares among the cluster default proxy.opaquePorts 8080)): its default server carries no probe route');
    // Not given, 8080 is not an install default opaque port: the probe route admits the node.
    expect(probeOn(probedApi(), HTTP, {}).verdict).toBe(Verdict.ALLOW);
  });

  test('an empty list: no default opaque port, so a Redis port keeps its probe route (the install default makes it opaque)', () => {
    expect(probeOn(probedApi(6379), REDIS, { linkerdOpaquePorts: '' }).verdict).toBe(Verdict.ALLOW);
    expect(probeOn(probedApi(6379), REDIS, {}).verdict).toBe(Verdict.DENY);
  });

  test('a declared port only a range covers: whether the injector writes it is not known, so the probe request is indeterminate', () => {
    const result = probeOn(probedApi(6379), REDIS, { linkerdOpaquePorts: '25,6000-6999' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: port 6379 of the destination may be opaque, and an opaque port\'s default server carries no probe route: '
      + 'the pod declares the port, and the cluster default proxy.opaquePorts 25,6000-6999 covers it only by an entry that is not one plain port: '
      + 'whether Linkerd\'s proxy injector writes it into the pod\'s config.linkerd.io/opaque-ports (making the port opaque) is not known (its filter '
      + 'of the default list by the declared container ports was not checked for such entries)']);
    // Where the probe route decides nothing (not a probe path), the verdict stays definite.
    expect(meshReach([...DENY_NS, probedApi(6379)], LINKERD, { linkerdOpaquePorts: '25,6000-6999' })
      .checkRequest(Target.localNode(), w('shop/api'), REDIS, get('/other')).verdict).toBe(Verdict.DENY);
  });
});

describe('bad values are refused at the edge, naming the option', () => {
  const manifests = [...DENY_NS, client];
  test.each([
    [{ linkerdClusterNetworks: [] }, 'options.linkerdClusterNetworks: must be a non-empty list of CIDRs, got []'],
    [{ linkerdClusterNetworks: ['10.0.0.1/8'] }, 'options.linkerdClusterNetworks[0]: \'10.0.0.1/8\' has host bits set; did you mean 10.0.0.0/8?'],
    [{ linkerdClusterNetworks: ['10.0.0.0/8', '::ffff:10.0.0.0/104'] },
      'options.linkerdClusterNetworks[1]: \'::ffff:10.0.0.0/104\' is an IPv4-mapped IPv6 block, which matches no IPv4 client in Linkerd: write 10.0.0.0/8'],
    [{ linkerdProbeNetworks: ['::ffff:192.168.0.0/112'] },
      'options.linkerdProbeNetworks[0]: \'::ffff:192.168.0.0/112\' is an IPv4-mapped IPv6 block, which matches no IPv4 client in Linkerd: write 192.168.0.0/16'],
    [{ linkerdProbeNetworks: '0.0.0.0/0' }, 'options.linkerdProbeNetworks: must be a list of CIDRs, got "0.0.0.0/0"'],
    [{ linkerdProbeNetworks: ['node-cidr'] }, 'options.linkerdProbeNetworks[0]: \'node-cidr\' is not a CIDR (expected address/prefix, e.g. 10.0.0.0/8)'],
    [{ linkerdOpaquePorts: 8080 }, 'options.linkerdOpaquePorts: must be a string of comma-separated ports and ranges a-b (e.g. \'25,3306,4000-4100\'), got 8080'],
    [{ linkerdOpaquePorts: '25,mysql' }, 'options.linkerdOpaquePorts: "25,mysql" is not a Linkerd port list (comma-separated ports 1-65535 and increasing '
      + 'ranges a-b, as linkerd2\'s policy controller reads proxy.opaquePorts): \'mysql\' is not a port (1-65535)'],
    [{ linkerdOpaquePorts: '4100-4000' }, 'options.linkerdOpaquePorts: "4100-4000" is not a Linkerd port list (comma-separated ports 1-65535 and '
      + 'increasing ranges a-b, as linkerd2\'s policy controller reads proxy.opaquePorts): \'4100-4000\' is not an increasing range'],
    [{ linkerdOpaquePorts: '0' }, 'options.linkerdOpaquePorts: "0" is not a Linkerd port list (comma-separated ports 1-65535 and increasing ranges a-b, '
      + 'as linkerd2\'s policy controller reads proxy.opaquePorts): \'0\' is not a port (1-65535)'],
  ])('%j', (options, message) => {
    expect(() => meshReach(manifests, LINKERD, options as any)).toThrow(`[Reachability.fromManifests] ${message}`);
  });

  test('a Linkerd installation value without a Linkerd mesh is refused, naming the option (it would change nothing)', () => {
    expect(() => meshReach(manifests, ISTIO_SIDECAR, { linkerdProbeNetworks: ['10.0.0.0/24'] })).toThrow('[Reachability.fromManifests] '
      + 'options.linkerdProbeNetworks: applies to a Linkerd mesh only, but options.mesh is Istio (sidecar): drop it, or analyze with mesh: Mesh.linkerd()');
    expect(() => meshReach(manifests, undefined, { linkerdDefaultInboundPolicy: 'deny' })).toThrow('[Reachability.fromManifests] '
      + 'options.linkerdDefaultInboundPolicy: applies to a Linkerd mesh only, but options.mesh is not given: drop it, or analyze with mesh: Mesh.linkerd()');
  });

  test('Linkerd\'s own lenient forms are accepted: blanks around entries, empty entries, a leading +', () => {
    const r = meshReach([...DENY_NS, probedApi(6379)], LINKERD, { linkerdOpaquePorts: ' 25, ,+3306,' });
    expect(r.checkRequest(Target.localNode(), w('shop/api'), Port.tcp(6379), get('/healthz')).verdict).toBe(Verdict.ALLOW);
  });
});
