/**
 * The kubelet tcpSocket probes the Linkerd model reads from a pod template (the proxy accepts such a
 * connection before authorizing it, linkerd/linkerd2#7777): every container and init container, the
 * port a number or a TCP port name of the same container.
 */
import { templateTcpProbes } from '../../../src/analysis/mesh/linkerd-tcp-probes';

test('numeric and named ports, per port, sorted; HTTP probes, UDP names and unknown names give none', () => {
  const template = {
    spec: {
      containers: [
        {
          name: 'db',
          ports: [{ name: 'pg', containerPort: 5432 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }],
          livenessProbe: { tcpSocket: { port: 'PG' } },
          readinessProbe: { tcpSocket: { port: 5432 } },
          startupProbe: { tcpSocket: { port: 'dns' } },
        },
        { name: 'web', livenessProbe: { httpGet: { port: 8080, path: '/healthz' } }, readinessProbe: { tcpSocket: { port: 'missing' } } },
      ],
      initContainers: [{ name: 'sidecar', startupProbe: { tcpSocket: { port: 9000 } } }],
    },
  };
  expect([...templateTcpProbes(template)]).toEqual([
    [5432, ["livenessProbe of container 'db'", "readinessProbe of container 'db'"]],
    [9000, ["startupProbe of container 'sidecar'"]],
  ]);
  expect([...templateTcpProbes(undefined)]).toEqual([]);
});
