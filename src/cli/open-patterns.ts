/**
 * `--fail-on-open` patterns of `analyze --diff`: which opened flows fail a pull request. A pattern is
 * `SOURCE -> DESTINATION`; each side is one of
 * - a glob over endpoint names (`namespace/name`; `*` matches any characters, `/` included):
 *   `acme/*`, `* `, `shop/web`;
 * - a namespace label selector in brackets, optionally followed by `/` and a glob over pod names:
 *   `[tenant]` (every endpoint of a namespace carrying label `tenant`), `[tenant=acme,env!=dev]`,
 *   `[!tenant]/web*`; terms are `KEY`, `!KEY`, `KEY=VALUE` and `KEY!=VALUE` (true without the label,
 *   as in Kubernetes selectors), all of which must hold;
 * - `outside` (an endpoint whose namespace is not the other side's) or `outside(KEY)` (whose
 *   namespace is another one and either carries another value of label KEY or lacks the label on
 *   one side: each namespace without the label is a group of its own, so two unlabelled
 *   namespaces are outside each other. This reports more than the expectations'
 *   `pairs: { across: KEY }`, where two unlabelled namespaces share the value "none").
 * - `external` (any external endpoint of the diff: `external 0.0.0.0/0 except 10.0.0.0/8`, the
 *   metadata address `external 169.254.169.254/32`, ...), `internet` (an external endpoint whose
 *   region holds a public address: outside every special range ipaddr.js knows, private ranges
 *   and link-local included), or a CIDR or address (`169.254.169.254/32`, `203.0.113.0/24`: an
 *   external endpoint whose region shares an address with it).
 * External endpoints have no namespace: `outside` and `outside(KEY)` always match them, a
 * `[selector]` never does, and a glob sees their name (`*` matches them).
 * `!` before a side negates it. So `outside -> [tenant]` is "anything into a tenant namespace from
 * outside it", `outside(tenant) -> [tenant]` "into a tenant from another tenant or a namespace of
 * no tenant", `'!acme/* -> acme/*'` "into namespace acme from outside it", `* -> *` any opened flow.
 * Namespace labels are those of the manifests after the change (`kubernetes.io/metadata.name`
 * included).
 */

import { addressesOfExternal, hasPublicAddress } from '../analysis/external-endpoints';
import { namespaceOfEndpoint } from '../analysis/inventory';
import { AddressSet } from '../util/address-set';
import { parseCidrLoose } from '../util/cidr';

/** Namespace name -> labels. */
export type NamespaceLabelsOf = (namespace: string) => Readonly<Record<string, string>>;

/** One parsed pattern. */
export interface OpenPattern {
  /** The pattern as given. */
  readonly text: string;
  /** Does a flow from `source` to `destination` (endpoint names `namespace/name`) match? */
  matches(source: string, destination: string, labelsOf: NamespaceLabelsOf): boolean;
  /**
   * Does some pair of endpoints match: two of `pods` (one pod with itself included), or one of
   * `pods` and one of `externals` either way? Linear in the endpoints (times the namespaces, for a
   * pattern with `outside`), so a pattern that matches nothing in a large cluster is answered fast.
   */
  matchesSomePair(pods: readonly string[], externals: readonly string[], labelsOf: NamespaceLabelsOf): boolean;
}

/** A side, tested against its endpoint, the other side's endpoint and the namespace labels. */
type Side = (self: string, other: string, labelsOf: NamespaceLabelsOf) => boolean;

