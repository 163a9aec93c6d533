/**
 * Where a Sidecar resource or the interception mode changes whether a connection passes the proxies
 * as modelled (upstream sources in src/analysis/mesh/istio-sidecar-egress.ts and
 * istio-interception.ts): a client whose Sidecar egress hosts do not import the destination's Service
 * sends it through the PassthroughCluster without mutual TLS (ALLOW_ANY) or drops it (REGISTRY_ONLY);
 * a pod annotated sidecar.istio.io/interceptionMode=NONE has no traffic redirected to its sidecar.
 * Those flows are indeterminate, never a confident allow.
 */
import { ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, service, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const PORT = Port.tcp(8080);
const API_SERVICE = service('shop', 'api', 'api', [{ name: 'http', port: 8080 }]);
const sidecar = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace: ns }, spec });

function reach(...objects: any[]) {
  const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'api'),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), ...objects];
  expectValidManifests(all);
  return meshReach(all, ISTIO_SIDECAR);
}

describe('the client\'s Sidecar egress hosts', () => {
  const NOT_IMPORTED = 'Sidecar shop/default applies to shop/web, and its egress hosts import no Service carrying shop/api port 8080 (Service shop/api): '
    + "to shop/web's sidecar that destination is unknown; with the outbound traffic policy ALLOW_ANY (the meshConfig default; not in the manifests), "
    + "REGISTRY_ONLY blocks it instead, so it leaves through the PassthroughCluster without the mesh's mutual TLS";
  const ISTIO_ONLY = sidecar('shop', 'default', { egress: [{ hosts: ['istio-system/*'] }] });

  test('hosts that do not import the destination\'s Service: plaintext or blocked; under PERMISSIVE the two differ, so indeterminate', () => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'api'), workload('shop', 'web'),
      API_SERVICE, ISTIO_ONLY];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`mesh: ${NOT_IMPORTED}`]);
    expect(result.mesh!.reasons).toContain("shop/web's sidecar drops the connection (BlackHoleCluster)");
  });

  test('hosts that do not import it under STRICT: plaintext is refused and blocked is blocked, so exactly denied (not the mTLS allow)', () => {
    const result = reach(workload('shop', 'web'), API_SERVICE, ISTIO_ONLY).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.mesh!.reasons).toEqual([
      NOT_IMPORTED,
      'PeerAuthentication istio-system/default (mesh-wide) sets STRICT: mutual TLS is required on shop/api port 8080, and shop/web connects in '
        + "plaintext, so its principal and namespace are empty (shop/web's sidecar sends it through the PassthroughCluster)",
      "shop/web's sidecar drops the connection (BlackHoleCluster)",
    ]);
  });

  test('./* (the workload\'s namespace) imports it: exact, as without the Sidecar', () => {
    const r = reach(workload('shop', 'web'), API_SERVICE, sidecar('istio-system', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }] }));
    const result = r.check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
  });

  test('a dnsName naming hosts, or a port-bound listener: not modelled, so indeterminate', () => {
    const named = reach(workload('shop', 'web'), API_SERVICE, sidecar('shop', 'default', { egress: [{ hosts: ['shop/api.shop.svc.cluster.local'] }] }));
    expect(named.check(w('shop/web'), w('shop/api'), PORT).uncertainties).toEqual([
      "mesh: Sidecar shop/default egress[0] host 'shop/api.shop.svc.cluster.local' names hosts, which is not modelled: whether it imports Service "
        + 'shop/api for shop/web is not known',
    ]);
    const bound = reach(workload('shop', 'web'), API_SERVICE,
      sidecar('shop', 'default', { egress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, hosts: ['./*'] }] }));
    expect(bound.check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('outboundTrafficPolicy REGISTRY_ONLY: a destination no Service carries is blocked at the client (indeterminate); one a Service carries is not', () => {
    const registryOnly = sidecar('shop', 'default', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    const noService = reach(workload('shop', 'web'), registryOnly).check(w('shop/web'), w('shop/api'), PORT);
    expect(noService.verdict).toBe(Verdict.INDETERMINATE);
    expect(noService.uncertainties).toEqual(['mesh: no Service in the manifests carries shop/api port 8080, and its outbound traffic policy is '
      + 'REGISTRY_ONLY (Sidecar shop/default), so the sidecar sends it to the BlackHoleCluster']);
    expect(reach(workload('shop', 'web'), API_SERVICE, registryOnly).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });

  test('a Sidecar selecting another workload plays no part', () => {
    const other = sidecar('shop', 'worker', { workloadSelector: { labels: { app: 'worker' } }, egress: [{ hosts: ['istio-system/*'] }] });
    expect(reach(workload('shop', 'web'), API_SERVICE, other).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });
});

describe('sidecar.istio.io/interceptionMode: NONE', () => {
  const NONE = { 'sidecar.istio.io/interceptionMode': 'NONE' };

  test('on the destination: inbound traffic is not redirected to its sidecar: indeterminate', () => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'web'),
      workload('shop', 'api', { annotations: NONE })];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: shop/api has the annotation sidecar.istio.io/interceptionMode=NONE: its inbound traffic is not redirected '
      + 'to the sidecar, so a connection to port 8080 reaches the application past every Istio policy unless it is a port a Sidecar resource binds a '
      + 'listener to, and a meshed client may still send mutual TLS the application does not speak: not modelled']);
  });

  test('on the client: its outbound traffic leaves without the sidecar: indeterminate, not an mTLS allow', () => {
    const result = reach(workload('shop', 'web', { annotations: NONE }), API_SERVICE).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: shop/web has the annotation sidecar.istio.io/interceptionMode=NONE: its outbound traffic is not '
      + 'redirected to the sidecar, so it connects in plaintext unless the application addresses a listener a Sidecar resource binds for it: not modelled']);
    // REDIRECT (the default) changes nothing.
    expect(reach(workload('shop', 'web', { annotations: { 'sidecar.istio.io/interceptionMode': 'REDIRECT' } }), API_SERVICE)
      .check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });
});

