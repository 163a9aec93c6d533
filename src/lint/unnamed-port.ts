/**
 * A port no manifest names (internal): the representative of "every other port" of a pod that
 * declares no container port, for the rules that ask the analyzer whether such a port is reachable.
 * Any port a policy names may be judged apart (an Istio rule's `ports`, a Linkerd Server's `port`, a
 * NetworkPolicy range, a skip-inbound-ports annotation); a port named nowhere is judged like every
 * other such port, so one answer on it stands for all of them.
 */
import { isObject } from './document';

type Range = readonly [number, number];

const MAX_PORT = 65535;

/** The ports of a value found under a key naming ports: numbers, digit strings, `a-b` / `a:b` ranges, comma lists, map keys. */
function collect(value: unknown, out: Range[]): void {
  if (typeof value === 'number' && Number.isInteger(value)) {
    out.push([value, value]);
  } else if (typeof value === 'string') {
    for (const token of value.split(/[\s,]+/)) {
      const range = /^(\d+)\s*[-:]\s*(\d+)$/.exec(token);
      if (range) out.push([Number(range[1]), Number(range[2])]);
      else if (/^\d+$/.test(token)) out.push([Number(token), Number(token)]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => collect(v, out));
  } else if (isObject(value)) {
    Object.keys(value).forEach((k) => collect(k, out));
    walk(value, out);
  }
}

/** Every port named under a key mentioning a port, anywhere in `value`; `port` with `endPort` as the range. */
function walk(value: unknown, out: Range[]): void {
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, out));
    return;
  }
  if (!isObject(value)) return;
  // A NetworkPolicy port is a number, a Cilium one a digit string; both take an integer endPort.
  const start = typeof value.port === 'string' && /^\d+$/.test(value.port) ? Number(value.port) : value.port;
  if (typeof start === 'number' && typeof value.endPort === 'number') out.push([start, value.endPort]);
  for (const [key, v] of Object.entries(value)) {
    if (/port/i.test(key)) collect(v, out);
    else walk(v, out);
  }
}

/** Does `value` name `port` anywhere under a key mentioning a port (see {@link walk})? */
export function namesPort(value: unknown, port: number): boolean {
  const ranges: Range[] = [];
  walk(value, ranges);
  return ranges.some(([a, b]) => a <= port && port <= b);
}

/**
 * The lowest TCP port (1–65535) that no object of `objects` names under a key mentioning a port (see
 * {@link walk}) and that `excluded` does not reject (the meshes' own proxy ports); undefined when every
 * port is named.
 */
export function portNamedNowhere(objects: readonly unknown[], excluded: (port: number) => boolean): number | undefined {
  const ranges: Range[] = [];
  objects.forEach((o) => walk(o, ranges));
  const sorted = ranges.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  let candidate = 1;
  const next = () => {
    for (const [a, b] of sorted) if (a <= candidate && candidate <= b) candidate = b + 1;
  };
  for (;;) {
    const before = candidate;
    next();
    while (candidate <= MAX_PORT && excluded(candidate)) candidate++;
    if (candidate > MAX_PORT) return undefined;
    if (candidate === before) return candidate;
  }
}
