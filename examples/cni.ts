import { Cni } from '../src';

/** The CNIs every example is synthesized for. */
export const EXAMPLE_CNIS: Record<string, () => Cni> = {
  kubernetes: () => Cni.kubernetes(),
  calico: () => Cni.calico(),
  cilium: () => Cni.cilium(),
};

/** The CNI named by CDK8S_NETWORKING_CNI (for `cdk8s synth` inside an example folder). */
export function cniFromEnv(fallback = 'calico'): Cni {
  const name = process.env.CDK8S_NETWORKING_CNI ?? fallback;
  const factory = EXAMPLE_CNIS[name];
  if (!factory) throw new Error(`CDK8S_NETWORKING_CNI='${name}' is not one of ${Object.keys(EXAMPLE_CNIS).join(', ')}`);
  return factory();
}