describe('review: what else imports a Service, and where the client drops the connection', () => {
  const OTHER_API = service('other', 'api', 'api', [{ name: 'http', port: 8080 }]);
  const DEFAULTISH = sidecar('istio-system', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }] });
  const cross = (...objects: any[]) => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('other', { 'istio-injection': 'enabled' }),
      workload('shop', 'web'), workload('other', 'api'), OTHER_API, peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      ...objects];
    expectValidManifests(all);
    return meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('other/api'), PORT);
  };

  test('a VirtualService the egress hosts import names the Service as a destination: istiod imports it too, so not an exact deny', () => {
    // pilot/pkg/model/sidecar.go ConvertToSidecarScope: services named by the listener's VirtualServices are added.
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { hosts: ['api.other.svc.cluster.local'], http: [{ route: [{ destination: { host: 'api.other.svc.cluster.local' } }] }] },
    };
    expect(cross(DEFAULTISH).verdict).toBe(Verdict.DENY);
    // One in a namespace the hosts do not import, or bound to a gateway only, imports nothing: still exactly denied.
    expect(cross(DEFAULTISH, { ...vs, metadata: { name: 'api', namespace: 'other' } }).verdict).toBe(Verdict.DENY);
    expect(cross(DEFAULTISH, { ...vs, spec: { ...vs.spec, gateways: ['istio-system/ingress'] } }).verdict).toBe(Verdict.DENY);
    const result = cross(DEFAULTISH, vs);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: VirtualService shop/api routes to api.other.svc.cluster.local: istiod also imports the Services a '
      + "Sidecar's egress listener reaches through the VirtualServices it imports (Sidecar istio-system/default), which is not modelled: whether "
      + "shop/web's sidecar knows Service other/api is not known"]);
  });

  test('egress: [] is the default listener */*: imported, exact allow', () => {
    expect(cross(sidecar('istio-system', 'default', { egress: [] })).verdict).toBe(Verdict.ALLOW);
  });

  test('two Sidecars of the same rank, one without egress (*/*): which applies is not known, not the other\'s deny', () => {
    const result = cross(sidecar('shop', 'a', { egress: [{ hosts: ['./*'] }] }), sidecar('shop', 'b', { ingress: [] }));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
  });

  test('an unmeshed destination the client\'s REGISTRY_ONLY Sidecar does not import: blocked at the client, not an allow', () => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('plain'), workload('shop', 'web'),
      workload('plain', 'db'), service('plain', 'db', 'db', [{ name: 'tcp', port: 8080 }]),
      sidecar('shop', 'default', { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }),
      sidecar('shop', 'open', { workloadSelector: { labels: { app: 'web' } }, egress: [{ hosts: ['./*'] }] })];
    expectValidManifests(all);
    const blocked = meshReach(all.filter((o) => o.metadata.name !== 'open'), ISTIO_SIDECAR).check(w('shop/web'), w('plain/db'), PORT);
    expect(blocked.verdict).toBe(Verdict.DENY);
    expect(blocked.mesh!.reasons).toContain("shop/web's sidecar drops the connection (BlackHoleCluster)");
    // Without outboundTrafficPolicy: ALLOW_ANY (passes) or REGISTRY_ONLY (blocked) by meshConfig, not in the manifests.
    expect(meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('plain/db'), PORT).verdict).toBe(Verdict.INDETERMINATE);
  });
});

