import { ApiObject, Chart, Testing } from 'cdk8s';
import { synthValid } from './synth';
import { Cni, ClusterNetwork, ClusterNetworkProps, Mesh, Port, Reachability, Target, ThreeTierAppProps } from '../../src';

/** A chart whose ClusterNetwork declares `cni` and `mesh`. */
export function meshChart(cni: Cni, mesh: Mesh, props: Omit<ClusterNetworkProps, 'cni' | 'mesh'> = {}): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { ...props, cni, mesh });
  return chart;
}

/**
 * A Deployment ApiObject with one container `app` (`container` adds its fields: ports, probes, ...)
 * and `podSpec` beside the containers, for tests that need a workload of a given shape.
 */
export function deploymentWith(chart: Chart, namespace: string, name: string, labels: Record<string, string>,
  container: Record<string, unknown>, podSpec: Record<string, unknown> = {}): ApiObject {
  return new ApiObject(chart, `deploy-${namespace}-${name}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { ...podSpec, containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ...container }] } },
    },
  });
}

/**
 * A minimal Deployment (one container listening on `port`, named `http`) that the analyzer turns
 * into pods, for flow tests of constructs that route or authorize but do not create workloads.
 */
export function deployment(chart: Chart, namespace: string, name: string, labels: Record<string, string>, port = 8080,
  serviceAccount?: string): ApiObject {
  return deploymentWith(chart, namespace, name, labels, { ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] },
    serviceAccount ? { serviceAccountName: serviceAccount } : {});
}

/** A ClusterIP Service selecting `selector` on `port` (target port `port`). */
export function service(chart: Chart, namespace: string, name: string, selector: Record<string, string>, port = 8080): ApiObject {
  return new ApiObject(chart, `svc-${namespace}-${name}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  });
}

/**
 * The analyzer over the synthesized chart (validated strictly), with the cluster DNS, the mesh
 * control planes (istiod, Linkerd) and Prometheus present as probes.
 */
export function meshReachability(chart: Chart, cni: Cni): Reachability {
  const reach = Reachability.fromManifests(synthValid(chart), { cni });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
  reach.addProbe('istiod', 'istio-system', { app: 'istiod' }, { ports: [Port.tcp(15010), Port.tcp(15012), Port.tcp(15017)] });
  reach.addProbe('linkerd-destination', 'linkerd', { 'linkerd.io/control-plane-component': 'destination' },
    { ports: [Port.tcp(8086), Port.tcp(8090), Port.tcp(8443)] });
  reach.addProbe('linkerd-identity', 'linkerd', { 'linkerd.io/control-plane-component': 'identity' }, { ports: [Port.tcp(8080)] });
  reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
  return reach;
}

/** A shop ThreeTierApp's host and tier images, shared by the mesh tests of ThreeTierApp. */
export const SHOP_TIERS: Pick<ThreeTierAppProps, 'host' | 'frontend' | 'backend' | 'database'> = {
  host: 'shop.example.com',
  frontend: { image: 'ghcr.io/example/web:1.0.0' },
  backend: { image: 'ghcr.io/example/api:1.0.0' },
  database: { image: 'postgres:16.4' },
};

/** The shop's tiers (namespace `shop`, app `shop`) and the peers the ThreeTierApp mesh tests ask about, as analyzer targets. */
export const SHOP = {
  fe: Target.workload('shop', 'shop-frontend'),
  be: Target.workload('shop', 'shop-backend'),
  db: Target.workload('shop', 'shop-database'),
  nginx: Target.workload('ingress-nginx', 'controller'),
  prometheus: Target.workload('monitoring', 'prometheus'),
  coredns: Target.workload('kube-system', 'coredns'),
  node: Target.localNode(),
};
