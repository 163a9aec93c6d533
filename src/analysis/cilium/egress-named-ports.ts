/**
 * How Cilium resolves a named port of an egress rule. Ingress names resolve on the selected pod
 * itself; an egress name resolves over the named ports of every pod in the cluster (pkg/endpoint
 * `GetNamedPort`: "egress needs named ports of all the pods", the agent's NamedPortMultiMap), to one
 * number when they agree and to none when they disagree, and that number then applies to every peer
 * the rule selects, whether or not the peer declares the name: an external address or a pod without
 * the name too. Later versions resolve by the peers the rule selects instead (see
 * uncertainty/cilium-named-ports), so a destination that does not declare the name is only
 * known not to match where the pods of the manifests declare the name with other numbers only.
 */
import { buildInventory } from '../inventory';
import { Endpoint, L4Protocol, ManifestObject } from '../model';

/** The numbers the pods of the manifests declare per `name/protocol`. */
export class EgressNamedPorts {
  private readonly numbers = new Map<string, Set<number>>();

  constructor(manifests: ManifestObject[]) {
    for (const pod of buildInventory(manifests).pods) {
      for (const np of pod.endpoint.namedPorts) {
        const key = `${np.name}/${np.protocol}`;
        this.numbers.set(key, (this.numbers.get(key) ?? new Set()).add(np.port));
      }
    }
  }

  /**
   * Does the egress named port `name` match the flow to `destination` on `port`/`protocol`: true
   * when the destination declares it with that number, false when it does not and the pods of the
   * manifests declare the name only with other numbers, else why it may match.
   */
  matches(name: string, port: number, protocol: L4Protocol, destination: Endpoint): true | false | string {
    if (destination.namedPorts.some((np) => np.name === name && np.port === port && np.protocol === protocol)) return true;
    const numbers = this.numbers.get(`${name}/${protocol}`);
    if (numbers === undefined) {
      return `egress named port ${name}/${protocol}: no pod of the manifests declares it, and Cilium resolves an egress port name over the pods `
        + `of the whole cluster and applies the number to every peer the rule selects (${destination.name} among them)`;
    }
    if (!numbers.has(port)) return false;
    return `egress named port ${name}/${protocol}: ${destination.name} does not declare it, but other pods declare it as ${port}; Cilium 1.18 `
      + 'resolves an egress port name over every pod of the cluster and applies the number to every peer the rule selects, later versions '
      + 'by the selected peers';
  }
}
