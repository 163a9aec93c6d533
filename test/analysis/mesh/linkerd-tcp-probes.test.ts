/**
 * The kubelet's tcpSocket probes of Linkerd-meshed pods: the proxy completes every inbound TCP handshake
 * itself, before it authorizes the connection and whether or not the application listens, so the
 * probe passes as long as the proxy runs (linkerd/linkerd2#7777). The verdict stays the connection's
 * (a Server that refuses the node keeps it from the application); the mesh reasons say what it means
 * for the probe.
 */
import { LINKERD, linkerd, meshReach, namespace, w } from './support';
import { templateTcpProbePorts } from '../../../src/analysis/mesh/linkerd-tcp-probes';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const MYSQL = Port.tcp(3306);
const NOTE = 'the kubelet\'s tcpSocket probe of shop/db on port 3306 passes as long as the Linkerd proxy runs, whatever this authorization decides '
  + 'and whether or not the application listens: the proxy completes the TCP handshake itself before it authorizes the connection '
  + '(linkerd/linkerd2#7777), so the probe checks the proxy, not the application (an httpGet probe, which Linkerd\'s probe route authorizes, '
  + 'checks the application)';

/** A MySQL Deployment with tcpSocket probes: liveness by port name, readiness by number; pod annotations optional. */
function db(annotations: Record<string, string> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' }, annotations },
        spec: {
          serviceAccountName: 'db',
          containers: [{
            name: 'mysql',
            image: 'mysql:8.4',
            ports: [{ name: 'mysql', containerPort: 3306 }, { name: 'admin', containerPort: 33062 }],
            livenessProbe: { tcpSocket: { port: 'mysql' } },
            readinessProbe: { tcpSocket: { port: 3306 } },
          }],
        },
      },
    },
  };
}
const MESHED_NS = namespace('shop', {}, { 'linkerd.io/inject': 'enabled' });
const DENY_SERVER = linkerd('Server', 'shop', 'db-3306', { podSelector: { matchLabels: { app: 'db' } }, port: 3306, proxyProtocol: 'opaque' });

function check(manifests: any[], source: Target = Target.localNode(), port: Port = MYSQL) {
  expectValidManifests(manifests);
  return meshReach(manifests, LINKERD).check(source, w('shop/db'), port);
}

describe('kubelet tcpSocket probes under Linkerd', () => {
  test('a Server refusing the node: the connection is denied, and the mesh reasons say the probe passes anyway', () => {
    const r = check([MESHED_NS, db(), DENY_SERVER]);
    expect([r.verdict, r.mesh!.verdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    expect(r.mesh!.reasons).toEqual([
      'Server shop/db-3306 describes port 3306 of shop/db; no AuthorizationPolicy authorizes local-node -> shop/db TCP/3306 (without a mesh '
        + 'identity (local-node is a node, not a meshed pod)), so its accessPolicy deny (the default) applies: it admits no client',
      NOTE,
    ]);
  });

  test('an allowed connection (default all-unauthenticated) gets the note too: the probe never checks mysqld', () => {
    const r = check([MESHED_NS, db()]);
    expect(r.verdict).toBe(Verdict.ALLOW);
    expect(r.mesh!.reasons[r.mesh!.reasons.length - 1]).toBe(NOTE);
  });

  test('no note: another node, a port no tcpSocket probe checks, an unmeshed pod, a port the proxy skips', () => {
    const noNote = (r: ReturnType<typeof check>) => expect(r.mesh!.reasons).not.toContain(NOTE);
    noNote(check([MESHED_NS, db(), DENY_SERVER], Target.remoteNode()));
    const admin = check([MESHED_NS, db(), DENY_SERVER], Target.localNode(), Port.tcp(33062));
    expect(admin.mesh!.reasons.some((m) => m.includes('tcpSocket'))).toBe(false);
    noNote(check([namespace('shop'), db(), DENY_SERVER]));
    const skipped = check([MESHED_NS, db({ 'config.linkerd.io/skip-inbound-ports': '3306' }), DENY_SERVER]);
    expect(skipped.verdict).toBe(Verdict.ALLOW);
    noNote(skipped);
  });
});

test('probe ports as the kubelet resolves them: numbers and exact port names of the same container, init containers too; httpGet and unknown names give none', () => {
  const template = {
    spec: {
      containers: [
        {
          name: 'db',
          ports: [{ name: 'pg', containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }],
          livenessProbe: { tcpSocket: { port: 'pg' } },
          readinessProbe: { tcpSocket: { port: 5432 } },
          startupProbe: { tcpSocket: { port: 'PG' } },
        },
        { name: 'web', livenessProbe: { httpGet: { port: 8080, path: '/healthz' } }, readinessProbe: { tcpSocket: { port: 'metrics' } } },
      ],
      initContainers: [{ name: 'warmup', startupProbe: { tcpSocket: { port: 9000 } } }],
    },
  };
  expect(templateTcpProbePorts(template)).toEqual([5432, 9000]);
  expect(templateTcpProbePorts(undefined)).toEqual([]);
});

test('a tcpSocket probe with a host dials that host, not the pod: no probe port of the pod; an empty host is the pod IP', () => {
  const probe = (tcpSocket: Record<string, unknown>) => ({ spec: { containers: [{ name: 'cache', ports: [{ name: 'redis', containerPort: 6379 }], livenessProbe: { tcpSocket } }] } });
  expect(templateTcpProbePorts(probe({ port: 6379, host: '10.0.0.9' }))).toEqual([]);
  expect(templateTcpProbePorts(probe({ port: 'redis', host: 'localhost' }))).toEqual([]);
  expect(templateTcpProbePorts(probe({ port: 6379, host: '' }))).toEqual([6379]);
  const r = check([MESHED_NS, withHost(db(), '192.0.2.10'), DENY_SERVER]);
  expect(r.mesh!.reasons).not.toContain(NOTE);
});

/** `deployment` with every tcpSocket probe dialling `host`. */
function withHost(deployment: any, host: string): any {
  const container = deployment.spec.template.spec.containers[0];
  for (const key of ['livenessProbe', 'readinessProbe']) container[key].tcpSocket.host = host;
  return deployment;
}
