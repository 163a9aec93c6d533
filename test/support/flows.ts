import { Chart } from 'cdk8s';
import { synthValid } from './synth';
import { ClusterNetwork, Cni, Port, Reachability, Target } from '../../src';
import './reachability-matchers';

/** DNS, metadata service and an internet host, the way every flow test needs them. */
export const DNS = Target.pod('kube-system', { 'k8s-app': 'kube-dns' });
export const METADATA = Target.external('169.254.169.254');
export const INTERNET = Target.external('93.184.216.34');
export const PRIVATE_HOST = Target.external('10.20.30.40');

/**
 * Synthesize (validating every object strictly) and load the output into the analyzer with the
 * cluster DNS pods present as a probe, so flows to DNS can be asserted. Pods are in the chart's
 * ClusterNetwork pod CIDRs, which the constructs rendered their policies for.
 */
export function reachabilityOf(chart: Chart, cni: Cni): Reachability {
  const reach = Reachability.fromManifests(synthValid(chart), { cni, podCidrs: ClusterNetwork.of(chart).podCidrs });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
  return reach;
}

/** The DNS / metadata / internet expectations every zero-trust pod must meet. */
export function expectBaseline(reach: Reachability, pod: Target): void {
  expect(reach).toAllow(pod, DNS, Port.udp(53));
  expect(reach).toAllow(pod, DNS, Port.tcp(53));
  expect(reach).toDeny(pod, DNS, Port.tcp(80));
  expect(reach).toDeny(pod, METADATA, Port.tcp(80));
  expect(reach).toDeny(pod, METADATA, Port.tcp(443));
}

/** The tiers of a ThreeTierApp named `app` in `namespace`, as analyzer targets. */
export function threeTierTargets(namespace: string, app: string): { frontend: Target; backend: Target; database: Target } {
  return {
    frontend: Target.workload(namespace, `${app}-frontend`),
    backend: Target.workload(namespace, `${app}-backend`),
    database: Target.workload(namespace, `${app}-database`),
  };
}

/**
 * The ThreeTierApp promise on the default ports: `controller` -> frontend -> backend -> database, and
 * no hop that skips a tier (frontend -> database, controller -> backend or database).
 */
export function expectThreeTierChain(reach: Reachability, namespace: string, app: string, controller: Target): void {
  const { frontend, backend, database } = threeTierTargets(namespace, app);
  expect(reach).toAllow(controller, frontend, Port.tcp(8080));
  expect(reach).toAllow(frontend, backend, Port.tcp(8080));
  expect(reach).toAllow(backend, database, Port.tcp(5432));
  expect(reach).toDeny(frontend, database, Port.tcp(5432));
  expect(reach).toDeny(controller, backend, Port.tcp(8080));
  expect(reach).toDeny(controller, database, Port.tcp(5432));
}
