import { Cni } from '../src';
import { CNI_CHOICES, CNI_NAMES } from '../src/cluster/cni-choices';

/** The CNIs every example is synthesized for: those of the one table of choices that enforce policies. */
export const EXAMPLE_CNIS: Record<string, () => Cni> = Object.fromEntries(CNI_NAMES
  .filter((name) => CNI_CHOICES[name].create().capabilities.enforcesNetworkPolicy)
  .map((name) => [name, CNI_CHOICES[name].create]));

/** The CNI named by CDK8S_NETWORKING_CNI (for `cdk8s synth` inside an example folder). */
export function cniFromEnv(fallback = 'calico'): Cni {
  const name = process.env.CDK8S_NETWORKING_CNI ?? fallback;
  const factory = Object.prototype.hasOwnProperty.call(EXAMPLE_CNIS, name) ? EXAMPLE_CNIS[name] : undefined;
  if (!factory) throw new Error(`CDK8S_NETWORKING_CNI='${name}' is not one of ${Object.keys(EXAMPLE_CNIS).join(', ')}`);
  return factory();
}
