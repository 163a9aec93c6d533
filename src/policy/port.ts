import { Protocol } from './protocol';
import { requireNumber, requireOneOf, requireString } from '../util/guards';

/**
 * A destination port (or port range) of a rule, with its protocol.
 *
 * Ports are matched on the destination pod *after* Service DNAT, so they are container ports,
 * not Service ports. Named ports are resolved on the destination pod.
 * See https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class Port {
  /** A single TCP port. */
  public static tcp(port: number): Port {
    return new Port(Protocol.TCP, requireNumber('Port.tcp', 'port', port, false));
  }

  /** A single UDP port. */
  public static udp(port: number): Port {
    return new Port(Protocol.UDP, requireNumber('Port.udp', 'port', port, false));
  }

  /** A single SCTP port. */
  public static sctp(port: number): Port {
    return new Port(Protocol.SCTP, requireNumber('Port.sctp', 'port', port, false));
  }

  /** A TCP port range `from`..`to` inclusive (rendered with `endPort`). */
  public static tcpRange(from: number, to: number): Port {
    return new Port(Protocol.TCP, requireNumber('Port.tcpRange', 'from', from, false), requireNumber('Port.tcpRange', 'to', to, false));
  }

  /** A UDP port range `from`..`to` inclusive (rendered with `endPort`). */
  public static udpRange(from: number, to: number): Port {
    return new Port(Protocol.UDP, requireNumber('Port.udpRange', 'from', from, false), requireNumber('Port.udpRange', 'to', to, false));
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port(Protocol.TCP);
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port(Protocol.UDP);
  }

  /**
   * A named container port (e.g. `http`), resolved on the destination pod.
   * @param name the container port name (IANA_SVC_NAME: at most 15 characters)
   * @param protocol the protocol of that container port
   */
  public static named(name: string, protocol: Protocol = Protocol.TCP): Port {
    return new Port(
      requireOneOf('Port.named', 'protocol', protocol, Object.values(Protocol), 'a protocol'),
      undefined,
      undefined,
      requireString('Port.named', 'name', name),
    );
  }

  /** The L4 protocol. */
  public readonly protocol: Protocol;
  /** The port number, or the first port of a range; absent for "all ports" and named ports. */
  public readonly number?: number;
  /** The last port of a range (inclusive). */
  public readonly endPort?: number;
  /** The container port name, for named ports. */
  public readonly name?: string;

  private constructor(protocol: Protocol, port?: number, endPort?: number, name?: string) {
    this.protocol = protocol;
    this.number = port;
    this.endPort = endPort;
    this.name = name;
  }

  /** Readable form for messages and diagrams: `TCP/5432`, `UDP/1000-2000`, `TCP/http`, `TCP/*`. */
  public toString(): string {
    if (this.name !== undefined) return `${this.protocol}/${this.name}`;
    if (this.number === undefined) return `${this.protocol}/*`;
    if (this.endPort !== undefined) return `${this.protocol}/${this.number}-${this.endPort}`;
    return `${this.protocol}/${this.number}`;
  }
}
