/**
 * linkerd-opaque-ports-one-side: linkerd.io "TCP Proxying and Protocol Detection" (Marking ports as
 * opaque): config.linkerd.io/opaque-ports must be set on the Service and on the workload. The Service
 * side is read as linkerd2's destination controller does (opaque_ports_watcher.go: Service port names,
 * ports and ranges; the annotation replaces proxy.opaquePorts; appProtocol linkerd.io/opaque), the pod
 * side as the policy controller and the proxy injector do (pod, else namespace, else the default list
 * filtered by the declared container ports; a Server's proxyProtocol decides a port it describes).
 */
import { brief } from './support';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { PolicyLint, PolicyLintOptions } from '../../src/lint';
import { expectValidManifests, validateManifests } from '../support/schema';

const RULE = 'linkerd-opaque-ports-one-side';
const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'msg', annotations: { 'linkerd.io/inject': 'enabled' } } };

function deployment(name: string, port: number, annotations?: Record<string, string>): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'msg' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) },
        spec: { containers: [{ name: 'app', image: `example/${name}:1.0`, ports: [{ name: 'client', containerPort: port }] }] },
      },
    },
  };
}

function service(name: string, port: number, annotations?: Record<string, string>, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'msg', ...(annotations ? { annotations } : {}) },
    spec: { selector: { app: name }, ports: [{ name: 'client', port, targetPort: port, ...extra }] },
  };
}

const OPAQUE = 'config.linkerd.io/opaque-ports';

