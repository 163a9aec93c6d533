import { Cni } from '../../src';

/**
 * A `Cni.custom()` that enforces plain NetworkPolicy and nothing more (what `Cni.kubernetes()` can
 * do) under a name of its own: the tests' stand-in for a CNI whose namespaces and features the
 * library does not know.
 */
export function networkPolicyOnlyCni(name = 'antrea'): Cni {
  return Cni.custom(name, {
    enforcesNetworkPolicy: true,
    deny: false,
    ordering: false,
    clusterWide: false,
    l7: false,
    fqdn: false,
    entities: false,
    clusterNetworkPolicy: false,
  });
}
