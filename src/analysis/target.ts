/**
 * What a reachability question is about: pods of the inventory, a node, or an external address.
 */
import { Endpoint, NodeEndpoints } from './model';
import { parseIp } from '../util/cidr';
import { propError } from '../util/errors';
import { requireOptionalString, requireString, requireStringMap } from '../util/guards';

/** What a Target denotes. */
type TargetKind = 'pod' | 'workload' | 'external' | 'node' | 'localNode' | 'remoteNode';

/**
 * One side of a reachability question. Create with a static factory:
 * `Target.pod('shop', { app: 'web' })`, `Target.workload('shop', 'web')`,
 * `Target.external('203.0.113.7')`, `Target.node()`, `Target.localNode()`, `Target.remoteNode()`.
 */
export class Target {
  /**
   * Every inventory pod (workload or probe) in `namespace` whose labels include `labels`.
   * @param namespace the namespace of the pods
   * @param labels labels the pods must carry (all of them); empty matches every pod of the namespace
   */
  public static pod(namespace: string, labels: { [key: string]: string } = {}): Target {
    requireString('Target.pod', 'namespace', namespace, true);
    labels = requireStringMap('Target.pod', 'labels', labels);
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    return new Target('pod', `pods in ${namespace}${shown ? ` with ${shown}` : ''}`, { namespace, labels: { ...labels } });
  }

  /**
   * The pods of one workload (Deployment, StatefulSet, ...) or probe, by name.
   * @param namespace the namespace of the workload
   * @param name the workload's `metadata.name` (or the probe's name)
   */
  public static workload(namespace: string, name: string): Target {
    requireString('Target.workload', 'namespace', namespace, true);
    requireString('Target.workload', 'name', name, true);
    return new Target('workload', `workload ${namespace}/${name}`, { namespace, name });
  }

  /**
   * An address outside the cluster.
   * @param ip the IPv4 or IPv6 address
   * @param dnsName the DNS name it answers to, for FQDN rules
   */
  public static external(ip: string, dnsName?: string): Target {
    requireString('Target.external', 'ip', ip);
    try {
      parseIp(ip);
    } catch {
      throw propError('Target.external', 'ip', `'${ip}' is not an IPv4 or IPv6 address`);
    }
    requireOptionalString('Target.external', 'dnsName', dnsName, true);
    return new Target('external', `external ${dnsName ? `${dnsName} (${ip})` : ip}`, { ip, dnsName });
  }

  /**
   * Every node: the pod's own node AND any other node, so a check is allowed only when both are
   * (`pairs` lists `local-node` and `remote-node` separately). Use {@link localNode} or
   * {@link remoteNode} to ask about one of them. hostNetwork pods are pod targets
   * (`Target.workload`), seen by policies as a node.
   */
  public static node(): Target {
    return new Target('node', 'node', {});
  }

  /**
   * The node the pod at the other end of the flow runs on: its kubelet (probes) and other host
   * processes. NetworkPolicy never blocks it (Kubernetes model); Calico and Cilium always allow it
   * towards the pod but police the pod's egress to it.
   */
  public static localNode(): Target {
    return new Target('localNode', 'local node', {});
  }

  /**
   * A node other than the one the pod at the other end of the flow runs on (for Cilium the
   * `remote-node` entity); NetworkPolicy matches it only by an ipBlock of the node IP.
   */
  public static remoteNode(): Target {
    return new Target('remoteNode', 'remote node', {});
  }

  /** Readable description, used in errors and explanations. */
  public readonly description: string;
  private readonly kind: TargetKind;
  private readonly spec: TargetSpec;

  private constructor(kind: TargetKind, description: string, spec: TargetSpec) {
    this.kind = kind;
    this.description = description;
    this.spec = spec;
  }

  /**
   * The endpoints this target denotes.
   * @internal
   */
  public _resolve(pods: Endpoint[], nodes: NodeEndpoints): Endpoint[] {
    switch (this.kind) {
      case 'pod':
        return pods.filter((p) => p.namespace === this.spec.namespace
          && Object.entries(this.spec.labels ?? {}).every(([k, v]) => carries(p, k, v)));
      case 'workload':
        return pods.filter((p) => p.name === `${this.spec.namespace}/${this.spec.name}`);
      case 'external':
        return [{
          kind: 'external',
          name: this.spec.dnsName ?? this.spec.ip!,
          ip: this.spec.ip,
          dnsName: this.spec.dnsName,
          labels: {},
          namespaceLabels: {},
          hostNetwork: false,
          namedPorts: [],
        }];
      case 'localNode':
        return [nodes.local];
      case 'remoteNode':
        return [nodes.remote];
      case 'node':
        return [nodes.local, nodes.remote];
      default:
        // A Target not made by a factory (Object.create(Target.prototype) passes instanceof): never read as some default target.
        throw propError('Target', 'kind', `${JSON.stringify(this.kind)} is not a target a Target factory makes (Target.pod(), Target.workload(), ...)`);
    }
  }

  /** Readable description. */
  public toString(): string {
    return this.description;
  }
}

/**
 * Does some pod of `endpoint` carry the label `key: value`? A label its controller sets at runtime
 * (./uncertainty/controller-label-facts) is read from the values the manifests give (every pod name of
 * a StatefulSet, not only the representative one the endpoint's labels hold); one whose value they do
 * not give matches no value.
 */
function carries(endpoint: Endpoint, key: string, value: string): boolean {
  const runtime = endpoint.runtimeLabels?.find((r) => r.key === key);
  if (runtime === undefined) return endpoint.labels[key] === value;
  return runtime.values?.includes(value) === true;
}

interface TargetSpec {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly name?: string;
  readonly ip?: string;
  readonly dnsName?: string;
}