describe('linkerd-opaque-ports-one-side', () => {
  test('a Service marking 4222 opaque over pods that are not (no annotation; 4222 is not a default opaque port) is reported with both reasons', () => {
    const objects = [ns, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4222' })];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/nats', path: 'metadata.annotations["config.linkerd.io/opaque-ports"]' }]);
    expect(findings[0].message).toBe('port 4222 of this Service is opaque (its config.linkerd.io/opaque-ports \'4222\'), but target port 4222 of the meshed '
      + 'pods of Deployment msg/nats it selects is not opaque (no config.linkerd.io/opaque-ports, so the proxy injector writes the install default '
      + 'proxy.opaquePorts (25,587,3306,4444,5432,6379,9300,11211; the lint does not see the Helm values) filtered by their declared container ports, '
      + 'which does not keep it): the pods\' proxies still run protocol detection on inbound connections to port 4222 that do not arrive marked opaque '
      + '(a server-speaks-first protocol such as NATS or MySQL then stalls until the 10-second detection timeout). linkerd.io "Protocol Detection": the '
      + 'opaque-ports annotation must be set on both the Service and the workload');
  });

  test('pods the proxy injector\'s webhook never sees get no proxy, so the Service side alone is no mismatch: a namespace labelled '
    + 'config.linkerd.io/admission-webhooks=disabled, cert-manager (linkerd-control-plane values.yaml proxyInjector.namespaceSelector)', () => {
    const off = { ...ns, metadata: { ...ns.metadata, labels: { 'config.linkerd.io/admission-webhooks': 'disabled' } } };
    const onLabel = { ...ns, metadata: { ...ns.metadata, labels: { 'config.linkerd.io/admission-webhooks': 'enabled' } } };
    const objects = (namespace: any) => [namespace, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4222' })];
    expectValidManifests([...objects(off), onLabel]);
    expect(PolicyLint.check(objects(off)).filter((f) => f.rule === RULE)).toEqual([]);
    expect(brief(PolicyLint.check(objects(onLabel)).filter((f) => f.rule === RULE)).map((f) => f.object)).toEqual(['Service msg/nats']);
    const inCertManager = (o: any) => ({ ...o, metadata: { ...o.metadata, ...(o.kind === 'Namespace' ? { name: 'cert-manager' } : { namespace: 'cert-manager' }) } });
    expect(PolicyLint.check(objects(ns).map(inCertManager)).filter((f) => f.rule === RULE)).toEqual([]);
  });

  test('both sides opaque (pod annotation, namespace annotation, or a Server of proxyProtocol opaque): no finding', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'nats', namespace: 'msg' },
      spec: { podSelector: { matchLabels: { app: 'nats' } }, port: 'client', proxyProtocol: 'opaque' },
    };
    const annotatedNs = { ...ns, metadata: { ...ns.metadata, annotations: { ...ns.metadata.annotations, [OPAQUE]: '4222' } } };
    for (const objects of [
      [ns, deployment('nats', 4222, { [OPAQUE]: '4222' }), service('nats', 4222, { [OPAQUE]: '4222' })],
      [annotatedNs, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: 'client' })],
      [ns, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4000-4300' }), server],
    ]) {
      expectValidManifests(objects);
      expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
    }
  });

  test('a namespace annotation reaches Services too (the proxy injector copies it onto a Service without one): no finding when both inherit it', () => {
    // linkerd2 controller/proxy-injector/webhook_test.go TestGetAnnotationPatch: "service without opaque ports and namespace with" gets the patch.
    const annotatedNs = { ...ns, metadata: { ...ns.metadata, annotations: { ...ns.metadata.annotations, [OPAQUE]: '4222' } } };
    const objects = [annotatedNs, deployment('nats', 4222), service('nats', 4222)];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
    // The Service inherits 4222 but pods of their own annotation do not list it: reported on the Service port (the annotation is not in its manifest).
    const findings = PolicyLint.check([annotatedNs, deployment('nats', 4222, { [OPAQUE]: '25' }), service('nats', 4222)]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/nats', path: 'spec.ports[0]' }]);
    expect(findings[0].message).toContain('port 4222 of this Service is opaque (its namespace\'s (the proxy injector copies it onto the Service) '
      + 'config.linkerd.io/opaque-ports \'4222\'), but target port 4222');
  });

  test('a Service without the annotation gets the default list filtered by its target ports (the proxy injector), not by its own ports', () => {
    // controller/proxy-injector/fake/data/filter-service-opaque-ports.yaml: a port is kept when its numeric targetPort is on the list, never for a named one.
    const mysqlPods = deployment('mysql', 3306, { [OPAQUE]: '3306' });
    const byNumber = [ns, mysqlPods, service('mysql', 80, undefined, { targetPort: 3306 })];
    expectValidManifests(byNumber);
    expect(brief(PolicyLint.check(byNumber), RULE)).toEqual([]);
    const byName = [ns, mysqlPods, service('mysql', 3306, undefined, { targetPort: 'client' })];
    expectValidManifests(byName);
    const findings = PolicyLint.check(byName).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/mysql', path: 'spec.ports[0]' }]);
    expect(findings[0].message).toContain('port 3306 of this Service is not opaque (no config.linkerd.io/opaque-ports of its own, so the proxy injector '
      + 'writes the install default proxy.opaquePorts (25,587,3306,4444,5432,6379,9300,11211; the lint does not see the Helm values) filtered by the '
      + 'Service\'s target ports, which does not keep it (a named targetPort is never kept))');
  });

  test('pods opaque by their annotation behind a Service that is not (no annotation: the default list) is reported on the Service port', () => {
    const objects = [ns, deployment('nats', 4222, { [OPAQUE]: '4222' }), service('nats', 4222)];
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/nats', path: 'spec.ports[0]' }]);
    expect(findings[0].fix).toBe('add 4222 to config.linkerd.io/opaque-ports on this Service (or set appProtocol: linkerd.io/opaque on the port)');
  });

  test('a Service annotation replaces the default list: MySQL 3306 is opaque on the pods (default) but not on a Service listing only 4222', () => {
    const objects = [ns, deployment('mysql', 3306), service('mysql', 3306, { [OPAQUE]: '4222' })];
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([{
      rule: RULE,
      severity: 'warning',
      object: 'Service msg/mysql',
      path: 'spec.ports[0]',
    }]);
    // Both sides on the default list (3306 opaque on both, 8080 on neither), or pods outside the mesh: nothing to say.
    expect(brief(PolicyLint.check([ns, deployment('mysql', 3306), service('mysql', 3306)]), RULE)).toEqual([]);
    expect(brief(PolicyLint.check([ns, deployment('web', 8080), service('web', 8080)]), RULE)).toEqual([]);
    const unmeshed = { ...ns, metadata: { name: 'msg' } };
    expect(brief(PolicyLint.check([unmeshed, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4222' })]), RULE)).toEqual([]);
  });

  test('appProtocol linkerd.io/opaque marks the Service port opaque: pods that are not are reported at the appProtocol', () => {
    const objects = [ns, deployment('nats', 4222), service('nats', 4222, undefined, { appProtocol: 'linkerd.io/opaque' })];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/nats', path: 'spec.ports[0].appProtocol' }]);
  });
});

describe('linkerd-opaque-ports-one-side: port names as Kubernetes and Linkerd resolve them', () => {
  /** The nats Deployment with its `client` port moved to an init container (a native sidecar with `sidecar`). */
  function natsWithInitPort(sidecar: boolean): any {
    const d = deployment('nats', 4222);
    const spec = d.spec.template.spec;
    spec.containers = [{ name: 'app', image: 'example/nats:1.0', ports: [{ containerPort: 4222 }] }];
    spec.initContainers = [{ name: 'helper', image: 'example/helper:1.0', ...(sidecar ? { restartPolicy: 'Always' } : {}), ports: [{ name: 'client', containerPort: 4222 }] }];
    return d;
  }

  /** Validation against the pinned schemas: only a container's `restartPolicy` (Kubernetes 1.28+) is unknown to the oldest, v1.27. */
  function expectValidButSidecarField(objects: any[]): void {
    for (const f of validateManifests(objects)) {
      expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
    }
  }

  test('a named targetPort declared by a native sidecar is an endpoint port (Kubernetes FindPort): its mismatch is reported', () => {
    const svc = service('nats', 4222, { [OPAQUE]: '4222' }, { targetPort: 'client' });
    const objects = [ns, natsWithInitPort(true), svc];
    expectValidButSidecarField(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Service msg/nats', path: 'metadata.annotations["config.linkerd.io/opaque-ports"]' },
    ]);
    // A plain init container has exited: the name resolves to nothing, the pods are no endpoint of it.
    const plain = [ns, natsWithInitPort(false), svc];
    expectValidManifests(plain);
    expect(brief(PolicyLint.check(plain), RULE)).toEqual([]);
  });

  test('a Server naming a port only an init container declares covers it (linkerd2 #14144): an opaque Server agrees with the Service', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'nats', namespace: 'msg' },
      spec: { podSelector: { matchLabels: { app: 'nats' } }, port: 'client', proxyProtocol: 'opaque' },
    };
    for (const sidecar of [true, false]) {
      const objects = [ns, natsWithInitPort(sidecar), service('nats', 4222, { [OPAQUE]: '4222' }), server];
      expectValidButSidecarField(objects);
      expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
    }
  });
});

