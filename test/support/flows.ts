import { Chart } from 'cdk8s';
import { synthValid } from './synth';
import { Cni, Port, Reachability, Target } from '../../src';
import './reachability-matchers';

/** DNS, metadata service and an internet host, the way every flow test needs them. */
export const DNS = Target.pod('kube-system', { 'k8s-app': 'kube-dns' });
export const METADATA = Target.external('169.254.169.254');
export const INTERNET = Target.external('93.184.216.34');
export const PRIVATE_HOST = Target.external('10.20.30.40');

/**
 * Synthesize (validating every object strictly) and load the output into the analyzer with the
 * cluster DNS pods present as a probe, so flows to DNS can be asserted.
 */
export function reachabilityOf(chart: Chart, cni: Cni): Reachability {
  const reach = Reachability.fromManifests(synthValid(chart), { cni });
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
