import { ApiObject, Chart } from 'cdk8s';
import { Cni, IstioAuthorization, IstioMode, IstioMtls, Mesh, MeshAuthorization, MeshSource } from '../../../src';
import { deployment, deploymentWith, meshChart } from '../../support/mesh';
import { find, synthValid } from '../../support/synth';

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));

/** Service shop/api selecting app=api: port 80 to `targetPort`. */
function apiService(chart: Chart, targetPort: number | string = 8080): ApiObject {
  return new ApiObject(chart, 'svc-api', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort, protocol: 'TCP' }] },
  });
}

/** The app: STRICT mTLS in shop, Deployment shop/api listening on 8080 (port `http`), and its Service. */
function app(targetPort: number | string = 8080): Chart {
  const chart = sidecar();
  new IstioMtls(chart, 'mtls', { namespace: 'shop' });
  deployment(chart, 'shop', 'api', { app: 'api' });
  apiService(chart, targetPort);
  return chart;
}

const fromWeb = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' } };

describe('Istio flows naming a Service port instead of the workload port', () => {
  test('DENY on the Service port would deny nothing: refused at synth, naming the flow and both ports', () => {
    const chart = app();
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(() => chart.toJson()).toThrow("[test/authz] flow 'no-web'.ports[0]: port 80 is the port of Service 'shop/api', which forwards it to "
      + "port 8080 of the target's pods, and no container of the app's workloads it targets declares port 80. Istio matches the workload port "
      + '(targetPort 8080), not the Service port 80, so this DENY denies nothing on that traffic: name port 8080');
  });

  test('ALLOW (IstioAuthorization and MeshAuthorization) on the Service port would admit nothing', () => {
    const chart = app();
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web', { ...fromWeb, ports: [8080, 80] });
    expect(() => chart.toJson()).toThrow("[test/authz] flow 'web'.ports[1]: port 80 is the port of Service 'shop/api', which forwards it to "
      + "port 8080 of the target's pods, and no container of the app's workloads it targets declares port 80. Istio matches the workload port "
      + '(targetPort 8080), not the Service port 80, so this ALLOW admits nothing on that traffic: name port 8080');
    const other = app();
    new MeshAuthorization(other, 'mesh', { namespace: 'shop' }).allowFlow('web', { ...fromWeb, ports: [80] });
    expect(() => other.toJson()).toThrow("[test/mesh/Istio] flow 'web'.ports[0]: port 80 is the port of Service 'shop/api'");
  });

  test('a named targetPort resolves on the target pods; a destination.port condition is checked too', () => {
    const named = app('http');
    new IstioAuthorization(named, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(() => named.toJson()).toThrow('Istio matches the workload port (targetPort 8080), not the Service port 80, so this DENY denies nothing');
    const cond = app();
    new IstioAuthorization(cond, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, when: [{ key: 'destination.port', values: ['80'] }] });
    expect(() => cond.toJson()).toThrow("[test/authz] flow 'no-web'.when[0].values[0]: port 80 is the port of Service 'shop/api'");
  });

  test('the workload port, or a port the workload also declares, or a Service forwarding to the same port: emitted as given', () => {
    const right = app();
    new IstioAuthorization(right, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [8080] });
    expect(find(synthValid(right), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);

    const both = sidecar();
    new IstioMtls(both, 'mtls', { namespace: 'shop' });
    deploymentWith(both, 'shop', 'api', { app: 'api' }, {
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'legacy', containerPort: 80, protocol: 'TCP' }],
    });
    apiService(both);
    new IstioAuthorization(both, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(both), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);

    const same = sidecar();
    new IstioMtls(same, 'mtls', { namespace: 'shop' });
    deployment(same, 'shop', 'api', { app: 'api' }, 80);
    apiService(same, 80);
    new IstioAuthorization(same, 'authz', { namespace: 'shop' }).allowFlow('web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(same), 'AuthorizationPolicy', 'web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
  });

  test('unknown stays allowed: no Service in the app, or no target workload in the app', () => {
    const noService = sidecar();
    new IstioMtls(noService, 'mtls', { namespace: 'shop' });
    deployment(noService, 'shop', 'api', { app: 'api' });
    new IstioAuthorization(noService, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(noService), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);

    const noWorkload = sidecar();
    new IstioMtls(noWorkload, 'mtls', { namespace: 'shop' });
    apiService(noWorkload);
    new IstioAuthorization(noWorkload, 'authz', { namespace: 'shop' }).denyFlow('no-web', { ...fromWeb, ports: [80] });
    expect(find(synthValid(noWorkload), 'AuthorizationPolicy', 'no-web', 'shop').spec.rules[0].to).toEqual([{ operation: { ports: ['80'] } }]);
  });
});
