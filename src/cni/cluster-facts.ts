import { IConstruct } from 'constructs';
import { ClusterNetwork } from '../cluster/cluster-network';
import { CniKind } from '../cluster/cni';
import { cidrsOverlap, parseCidr } from '../util/cidr';
import { propError } from '../util/errors';

/**
 * An install construct installs one CNI; the ClusterNetwork governing it must name that CNI, or
 * every policy in the chart would be rendered for another one.
 */
export function requireClusterCni(scope: IConstruct, cluster: ClusterNetwork, kind: CniKind, construct: string, factory: string): void {
  if (cluster.cni.kind !== kind) {
    throw propError(scope, 'ClusterNetwork.cni', `the ClusterNetwork '${cluster.node.path}' names the CNI '${cluster.cni.name}', `
      + `but a ${construct} installs ${kind}: declare ${factory} in the ClusterNetwork (policies are rendered for the CNI it names)`);
  }
}

/** Pod and service CIDRs of one cluster never overlap (the API server and the CNI would both claim the addresses). */
export function requireDisjointPodAndServiceCidrs(scope: IConstruct, cluster: ClusterNetwork): void {
  for (const pod of cluster.podCidrs) {
    for (const svc of cluster.serviceCidrs) {
      if (cidrsOverlap(parseCidr(pod), parseCidr(svc))) {
        throw propError(scope, 'ClusterNetwork.podCidrs', `pod CIDR ${pod} overlaps the service CIDR ${svc}: `
          + 'pod and Service addresses would collide; fix podCidrs or serviceCidrs in the ClusterNetwork');
      }
    }
  }
}
