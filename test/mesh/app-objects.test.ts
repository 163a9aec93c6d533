/**
 * The app inventory the mesh checks share (src/util/app-objects.ts): the Istio Service-port check
 * (per flow), the canary target check and the Linkerd probe check (per routed Server) read the app's
 * Services, Namespaces and workloads once per validation walk instead of each on its own, and never
 * from an inventory older than the tree: an object added or patched after a first synth is seen by
 * the next one (a stale inventory would skip a check: fail-open).
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Cni, IstioAuthorization, IstioMode, IstioMtls, LinkerdAuthorization, Mesh, MeshSource } from '../../src';
import { deployment, deploymentWith, meshChart } from '../support/mesh';
import { expectValidManifests } from '../support/schema';
import { find, synthValid } from '../support/synth';

const istio = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
const fromWeb = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' } };
const PORT_ERROR = "[test/authz] flow 'no-web'.ports[0]: port 80 is the port of Service 'shop/api', which forwards it to port 8080";

/** Service shop/api selecting app=api: port 80 to `targetPort`. */
function apiService(chart: Chart, targetPort: number): ApiObject {
  return new ApiObject(chart, 'svc-api', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort, protocol: 'TCP' }] },
  });
}

function synthError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

describe('one app inventory per validation walk, never stale', () => {
  test('Istio: five flows naming ports read the Service once per walk (2 walks + the output = 3 toJson calls, was one per flow per walk: 11)', () => {
    const chart = istio();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    deployment(chart, 'shop', 'api', { app: 'api' });
    const svc = apiService(chart, 8080);
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    for (let i = 0; i < 5; i++) authz.denyFlow(`no-web-${i}`, { ...fromWeb, ports: [8080] });
    const toJson = jest.spyOn(svc, 'toJson');
    const objects = synthValid(chart); // expectValidTree (one walk), then Testing.synth (one walk and the output)
    expect(toJson).toHaveBeenCalledTimes(3);
    expect(find(objects, 'AuthorizationPolicy', 'no-web-4', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
  });

  test('Linkerd: three routed Servers read the workloads once per walk (was twice per Server per walk)', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    const ns = new ApiObject(chart, 'ns-shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const api = deploymentWith(chart, 'shop', 'api', { app: 'api' }, {
      ports: [8080, 8081, 8082].map((containerPort, i) => ({ name: `http-${i}`, containerPort, protocol: 'TCP' })),
    });
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    for (const port of [8080, 8081, 8082]) {
      authz.allowFlow(`web-${port}`, { ...fromWeb, ports: [port], methods: ['GET'], paths: ['/api/*'] });
    }
    const workloadJson = jest.spyOn(api, 'toJson');
    const namespaceJson = jest.spyOn(ns, 'toJson');
    const objects = Testing.synth(chart); // one walk and the output
    expectValidManifests(objects);
    expect(workloadJson).toHaveBeenCalledTimes(2);
    expect(namespaceJson).toHaveBeenCalledTimes(2);
  });

  test('an object added after a first synth is seen by the second (the walk drops the inventory; so does a bigger tree)', () => {
    const chart = istio();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    apiService(chart, 8080);
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.denyFlow('no-web', { ...fromWeb, ports: [80] });
    // No workload of the target in the app: what its pods listen on is unknown, the flow is emitted as given.
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
    deployment(chart, 'shop', 'api', { app: 'api' });
    // Outside a walk: the construct's own validation alone sees the added Deployment.
    expect(authz.node.validate()).toEqual([expect.stringContaining(PORT_ERROR.replace('[test/authz] ', ''))]);
    expect(synthError(() => Testing.synth(chart))).toContain(PORT_ERROR);
  });

  test('an object patched after a first synth (no construct added) is read again by the next walk', () => {
    const chart = istio();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    deployment(chart, 'shop', 'api', { app: 'api' });
    // The Service forwards 80 to 80 at first: a flow on port 80 may be right.
    const svc = apiService(chart, 80);
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
    svc.addJsonPatch(JsonPatch.replace('/spec/ports/0/targetPort', 8080));
    expect(synthError(() => synthValid(chart))).toContain(PORT_ERROR);
  });
});

describe('outside a walk from the App, the inventory is read again (a construct count that did not change proves nothing)', () => {
  /** Service forwarding 80 to 80, a flow on port 80 accepted by a first synth; then the Service is patched to forward 80 to 8080. */
  function patchedAfterSynth(): { chart: Chart; authz: IstioAuthorization } {
    const chart = istio();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    deployment(chart, 'shop', 'api', { app: 'api' });
    const svc = apiService(chart, 80);
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
    svc.addJsonPatch(JsonPatch.replace('/spec/ports/0/targetPort', 8080));
    return { chart, authz };
  }

  test("a construct's own validation, called alone after a patch, sees the patched Service", () => {
    const { authz } = patchedAfterSynth();
    expect(authz.node.validate()).toEqual([expect.stringContaining(PORT_ERROR.replace('[test/authz] ', ''))]);
    // Twice: a first direct read is not kept for the next one either.
    expect(authz.node.validate()).toEqual([expect.stringContaining(PORT_ERROR.replace('[test/authz] ', ''))]);
  });

  test('a walk of one chart (not from the App) after a patch sees the patched Service', () => {
    const { chart } = patchedAfterSynth();
    const errors = chart.node.findAll().flatMap((c) => c.node.validate());
    expect(errors).toEqual([expect.stringContaining(PORT_ERROR.replace('[test/authz] ', ''))]);
  });

  test('a container added to a cdk8s-plus Deployment after a synth (no construct added) is seen by a validation called alone', () => {
    const chart = istio();
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    // Its only container declares no port: what the pods listen on is unknown, the flow on port 80 is accepted.
    const api = new kplus.Deployment(chart, 'api', { metadata: { name: 'api', namespace: 'shop' }, containers: [{ image: 'api:1' }] });
    api.podMetadata.addLabel('app', 'api');
    apiService(chart, 8080);
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(chart), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
    const size = chart.node.root.node.findAll().length;
    api.addContainer({ name: 'sidecar', image: 'api-sidecar:1', portNumber: 8080 });
    expect(chart.node.root.node.findAll()).toHaveLength(size);
    expect(authz.node.validate()).toEqual([expect.stringContaining(PORT_ERROR.replace('[test/authz] ', ''))]);
    expect(synthError(() => synthValid(chart))).toContain(PORT_ERROR);
  });

  test('the cache still serves one walk: the next synth after the direct reads fails as well', () => {
    const { chart, authz } = patchedAfterSynth();
    authz.node.validate();
    expect(synthError(() => Testing.synth(chart))).toContain(PORT_ERROR);
  });
});