describe('linkerd-opaque-ports-one-side told the mesh (PolicyLintOptions.mesh and linkerdOpaquePorts)', () => {
  const lint = (objects: any[], options: PolicyLintOptions = {}) => {
    expectValidManifests(objects);
    return PolicyLint.check(objects, options).filter((f) => f.rule === RULE);
  };

  test('told proxy.opaquePorts 4222: the pods get 4222 from the cluster default, so a Service marking it opaque agrees (no finding)', () => {
    const objects = [ns, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4222' })];
    expect(lint(objects)).toHaveLength(1);
    expect(lint(objects, { mesh: Mesh.linkerd() })).toHaveLength(1);
    expect(lint(objects, { mesh: Mesh.linkerd(), linkerdOpaquePorts: '4222' })).toEqual([]);
  });

  test('told proxy.opaquePorts: a Service keeping its target port from the list over pods that declare no such port is reported, no longer assumed', () => {
    // Service port 5432 -> target 5432; the pods declare only 8080, so the injector writes none of the default list onto them.
    const objects = [ns, deployment('pg', 8080), service('pg', 5432)];
    // Untold (or told Linkerd without the list): both sides rest on the unseen cluster default, nothing is claimed.
    expect(lint(objects)).toEqual([]);
    expect(lint(objects, { mesh: Mesh.linkerd() })).toEqual([]);
    const findings = lint(objects, { mesh: Mesh.linkerd(), linkerdOpaquePorts: '5432,6379' });
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Service msg/pg', path: 'spec.ports[0]' }]);
    expect(findings[0].message).toBe('port 5432 of this Service is opaque (no config.linkerd.io/opaque-ports of its own, so the proxy injector writes '
      + 'the cluster\'s proxy.opaquePorts (5432,6379) filtered by the Service\'s target ports, which keeps it), but target port 5432 of the meshed pods '
      + 'of Deployment msg/pg it selects is not opaque (no config.linkerd.io/opaque-ports, so the proxy injector writes the cluster\'s proxy.opaquePorts '
      + '(5432,6379) filtered by their declared container ports, which does not keep it): the pods\' proxies still run protocol detection on inbound '
      + 'connections to port 5432 that do not arrive marked opaque (a server-speaks-first protocol such as NATS or MySQL then stalls until the '
      + '10-second detection timeout). linkerd.io "Protocol Detection": the opaque-ports annotation must be set on both the Service and the workload');
    // A list without 5432: neither side is opaque.
    expect(lint(objects, { mesh: Mesh.linkerd(), linkerdOpaquePorts: '6379' })).toEqual([]);
  });

  test('under another mesh, or none, the rule does not apply', () => {
    const objects = [ns, deployment('nats', 4222), service('nats', 4222, { [OPAQUE]: '4222' })];
    for (const mesh of [Mesh.istio({ mode: IstioMode.SIDECAR }), Mesh.none()]) expect(lint(objects, { mesh })).toEqual([]);
  });
});
