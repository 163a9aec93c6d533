/** The README's service-mesh program compiles, synthesizes valid manifests and does what it says. */
import { Cni, Port, Reachability, Target, Verdict } from '../src';
import { readmeBlock, runReadmeProgram } from './support/readme';
import { find, synthValid } from './support/synth';
import './support/reachability-matchers';

describe('README service-mesh example', () => {
  const app = runReadmeProgram(readmeBlock('Service mesh and Gateway API'));
  const objects = synthValid(app.charts[0]);

  test('STRICT mesh-wide, a meshed namespace, one AND-ed authorization rule, one DestinationRule with both subsets', () => {
    expect(find(objects, 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(objects, 'Namespace', 'checkout').metadata.labels['istio-injection']).toBe('enabled');
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api', 'checkout').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/checkout/sa/web'] } }],
      to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/api/*'] } }],
    }]);
    expect(find(objects, 'DestinationRule', 'api', 'checkout').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    expect(find(objects, 'VirtualService', 'api', 'checkout').spec.http.map((r: any) => r.name)).toEqual(['header-pin', 'weighted']);
  });

  test('the namespace lets the sidecars reach istiod and web reach api, nothing more', () => {
    const reach = Reachability.fromManifests(objects, { cni: Cni.cilium() });
    reach.addProbe('web', 'checkout', { app: 'web' });
    reach.addProbe('api', 'checkout', { app: 'api' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('istiod', 'istio-system', { app: 'istiod' }, { ports: [Port.tcp(15012)] });
    const web = Target.pod('checkout', { app: 'web' });
    const api = Target.pod('checkout', { app: 'api' });
    expect(reach).toAllow(web, api, Port.tcp(8080));
    expect(reach).toDeny(api, web, Port.tcp(8080));
    expect(reach).toAllow(api, Target.pod('istio-system', { app: 'istiod' }), Port.tcp(15012));
  });

  test('"Both layers": the chart\'s mesh is analysed with the CNI; POST /admin is allowed by the CNI and denied by the mesh', () => {
    const reach = Reachability.fromChart(app.charts[0], { cni: Cni.cilium() });
    reach.addProbe('web', 'checkout', { app: 'web' }, { serviceAccount: 'web' });
    reach.addProbe('api', 'checkout', { app: 'api' }, { serviceAccount: 'api', ports: [Port.tcp(8080)] });
    const web = Target.pod('checkout', { app: 'web' });
    const api = Target.pod('checkout', { app: 'api' });
    expect(reach.meshName).toBe('Istio (sidecar)');
    expect(reach.check(web, api, Port.tcp(8080)).l7Constraints).toEqual([
      'only HTTP methods GET, paths /api/* (AuthorizationPolicy checkout/web-to-api spec.rules[0] (ALLOW); a non-HTTP connection matches no HTTP rule)',
    ]);
    const admin = reach.checkRequest(web, api, Port.tcp(8080), { method: 'POST', path: '/admin' });
    expect([admin.verdict, admin.cniVerdict, admin.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
  });
});
