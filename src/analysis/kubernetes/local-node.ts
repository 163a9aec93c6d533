/**
 * The NetworkPolicy exception for a pod's own node.
 *
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/ (the ipBlock peer
 * identifier): traffic to and from the node a pod runs on is always allowed, whatever the pod and
 * node IPs. The API reference of `NetworkPolicySpec.ingress`
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/) lists a
 * source that is the pod's local node among the ways ingress to an isolated pod is allowed. This is
 * how kubelet probes keep working under default deny. Other nodes get no exception: only an ipBlock
 * containing their IP matches them.
 */
import { Reason, SideQuery } from '../model';

/** Where the exception is documented, for messages. */
export const LOCAL_NODE_DOC = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';

/** The reason for a flow between a pod and its own node that a NetworkPolicy would otherwise deny. */
export function localNodeReason(query: SideQuery): Reason {
  const flow = query.direction === 'ingress'
    ? `from ${query.peer.name} to ${query.subject.name}`
    : `from ${query.subject.name} to ${query.peer.name}`;
  return {
    effect: 'default-allow',
    message: `${flow} on ${query.protocol}/${query.port}: ${query.peer.name} is the node ${query.subject.name} runs on, `
      + `and NetworkPolicy always allows traffic between a pod and its own node, whatever the IPs (${LOCAL_NODE_DOC})`,
  };
}