/** A side, and whether it reads the other side's endpoint (`outside`: only through its namespace). */
interface ParsedSide {
  readonly test: Side;
  readonly relative: boolean;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function isExternal(endpoint: string): boolean {
  return addressesOfExternal(endpoint) !== undefined;
}

/** `KEY`, `!KEY`, `KEY=VALUE`, `KEY!=VALUE` terms, comma-separated. */
function selector(text: string, pattern: string): (labels: Readonly<Record<string, string>>) => boolean {
  const terms = text.split(',').map((t) => t.trim());
  const tests = terms.map((term) => {
    const m = /^(!?)([^=!]+?)\s*(?:(!?=)\s*(.*))?$/.exec(term);
    const key = m?.[2];
    const value = m?.[4] ?? '';
    if (!m || key === undefined || !LABEL_KEY.test(key) || (m[3] !== undefined && (m[1] === '!' || !LABEL_VALUE.test(value)))) {
      throw new Error(`'${pattern}': '[${text}]' is not a namespace label selector (terms KEY, !KEY, KEY=VALUE or KEY!=VALUE, comma-separated)`);
    }
    if (m[3] === '=') return (l: Readonly<Record<string, string>>) => l[key] === value;
    if (m[3] === '!=') return (l: Readonly<Record<string, string>>) => l[key] !== value;
    return m[1] === '!' ? (l: Readonly<Record<string, string>>) => l[key] === undefined : (l: Readonly<Record<string, string>>) => l[key] !== undefined;
  });
  return (labels) => tests.every((t) => t(labels));
}

function side(text: string, pattern: string): ParsedSide {
  const negated = text.startsWith('!');
  const body = negated ? text.slice(1).trim() : text;
  let test: Side;
  const outside = /^outside(?:\(\s*([^)]*?)\s*\))?$/.exec(body);
  const cidr = /^[0-9a-fA-F:.]+(\/[0-9]+)?$/.test(body) && /[.:]/.test(body) ? parseCidrLoose(body) : undefined;
  if (body === 'external') {
    test = (self) => isExternal(self);
  } else if (body === 'internet') {
    test = (self) => {
      const region = addressesOfExternal(self);
      return region !== undefined && hasPublicAddress(region);
    };
  } else if (cidr) {
    const block = AddressSet.fromCidrs([cidr]);
    test = (self) => addressesOfExternal(self)?.intersects(block) ?? false;
  } else if (outside) {
    const key = outside[1];
    if (key !== undefined && !LABEL_KEY.test(key)) throw new Error(`'${pattern}': outside(${key}) needs a label key`);
    test = key === undefined
      ? (self, other) => isExternal(self) || namespaceOfEndpoint(self) !== namespaceOfEndpoint(other)
      : (self, other, labelsOf) => {
        if (isExternal(self)) return true;
        const mine = namespaceOfEndpoint(self);
        const theirs = namespaceOfEndpoint(other);
        if (mine === theirs) return false;
        const a = labelsOf(mine)[key];
        const b = labelsOf(theirs)[key];
        return a === undefined || b === undefined || a !== b;
      };
  } else if (body.startsWith('[')) {
    const close = body.indexOf(']');
    const rest = close < 0 ? '' : body.slice(close + 1);
    if (close < 0 || (rest !== '' && !rest.startsWith('/')) || rest === '/') {
      throw new Error(`'${pattern}': expected [SELECTOR] or [SELECTOR]/GLOB, got '${body}'`);
    }
    const matchesNamespace = selector(body.slice(1, close), pattern);
    const name = globRe(rest === '' ? '*' : rest.slice(1));
    test = (self, _other, labelsOf) => {
      if (isExternal(self)) return false;
      const ns = namespaceOfEndpoint(self);
      return matchesNamespace(labelsOf(ns)) && name.test(self.slice(ns.length + 1));
    };
  } else {
    if (/[[\]()]/.test(body)) throw new Error(`'${pattern}': '${body}' is neither a glob over namespace/name, [SELECTOR], outside, external, internet nor a CIDR`);
    const re = globRe(body);
    test = (self) => re.test(self);
  }
  return { test: negated ? (self, other, labelsOf) => !test(self, other, labelsOf) : test, relative: outside !== null };
}

/**
 * Is there a pair (source, destination) of `pods` x `pods`, `pods` x `externals` or `externals` x
 * `pods` with `from(source, destination)` and `to(destination, source)`? At most one side is
 * relative, and it reads the other endpoint only through its namespace: one endpoint per namespace
 * of the other side's matches stands for all of them.
 */
function somePair(from: ParsedSide, to: ParsedSide, pods: readonly string[], externals: readonly string[], labelsOf: NamespaceLabelsOf): boolean {
  if (from.relative && to.relative) throw new Error('outside on both sides of a pattern');
  // Orient the search: `fixed` is the side that does not read the other one.
  const fixedIsSource = !from.relative;
  const fixed = fixedIsSource ? from : to;
  const other = fixedIsSource ? to : from;
  // The fixed side's matches, one per (kind, namespace) when the other side reads the namespace.
  const reps = new Map<string, { endpoint: string; external: boolean }>();
  for (const [list, external] of [[pods, false], [externals, true]] as const) {
    for (const e of list) {
      if (!fixed.test(e, '', labelsOf)) continue;
      const key = other.relative ? `${external ? 'e' : 'p'}${namespaceOfEndpoint(e)}` : (external ? 'e' : 'p');
      if (!reps.has(key)) reps.set(key, { endpoint: e, external });
    }
  }
  for (const { endpoint, external } of reps.values()) {
    // A pod pairs with pods and external endpoints; an external endpoint with pods only.
    for (const list of external ? [pods] : [pods, externals]) {
      for (const e of list) if (other.test(e, endpoint, labelsOf)) return true;
    }
  }
  return false;
}

/**
 * Parse `SOURCE -> DESTINATION`.
 * @throws Error with a readable message when the text is not of that form
 */
export function parseOpenPattern(text: string): OpenPattern {
  const parts = text.split('->').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '' || p === '!')) {
    throw new Error(`'${text}' is not SOURCE -> DESTINATION (globs over namespace/name, [namespace label selector], outside, `
      + "external, internet or a CIDR; e.g. 'outside -> [tenant]', '!acme/* -> acme/*', '[tenant] -> internet')");
  }
  const isOutside = (p: string) => /^!?\s*outside(\(|$)/.test(p);
  if (isOutside(parts[0]) && isOutside(parts[1])) throw new Error(`'${text}': outside is relative to the other side; give it on one side only`);
  const from = side(parts[0], text);
  const to = side(parts[1], text);
  return {
    text,
    matches: (source, destination, labelsOf) => from.test(source, destination, labelsOf) && to.test(destination, source, labelsOf),
    matchesSomePair: (pods, externals, labelsOf) => somePair(from, to, pods, externals, labelsOf),
  };
}
