/**
 * What a reachability question is about: pods of the inventory, a node, or an external address.
 */
import { Endpoint } from './model';
import { parseIp } from '../util/cidr';

/**
 * One side of a reachability question. Create with a static factory:
 * `Target.pod('shop', { app: 'web' })`, `Target.workload('shop', 'web')`,
 * `Target.external('203.0.113.7')`, `Target.node()`.
 */
export class Target {
  /**
   * Every inventory pod (workload or probe) in `namespace` whose labels include `labels`.
   * @param namespace the namespace of the pods
   * @param labels labels the pods must carry (all of them); empty matches every pod of the namespace
   */
  public static pod(namespace: string, labels: { [key: string]: string } = {}): Target {
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    return new Target('pod', `pods in ${namespace}${shown ? ` with ${shown}` : ''}`, { namespace, labels: { ...labels } });
  }

  /**
   * The pods of one workload (Deployment, StatefulSet, ...) or probe, by name.
   * @param namespace the namespace of the workload
   * @param name the workload's `metadata.name` (or the probe's name)
   */
  public static workload(namespace: string, name: string): Target {
    return new Target('workload', `workload ${namespace}/${name}`, { namespace, name });
  }

  /**
   * An address outside the cluster.
   * @param ip the IPv4 or IPv6 address
   * @param dnsName the DNS name it answers to, for FQDN rules
   */
  public static external(ip: string, dnsName?: string): Target {
    parseIp(ip);
    return new Target('external', `external ${dnsName ? `${dnsName} (${ip})` : ip}`, { ip, dnsName });
  }

  /** The cluster nodes (and every hostNetwork pod, which policies see as its node). */
  public static node(): Target {
    return new Target('node', 'node', {});
  }

  /** Readable description, used in errors and explanations. */
  public readonly description: string;
  private readonly kind: string;
  private readonly spec: TargetSpec;

  private constructor(kind: string, description: string, spec: TargetSpec) {
    this.kind = kind;
    this.description = description;
    this.spec = spec;
  }

  /**
   * The endpoints this target denotes.
   * @internal
   */
  public _resolve(pods: Endpoint[], node: Endpoint): Endpoint[] {
    switch (this.kind) {
      case 'pod':
        return pods.filter((p) => p.namespace === this.spec.namespace
          && Object.entries(this.spec.labels ?? {}).every(([k, v]) => p.labels[k] === v));
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
      default:
        return [node];
    }
  }

  /** Readable description. */
  public toString(): string {
    return this.description;
  }
}

interface TargetSpec {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly name?: string;
  readonly ip?: string;
  readonly dnsName?: string;
}
