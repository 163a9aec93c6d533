/**
 * Linkerd port lists (internal): the syntax of `config.linkerd.io/opaque-ports`,
 * `config.linkerd.io/proxy-require-identity-inbound-ports` and the Helm value `proxy.opaquePorts`,
 * as linkerd2's policy controller reads them (policy-controller k8s index `ports.rs`,
 * `parse_portset`): comma-separated entries, each a port 1-65535 or an increasing range `a-b`, blanks
 * around entries and empty entries ignored; any invalid entry makes the whole list invalid.
 */

/** A valid port list: its ranges (a single port is `[p, p]`) and the entries written as one plain port. */
export interface LinkerdPortList {
  /** The list as given. */
  readonly text: string;
  /** Every entry as an inclusive range, in the order given. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /**
   * The ports of entries written as one canonical decimal port (`3306`, not ` 3306`, `+3306`, `03306`
   * or `3306-3306`): the entries any reader of the list, one that parses or one that compares the
   * text, takes for that port.
   */
  readonly plain: readonly number[];
}

/** A port list that is not valid Linkerd syntax; the message says which entry and why. */
export class LinkerdPortsError extends Error {}

/** A port as Rust parses a NonZeroU16 (an optional `+`, decimal digits, 1-65535), else undefined. */
function portOf(text: string): number | undefined {
  const t = text.trim();
  return /^\+?\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 65535 ? Number(t) : undefined;
}

/**
 * Parse a Linkerd port list strictly.
 * @throws LinkerdPortsError naming the first invalid entry
 */
export function parseLinkerdPorts(text: string): LinkerdPortList {
  const ranges: Array<readonly [number, number]> = [];
  const plain: number[] = [];
  for (const entry of text.split(',')) {
    const dash = entry.indexOf('-');
    if (dash < 0) {
      if (entry.trim() === '') continue;
      const port = portOf(entry);
      if (port === undefined) throw new LinkerdPortsError(`'${entry}' is not a port (1-65535)`);
      ranges.push([port, port]);
      if (/^[1-9]\d*$/.test(entry)) plain.push(port);
      continue;
    }
    const [from, to] = [portOf(entry.slice(0, dash)), portOf(entry.slice(dash + 1))];
    if (from === undefined || to === undefined) throw new LinkerdPortsError(`'${entry}' is not a range a-b of ports (1-65535)`);
    if (from > to) throw new LinkerdPortsError(`'${entry}' is not an increasing range`);
    ranges.push([from, to]);
  }
  return { text, ranges, plain };
}

/** Is `port` in the list? */
export function inLinkerdPorts(list: LinkerdPortList, port: number): boolean {
  return list.ranges.some(([from, to]) => port >= from && port <= to);
}

/**
 * A port list from an annotation, as the policy controller reads one (`ports_annotation`): an invalid
 * list is the empty set.
 */
export function linkerdPortSet(text: string): (port: number) => boolean {
  let list: LinkerdPortList | undefined;
  try {
    list = parseLinkerdPorts(text);
  } catch {
    return () => false;
  }
  return (port) => inLinkerdPorts(list!, port);
}