describe('review: a Service hidden from the client\'s namespace (networking.istio.io/exportTo)', () => {
  const exported = (value: string) => {
    const svc = service('other', 'api', 'api', [{ name: 'http', port: 8080 }]);
    return { ...svc, metadata: { ...svc.metadata, annotations: { 'networking.istio.io/exportTo': value } } };
  };
  const cross = (...objects: any[]) => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('other', { 'istio-injection': 'enabled' }),
      workload('shop', 'web'), workload('other', 'api'), workload('other', 'peer'),
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), ...objects];
    expectValidManifests(all);
    return meshReach(all, ISTIO_SIDECAR);
  };

  test('exportTo "." hides it from other namespaces, with no Sidecar at all: Passthrough (plaintext, refused under STRICT) or BlackHole: exact deny', () => {
    const r = cross(exported('.'));
    const result = r.check(w('shop/web'), w('other/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toBe('every Service carrying other/api port 8080 is hidden from namespace shop by its annotation '
      + "networking.istio.io/exportTo (Service other/api: '.'): to shop/web's sidecar that destination is unknown; with the outbound traffic policy "
      + 'ALLOW_ANY (the meshConfig default; not in the manifests), REGISTRY_ONLY blocks it instead, so it leaves through the PassthroughCluster without '
      + "the mesh's mutual TLS");
    // Its own namespace sees it.
    expect(r.check(w('other/peer'), w('other/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });

  test('exportTo listing the client\'s namespace, or *: visible, mTLS as before', () => {
    expect(cross(exported('., shop')).check(w('shop/web'), w('other/api'), PORT).verdict).toBe(Verdict.ALLOW);
    expect(cross(exported('*')).check(w('shop/web'), w('other/api'), PORT).verdict).toBe(Verdict.ALLOW);
    expect(cross(exported('~')).check(w('other/peer'), w('other/api'), PORT).verdict).toBe(Verdict.DENY);
  });
});

describe('review: an Istio gateway as the client', () => {
  test('a gateway never uses a Sidecar resource (istio.io Sidecar reference; pilot getSidecarScope for sidecar proxies only): its flows stay exact', () => {
    const all = [namespace('istio-system'), namespace('edge', { 'istio-injection': 'enabled' }), namespace('shop', { 'istio-injection': 'enabled' }),
      workload('edge', 'gw', { podLabels: { istio: 'ingressgateway' } }), workload('shop', 'api'), API_SERVICE,
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      sidecar('edge', 'default', { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('edge/gw'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
  });
});

describe('review: a destination port its sidecar does not capture', () => {
  test('no Istio policy at the destination, but the client\'s REGISTRY_ONLY sidecar still drops what it does not know: denied', () => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('other', { 'istio-injection': 'enabled' }),
      workload('shop', 'web'), workload('other', 'api', { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' } }),
      service('other', 'api', 'api', [{ name: 'http', port: 8080 }]),
      sidecar('shop', 'default', { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })];
    expectValidManifests(all);
    const r = meshReach(all, ISTIO_SIDECAR);
    expect(r.check(w('shop/web'), w('other/api'), PORT).verdict).toBe(Verdict.DENY);
    // Imported: the connection passes, and no policy applies at the destination.
    const open = meshReach(all.map((o) => (o.kind === 'Sidecar' ? sidecar('shop', 'default', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }) : o)),
      ISTIO_SIDECAR);
    expect(open.check(w('shop/web'), w('other/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });
});

describe('review: ALLOW_ANY with an egressProxy', () => {
  test('unknown destinations go to the egressProxy, not the PassthroughCluster: indeterminate, not the plaintext deny', () => {
    const withProxy = sidecar('shop', 'default', {
      egress: [{ hosts: ['./*'] }],
      outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.istio-system.svc.cluster.local', port: { number: 80 } } },
    });
    const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('other', { 'istio-injection': 'enabled' }),
      workload('shop', 'web'), workload('other', 'api'), service('other', 'api', 'api', [{ name: 'http', port: 8080 }]),
      peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), withProxy];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('other/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: Sidecar shop/default applies to shop/web, and its egress hosts import no Service carrying other/api '
      + "port 8080 (Service other/api): to shop/web's sidecar that destination is unknown; its outbound traffic policy sends unknown destinations to "
      + 'the egressProxy egress.istio-system.svc.cluster.local (Sidecar shop/default), whose handling of the connection is not modelled']);
  });
});
